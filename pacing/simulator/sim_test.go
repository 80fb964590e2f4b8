package simulator

import (
	"math"
	"testing"
	"time"

	"github.com/dialer/dialer/pacing"
)

func short(tb testing.TB, name string, d time.Duration) *Scenario {
	s := loadScenario(tb, name)
	s.Duration = d
	var ag []AgentStep
	for _, a := range s.Agents {
		if a.At < d {
			ag = append(ag, a)
		}
	}
	s.Agents = ag
	return s
}

func spec(tb testing.TB, name string, s *Scenario) Spec {
	sp, err := SpecFor(name, s)
	if err != nil {
		tb.Fatal(err)
	}
	return sp
}

func TestDeterministic(t *testing.T) {
	s := short(t, "agents-20", time.Hour)
	for _, name := range []string{"predictive", "vicidial"} {
		a, b := Run(s, spec(t, name, s)), Run(s, spec(t, name, s))
		if a != b {
			t.Errorf("%s: two runs differ:\n%+v\n%+v", name, a, b)
		}
	}
	s2 := *s
	s2.Seed++
	if Run(&s2, spec(t, "predictive", &s2)) == Run(s, spec(t, "predictive", s)) {
		t.Error("another seed gave the same result")
	}
}

// Common random numbers: lead i has the same outcome and durations under
// every policy.
func TestCommonRandomNumbers(t *testing.T) {
	s := short(t, "agents-20", time.Hour)
	type draw struct {
		o          pacing.Outcome
		ring, talk float64
	}
	seen := map[int]draw{}
	compared := 0
	for _, name := range []string{"progressive", "power", "vicidial", "predictive"} {
		r := newRun(s, spec(t, name, s).New(s.Limits()))
		r.onLaunch = func(lead int, o pacing.Outcome, ring, talk float64) {
			d := draw{o, ring, talk}
			if prev, ok := seen[lead]; ok {
				compared++
				if prev != d {
					t.Fatalf("lead %d: %+v, then %+v under %s", lead, prev, d, name)
				}
				return
			}
			seen[lead] = d
		}
		r.run()
	}
	if compared < 1000 {
		t.Fatalf("only %d leads compared", compared)
	}
}

func TestProgressiveAbandonsNothing(t *testing.T) {
	for _, name := range []string{"agents-5", "agents-20", "agents-100", "hard-list", "heavy-tail", "shifting"} {
		s := short(t, name, time.Hour)
		for _, p := range []string{"progressive", "preview"} {
			r := Run(s, spec(t, p, s))
			if r.Abandoned != 0 || r.LiveAnswers == 0 || r.Connected != r.LiveAnswers {
				t.Errorf("%s %s: %+v", name, p, r)
			}
		}
	}
}

// The team grows and shrinks sharply: agents who log out finish the calls
// already dialled for them, so progressive still abandons nothing.
func TestProgressiveAbandonsNothingWhenTheTeamShrinks(t *testing.T) {
	s := short(t, "agents-20", 4*time.Hour)
	s.Agents = []AgentStep{{0, 10}, {time.Hour, 80}, {2 * time.Hour, 5}, {3 * time.Hour, 40}}
	for _, p := range []string{"progressive", "preview"} {
		r := Run(s, spec(t, p, s))
		if r.Abandoned != 0 || r.LiveAnswers < 1000 {
			t.Errorf("%s: %+v", p, r)
		}
	}
	if r := Run(s, spec(t, "predictive", s)); r.AbandonRate > s.AbandonTarget {
		t.Errorf("predictive over the target when the team changes: %+v", r)
	}
}

func TestAccounting(t *testing.T) {
	s := short(t, "heavy-tail", 5*time.Hour) // the team shrinks at 4 h
	for _, name := range []string{"power", "predictive"} {
		r := Run(s, spec(t, name, s))
		if r.Connected+r.Abandoned > r.LiveAnswers || r.LiveAnswers > r.Attempts {
			t.Errorf("%s: counts %+v", name, r)
		}
		if !(r.TalkOccupancy > 0 && r.TalkOccupancy < r.Utilization && r.Utilization < 1) {
			t.Errorf("%s: occupancy %v utilization %v", name, r.TalkOccupancy, r.Utilization)
		}
		if idle := (1 - r.Utilization) * 3600; math.Abs(idle-r.IdleSecondsPerAgentHour) > 1e-6 {
			t.Errorf("%s: idle %v s/h, utilization says %v", name, r.IdleSecondsPerAgentHour, idle)
		}
		if r.MeanWaitSeconds <= 0 || r.P90WaitSeconds < r.MeanWaitSeconds/2 {
			t.Errorf("%s: waits mean %v p90 %v", name, r.MeanWaitSeconds, r.P90WaitSeconds)
		}
		if want := float64(r.Abandoned) / float64(r.LiveAnswers); r.AbandonRate != want {
			t.Errorf("%s: abandon rate %v, want %v", name, r.AbandonRate, want)
		}
	}
}

// A short, honest check of the claim the benchmarks make at length:
// predictive idles its agents less than progressive and power at 2:1, and
// stays under the abandon target.
func TestPredictiveBeatsBaselinesShort(t *testing.T) {
	s := short(t, "agents-100", 2*time.Hour)
	rep := Compare(s, []Spec{spec(t, "progressive", s), spec(t, "power", s), spec(t, "predictive", s)})
	pred := rep.Results[2]
	if pred.AbandonRate > s.AbandonTarget {
		t.Errorf("predictive abandon rate %.4f over the target", pred.AbandonRate)
	}
	for _, b := range rep.Results[:2] {
		if b.AbandonRate <= s.AbandonTarget && pred.Utilization <= b.Utilization {
			t.Errorf("predictive utilization %.3f not above %s %.3f", pred.Utilization, b.Policy, b.Utilization)
		}
	}
}

func TestMaxWindowRate(t *testing.T) {
	at := []float64{100, 200, 3700, 3800, 7300}
	ab := []bool{true, false, false, true, false}
	// Windows (t−1h, t] ending at a live answer at t ≥ 1h:
	// t=3700: {200, 3700} 0/2; t=3800: {3700, 3800} 1/2; t=7300: {3800, 7300} 1/2.
	if got := maxWindowRate(at, ab, 3600, 8000); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("max window rate = %v, want 0.5", got)
	}
	if got := maxWindowRate(at[:2], ab[:2], 3600, 1000); got != 0.5 {
		t.Errorf("short run: %v, want the whole run's 0.5", got)
	}
}
