package agents

import (
	"errors"
	"fmt"
)

// Sentinel errors. Methods wrap them with the agent, the operation and the
// state it was refused in; branch with errors.Is.
var (
	// ErrNotFound: no such agent (it never logged in).
	ErrNotFound = errors.New("agents: not found")
	// ErrNoAgent: Reserve found no ready agent in the campaign.
	ErrNoAgent = errors.New("agents: no ready agent")
	// ErrInvalidTransition: the operation is not allowed in the agent's
	// current state (a *TransitionError says which).
	ErrInvalidTransition = errors.New("agents: invalid transition")
	// ErrLeaseLost: the agent is no longer reserved (or talking) for the
	// attempt given: its lease expired, it was released, or it holds
	// another attempt.
	ErrLeaseLost = errors.New("agents: lease lost")
	// ErrInvalid: a bad argument (empty or malformed id, disposition code,
	// pause reason, lease).
	ErrInvalid = errors.New("agents: invalid")
)

// TransitionError is a refused operation: Op on agent AgentID in State.
// It matches ErrInvalidTransition or ErrLeaseLost (Err).
type TransitionError struct {
	Op      string // "pause", "connect", ...
	AgentID string
	State   State  // the state the agent was in
	Detail  string // e.g. "lease expired", "attempt at-7", "logged in to campaign c2"
	Err     error  // ErrInvalidTransition or ErrLeaseLost
}

func (e *TransitionError) Error() string {
	s := fmt.Sprintf("agents: cannot %s agent %s: state %s", e.Op, e.AgentID, e.State)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Unwrap returns ErrInvalidTransition or ErrLeaseLost.
func (e *TransitionError) Unwrap() error { return e.Err }
