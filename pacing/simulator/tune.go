package simulator

import (
	"context"

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

// TunePower searches the power ratio by bisection on [1, 6].
func TunePower(ctx context.Context, s *Scenario) Spec {
	lo, hi := 1.0, 6.0
	for hi-lo > 0.05 && ctx.Err() == nil {
		mid := (lo + hi) / 2
		c := *s
		c.PowerRatio = mid
		sp, _ := SpecFor("power", &c)
		if Run(&c, sp).AbandonRate <= s.AbandonTarget {
			lo = mid
		} else {
			hi = mid
		}
	}
	c := *s
	c.PowerRatio = float64(int(lo*100)) / 100
	sp, _ := SpecFor("power", &c)
	return sp
}

// VICIdialGrid is the settings TuneVICIdial tries for a team of n agents.
func VICIdialGrid(n int) []pacing.VICIdialOptions {
	var out []pacing.VICIdialOptions
	diffs := []float64{0, 1, 2, 4}
	for _, f := range []float64{0.02, 0.05, 0.1} {
		if d := float64(int(f*float64(n) + 0.5)); d > 4 {
			diffs = append(diffs, d)
		}
	}
	for _, tapered := range []bool{false, true} {
		for _, in := range []float64{0.5, 1, 2} {
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
