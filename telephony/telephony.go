// Package telephony is the port to the phone network, like database/sql/driver:
// a small contract (originate, call events with normalised causes, audio frames
// for AMD, connect to an agent leg, play, hang up) that every driver implements
// and that one shared conformance suite (telephonytest.Run) checks.
//
// Drivers: sim (a statistical phone network for the demo, the simulator and
// load tests); ari (Asterisk) and sip come later.
//
// Concurrency: a Driver and its Calls are safe for use by many goroutines.
package telephony

import (
	"context"
	"time"
)

// SampleRate of Frame audio, in Hz.
const SampleRate = 8000

// FrameSamples is the number of samples in one 20 ms frame at 8 kHz.
const FrameSamples = 160

// Frame is 20 ms of 8 kHz signed 16-bit linear PCM (FrameSamples samples).
type Frame []int16

// OriginateRequest asks the network for one outbound call.
type OriginateRequest struct {
	// AttemptID is the id the engine gave the attempt before originating;
	// Call.ID returns it.
	AttemptID string
	// Number is the E.164 number to call.
	Number string
	// CallerID is the number presented to the called party.
	CallerID string
	// DialString is the trunk or endpoint template (driver specific); may be empty.
	DialString string
	// Timeout is how long to let it ring before giving up with CauseNoAnswer.
	Timeout time.Duration
	// Audio asks the driver to deliver the answered call's audio on Call.Audio.
	Audio bool
}

// Driver is one connection to a phone network.
type Driver interface {
	// Originate starts an outbound call. It returns once the network accepted
	// the request; progress arrives as Events on the Call. An error means no
	// call exists (nothing to hang up); ctx bounds only the request itself.
	Originate(ctx context.Context, req OriginateRequest) (Call, error)
	// OpenAgentLeg connects an agent's station (nailed up) and keeps it until
	// the leg is closed. Errors: ErrClosed, or a driver error wrapping the
	// network's reason.
	OpenAgentLeg(ctx context.Context, station string) (AgentLeg, error)
	// Close ends every call and leg of the driver. Calling it twice is safe.
	Close() error
}

// AgentLeg is an agent's persistent connection to the switch.
type AgentLeg interface {
	Station() string
	// Close hangs up the leg. Calling it twice is safe.
	Close() error
}

// Call is one outbound call.
//
// Events come in this order: at most one EventRinging, at most one
// EventAnswered, then exactly one EventHangup, after which the channel is
// closed. Audio delivers frames from answer until hang-up (only when the
// request asked for audio; otherwise it is a nil channel) and is closed at
// hang-up.
type Call interface {
	// ID is the attempt id given in the OriginateRequest.
	ID() string
	Events() <-chan Event
	Audio() <-chan Frame
	// Connect bridges the answered call to an agent's leg. Errors:
	// ErrNotAnswered, ErrHungUp, ErrClosed.
	Connect(ctx context.Context, leg AgentLeg) error
	// Play plays a sound (driver specific name) to the answered call and
	// returns when it has finished. Errors: ErrNotAnswered, ErrHungUp.
	Play(ctx context.Context, sound string) error
	// Hangup ends the call at any stage; an EventHangup with the given cause
	// follows unless the call had already ended. Hanging up an ended call
	// returns nil.
	Hangup(ctx context.Context, cause Cause) error
}

// EventKind is what happened to a call.
type EventKind int

const (
	EventRinging EventKind = iota + 1
	EventAnswered
	EventHangup
)

func (k EventKind) String() string {
	switch k {
	case EventRinging:
		return "ringing"
	case EventAnswered:
		return "answered"
	case EventHangup:
		return "hangup"
	}
	return "unknown"
}

// Event is one step of a call's progress.
type Event struct {
	Kind EventKind
	At   time.Time
	// Cause is set on EventHangup.
	Cause Cause
	// By tells, on EventHangup, who ended the call.
	By Party
}

// Party is a side of a call.
type Party int

const (
	PartyNetwork Party = iota // the network or the called party
	PartyUs                   // we hung up (Hangup was called)
)
