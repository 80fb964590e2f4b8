package pacing

import (
	"math"
	"testing"
)

// Known values of Erlang C, from the published formula
//
//	C(n, a) = (aⁿ/n! · n/(n−a)) / (Σ_{k<n} aᵏ/k! + aⁿ/n! · n/(n−a))
//
// worked by hand for n=2, a=1 (1/(1+1+1) = 1/3) and n=5, a=4
// (numerator 4⁵/5!·5 = 42.667, denominator 1+4+8+10.667+10.667+42.667
// = 77.0; C = 0.55411), and for n=10, a=8 and n=100, a=90 by the same
// formula evaluated to 10 digits.
func TestErlangCKnownValues(t *testing.T) {
	for _, c := range []struct {
		n    int
		a    float64
		want float64
	}{
		{1, 0.5, 0.5}, // M/M/1: P(wait) = ρ
		{2, 1, 1.0 / 3},
		{5, 4, 0.5541125541},
		{10, 8, 0.4091801508},
		{100, 90, 0.2169404809},
		{3, 3, 1},
		{3, 0, 0},
	} {
		if got := ErlangC(c.n, c.a); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("ErlangC(%d, %v) = %.10f, want %.10f", c.n, c.a, got, c.want)
		}
	}
}

func TestWaitOverAndSteadyTraffic(t *testing.T) {
	// P(wait > t) = C·e^{−(n−a)t}; for n=2, a=1, t=1 service time: e^{-1}/3.
	if got, want := WaitOver(2, 1, 1), math.Exp(-1)/3; math.Abs(got-want) > 1e-12 {
		t.Fatalf("WaitOver(2,1,1) = %v, want %v", got, want)
	}
	for _, n := range []int{1, 5, 20, 100, 500} {
		a := SteadyTraffic(n, 2.0/200, 0.03)
		if a <= 0 || a >= float64(n) {
			t.Fatalf("SteadyTraffic(%d) = %v, want in (0, n)", n, a)
		}
		if p := WaitOver(n, a, 0.01); p > 0.03+1e-9 {
			t.Errorf("n=%d: P(wait > grace) at the steady traffic = %v, over the target", n, p)
		}
		if p := WaitOver(n, a*1.01+0.01, 0.01); p <= 0.03 {
			t.Errorf("n=%d: traffic %v is not the largest under the target (P=%v)", n, a, p)
		}
	}
	// Larger teams carry a larger share of their capacity (pooling).
	if SteadyTraffic(500, 0.01, 0.03)/500 <= SteadyTraffic(20, 0.01, 0.03)/20 {
		t.Error("no pooling gain from 20 to 500 agents")
	}
}
