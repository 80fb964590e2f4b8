package simulator

import (
	"os"
	"testing"
)

func loadScenario(tb testing.TB, name string) *Scenario {
	tb.Helper()
	data, err := os.ReadFile("../../test/scenarios/" + name + ".yaml")
	if err != nil {
		tb.Fatal(err)
	}
	s, err := Parse(data)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// BenchmarkSim500Agents8h is the what-if budget: a 500-agent, 8-hour day
// under the predictive policy must simulate in under 10 s.
func BenchmarkSim500Agents8h(b *testing.B) {
	s := loadScenario(b, "agents-500")
	for _, name := range []string{"predictive", "vicidial", "progressive"} {
		b.Run(name, func(b *testing.B) {
			sp, err := SpecFor(name, s)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var r Result
			for b.Loop() {
				r = Run(s, sp)
			}
			b.ReportMetric(r.Utilization, "utilization")
			b.ReportMetric(float64(r.Attempts), "attempts")
		})
	}
}
