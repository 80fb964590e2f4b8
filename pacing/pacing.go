// Package pacing decides how many calls to launch now. It is pure: no I/O, no
// clock of its own ("now" comes in the Snapshot), and it imports nothing of
// this module, so the engine and the simulator (dialer sim) run the same code.
package pacing

import "time"

// AgentStatus is an agent's state as pacing sees it.
type AgentStatus int

const (
	AgentReady AgentStatus = iota + 1
	AgentReserved
	AgentTalking
	AgentWrapUp
	AgentPaused
)

// Agent is one logged-in agent.
type Agent struct {
	Status AgentStatus
	// Since is when the agent entered Status.
	Since time.Time
}

// Stage is where a call in flight is.
type Stage int

const (
	// StageDialing: originated, no progress yet.
	StageDialing Stage = iota + 1
	// StageRinging: the far end is ringing.
	StageRinging
	// StageAMD: answered, the AMD is listening.
	StageAMD
	// StageWaitingAgent: a live person is waiting for an agent.
	StageWaitingAgent
)

// Call is one call in flight (not yet connected to an agent or ended).
type Call struct {
	Stage Stage
	// Since is when the call entered Stage.
	Since time.Time
	// Launched is when the call was originated.
	Launched time.Time
}

// Limits are the campaign's settings that bound pacing.
type Limits struct {
	// AbandonTarget is the ceiling on abandoned / live answers (e.g. 0.03).
	AbandonTarget float64
	// PowerRatio is calls per ready agent for progressive and power modes.
	PowerRatio float64
	// MaxRatio bounds predictive: calls in flight per available agent.
	MaxRatio float64
}

// Snapshot is the live state a policy decides from.
type Snapshot struct {
	Now      time.Time
	Agents   []Agent
	InFlight []Call
	Limits   Limits
	// LiveAnswers and Abandoned count the campaign's calls in the abandon
	// window so far.
	LiveAnswers int
	Abandoned   int
	// PreviewRequests counts agents that asked for the next lead (preview mode).
	PreviewRequests int
}

// Decision is how many calls to launch now, and why.
type Decision struct {
	Launch int
	// Reason is a short, stable word for metrics and logs.
	Reason string
}

// Policy decides how many calls to launch.
type Policy interface {
	Decide(s Snapshot) Decision
}

// Progressive keeps calls in flight at or under ready agents × ratio.
type Progressive struct {
	// Ratio is calls per ready agent; 0 means 1.
	Ratio float64
}

// Decide implements Policy.
func (p Progressive) Decide(s Snapshot) Decision {
	ratio := p.Ratio
	if ratio <= 0 {
		ratio = 1
	}
	ready := 0
	for _, a := range s.Agents {
		if a.Status == AgentReady {
			ready++
		}
	}
	want := int(float64(ready)*ratio + 1e-9)
	n := want - len(s.InFlight)
	if n <= 0 {
		return Decision{Launch: 0, Reason: "full"}
	}
	return Decision{Launch: n, Reason: "ready_agents"}
}
