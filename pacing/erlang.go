package pacing

import "math"

// ErlangC is the probability that an arrival waits in an M/M/n queue with
// n servers and offered traffic a (Erlangs, arrival rate × mean service
// time). It is 1 when a ≥ n.
func ErlangC(n int, a float64) float64 {
	if n <= 0 || a >= float64(n) {
		return 1
	}
	if a <= 0 {
		return 0
	}
	// Erlang B by its recurrence B(k) = a·B(k-1) / (k + a·B(k-1)), then
	// C = n·B / (n − a·(1 − B)); stable for large n.
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return float64(n) * b / (float64(n) - a*(1-b))
}

// WaitOver is the probability that an arrival waits longer than t (in units
// of the mean service time) in an M/M/n queue with traffic a:
// C(n, a) · exp(−(n − a)·t).
func WaitOver(n int, a, t float64) float64 {
	if a >= float64(n) {
		return 1
	}
	return ErlangC(n, a) * math.Exp(-(float64(n)-a)*t)
}

// SteadyTraffic is the largest traffic a (Erlangs) that n agents carry
// while keeping the probability that a live answer waits longer than grace
// (in units of the mean handle time) at or under target.
func SteadyTraffic(n int, grace, target float64) float64 {
	if n <= 0 {
		return 0
	}
	lo, hi := 0.0, float64(n)
	for range 50 {
		mid := (lo + hi) / 2
		if WaitOver(n, mid, grace) <= target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}
