package simulator

import "errors"

// ErrInvalidScenario is wrapped by every scenario parse or validation
// error; the message names the offending field.
var ErrInvalidScenario = errors.New("invalid scenario")

// ErrUnknownPolicy is returned for a policy name the simulator cannot build.
var ErrUnknownPolicy = errors.New("unknown policy")

// FieldError is an invalid scenario, naming the field (dotted path, with
// list indices: "agents[1].at", "ring_time.sd").
type FieldError struct {
	Field, Msg string
}

func (e *FieldError) Error() string { return "invalid scenario: " + e.Field + ": " + e.Msg }

// Unwrap makes errors.Is(err, ErrInvalidScenario) hold.
func (e *FieldError) Unwrap() error { return ErrInvalidScenario }
