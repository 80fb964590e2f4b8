package pacing

import (
	"fmt"
	"math"
)

// Modes lists the names New accepts: the four dial modes a campaign can
// use, then the baselines the simulator compares against.
var Modes = []string{"preview", "progressive", "power", "predictive", "vicidial"}

// New builds the policy for a dial mode: "preview", "progressive" (1:1),
// "power" (Limits.PowerRatio calls per ready agent, default 2),
// "predictive", or the "vicidial" baseline. Stateful policies (predictive,
// vicidial) belong to one campaign; they also implement Observer.
func New(mode string, limits Limits) (Policy, error) {
	if limits.AbandonTarget < 0 || limits.AbandonTarget >= 1 || math.IsNaN(limits.AbandonTarget) {
		return nil, fmt.Errorf("%w: abandon target %v", ErrInvalidLimits, limits.AbandonTarget)
	}
	if limits.PowerRatio < 0 || limits.MaxRatio < 0 {
		return nil, fmt.Errorf("%w: negative ratio", ErrInvalidLimits)
	}
	switch mode {
	case "preview":
		return Preview{}, nil
	case "progressive":
		return Progressive{Ratio: 1}, nil
	case "power":
		r := limits.PowerRatio
		if r == 0 {
			r = 2
		}
		return Power{Ratio: r}, nil
	case "predictive":
		return NewPredictive(limits, PredictiveOptions{}), nil
	case "vicidial":
		return NewVICIdial(limits, VICIdialOptions{}), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownMode, mode)
}

// Preview dials only for agents that asked for their next lead.
type Preview struct{}

// Decide implements Policy: one call per outstanding request.
func (Preview) Decide(s Snapshot) Decision {
	if s.PreviewRequests <= 0 {
		return Decision{Reason: "no_request"}
	}
	return Decision{Launch: s.PreviewRequests, Reason: "preview_request"}
}

// Power keeps calls in flight at ready agents × Ratio (a fixed ratio over
// progressive).
type Power struct {
	Ratio float64
}

// Decide implements Policy.
func (p Power) Decide(s Snapshot) Decision {
	d := Progressive{Ratio: p.Ratio}.Decide(s)
	if d.Launch > 0 {
		d.Reason = "power_ratio"
	}
	return d
}

func countAgents(s *Snapshot) (ready, talking, wrap, reserved, working int) {
	for i := range s.Agents {
		switch s.Agents[i].Status {
		case AgentReady:
			ready++
		case AgentTalking:
			talking++
		case AgentWrapUp:
			wrap++
		case AgentReserved:
			reserved++
		default:
			continue
		}
		working++
	}
	return
}
