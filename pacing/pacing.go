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
	// MaxRatio bounds predictive and vicidial: calls in flight per working
	// (logged-in, not paused) agent. 0 means no bound.
	MaxRatio float64
	// AbandonGrace is how long a live answer may wait for an agent before it
	// counts as abandoned; 0 means DefaultGrace (2 s).
	AbandonGrace time.Duration
}

// DefaultGrace is the legal wait for an agent after the person's greeting
// (US TSR, UK Ofcom).
const DefaultGrace = 2 * time.Second

func (l Limits) grace() time.Duration {
	if l.AbandonGrace <= 0 {
		return DefaultGrace
	}
	return l.AbandonGrace
}

func (l Limits) target() float64 {
	if l.AbandonTarget <= 0 {
		return 0.03
	}
	return l.AbandonTarget
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
	// Forecast is what predictive policies based the decision on (zero for
	// the others), for metrics and the UI.
	Forecast Forecast
}

// Forecast explains a predictive decision.
type Forecast struct {
	// Horizon is how long after launch a new call is expected to need an
	// agent (ring time + AMD time of a live answer).
	Horizon time.Duration
	// FreeAgents is the expected number of agents free at Horizon.
	FreeAgents float64
	// PendingLive is the expected number of live answers still to come from
	// the calls in flight.
	PendingLive float64
	// LiveRate is the estimated probability that an attempt is a live answer.
	LiveRate float64
	// Safety is the controller's margin, in standard deviations.
	Safety float64
	// SteadyRate is Erlang-C's steady-state attempt rate (calls per second)
	// that keeps P(wait > grace) under the abandon target for the working
	// agents.
	SteadyRate float64
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
