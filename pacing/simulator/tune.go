package simulator

import (
	"context"
	"math"

	"github.com/dialer/dialer/pacing"
)

// TunedSpecs returns progressive, power, vicidial and predictive with the
// baselines tuned on the scenario itself: for power, the highest ratio
// (to 0.05) whose abandon rate stays at or under the target; for vicidial,
// the grid of settings in VICIdialGrid, keeping the one with the highest
// utilization among those at or under the target (the most generous
// tuning a baseline could get: on the very calls it is measured on).
func TunedSpecs(ctx context.Context, s *Scenario) []Spec {
	prog, _ := SpecFor("progressive", s)
	pred, _ := SpecFor("predictive", s)
	return []Spec{prog, TunePower(ctx, s), TuneVICIdial(ctx, s), pred}
}

// TunePower searches the power ratio by bisection on [1, 12] (to 0.02),
// keeping the highest ratio it ran whose abandon rate was at or under the
// target.
func TunePower(ctx context.Context, s *Scenario) Spec {
	lo, hi, best := 1.0, 12.0, 1.0
	for hi-lo > 0.02 && ctx.Err() == nil {
		mid := math.Round((lo+hi)/2*1000) / 1000
		c := *s
		c.PowerRatio = mid
		if Run(&c, mustSpec("power", &c)).AbandonRate <= s.AbandonTarget {
			lo, best = mid, mid
		} else {
			hi = mid
		}
	}
	c := *s
	c.PowerRatio = best
	return mustSpec("power", &c)
}

func mustSpec(name string, s *Scenario) Spec {
	sp, err := SpecFor(name, s)
	if err != nil {
		panic(err)
	}
	return sp
}

// VICIdialGrid is the settings TuneVICIdial tries for a team of n agents,
// within the ranges VICIdial's campaign screen offers: adaptive intensity
// −40…+40 (a multiplier 0.6…1.4 on each adjustment), differential target
// −40…+40 agents, ADAPT_HARD_LIMIT or ADAPT_TAPERED; the maximum level
// stays at its default 3.0, which never binds here.
func VICIdialGrid(n int) []pacing.VICIdialOptions {
	var out []pacing.VICIdialOptions
	var diffs []float64
	for _, d := range []float64{0, 1, 2, 4, 6, 10, 15, 20, 30, 40} {
		if d <= float64(n)/2 {
			diffs = append(diffs, d)
		}
	}
	for _, tapered := range []bool{false, true} {
		for _, in := range []float64{0.6, 1, 1.4} {
			for _, d := range diffs {
				out = append(out, pacing.VICIdialOptions{Intensity: in, TargetDiff: d, MaxLevel: 3, Tapered: tapered})
			}
		}
	}
	return out
}

// TuneVICIdial runs the grid and keeps the best setting under the target
// (the most conservative one if none is).
func TuneVICIdial(ctx context.Context, s *Scenario) Spec {
	grid := VICIdialGrid(s.MaxAgents())
	specs := make([]Spec, len(grid))
	for i, o := range grid {
		specs[i] = VICIdialSpec(o)
	}
	if ctx.Err() != nil {
		return specs[0]
	}
	rep := Compare(s, specs)
	best, bestU := -1, -1.0
	safest, safestA := 0, 2.0
	for i, r := range rep.Results {
		if r.AbandonRate <= s.AbandonTarget && r.Utilization > bestU {
			best, bestU = i, r.Utilization
		}
		if r.AbandonRate < safestA {
			safest, safestA = i, r.AbandonRate
		}
	}
	if best < 0 {
		best = safest
	}
	return specs[best]
}
