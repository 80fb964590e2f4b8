package pacing

import "time"

// Outcome is how an attempt ended, as far as pacing cares.
type Outcome int

const (
	// OutcomeHuman: a live answer (AMD said human, or AMD off and answered).
	OutcomeHuman Outcome = iota + 1
	// OutcomeMachine: an answering machine.
	OutcomeMachine
	// OutcomeFax: a fax tone after answer.
	OutcomeFax
	// OutcomeBusy: Q.850 17, SIP 486/600.
	OutcomeBusy
	// OutcomeNoAnswer: ring timeout, Q.850 18/19, and rejected calls
	// (Q.850 21, SIP 603), which ring like unanswered ones.
	OutcomeNoAnswer
	// OutcomeInvalid: unallocated or malformed numbers, SIT tones.
	OutcomeInvalid
	// OutcomeFailed: congestion and other network failures.
	OutcomeFailed
	numOutcomes = iota
)

var outcomeNames = [...]string{"", "human", "machine", "fax", "busy", "no_answer", "invalid", "failed"}

func (o Outcome) String() string {
	if o <= 0 || int(o) >= len(outcomeNames) {
		return "unknown"
	}
	return outcomeNames[o]
}

// answered reports whether the far end picked up (the call went to AMD).
func (o Outcome) answered() bool {
	return o == OutcomeHuman || o == OutcomeMachine || o == OutcomeFax
}

// ObservationKind says which moment of a call an Observation reports.
type ObservationKind int

const (
	// ObserveResult: the attempt's outcome is known — a human or machine or
	// fax verdict after answer, or a hang-up before answer. Ring and AMD are
	// set.
	ObserveResult ObservationKind = iota + 1
	// ObserveConnect: a live answer was connected to an agent, or abandoned
	// (not connected within the grace). Abandoned and Wait are set.
	ObserveConnect
	// ObserveHandled: an agent finished a call: Talk and Wrap are set.
	ObserveHandled
)

// Observation is what the engine knows when a call ends or changes. The
// engine and the simulator send the same observations at the same moments.
type Observation struct {
	Now     time.Time
	Kind    ObservationKind
	Outcome Outcome
	// Launched is when the attempt was originated (ObserveResult). Set it
	// when the observation may be sent late (after the conversation);
	// zero means Now − Ring − AMD.
	Launched time.Time
	// Ring is from launch to answer (answered outcomes) or to the hang-up
	// (busy, no answer, invalid, failed).
	Ring time.Duration
	// AMD is from answer to the AMD verdict (answered outcomes; 0 without AMD).
	AMD time.Duration
	// Abandoned is true when the live answer got no agent within the grace.
	Abandoned bool
	// Wait is how long the live answer waited for an agent.
	Wait time.Duration
	// Talk and Wrap are the agent's talk and wrap-up durations.
	Talk, Wrap time.Duration
}

// Observer is implemented by policies that learn from the calls they cause.
// Observe must be safe to call concurrently with Decide.
type Observer interface {
	Observe(o Observation)
}
