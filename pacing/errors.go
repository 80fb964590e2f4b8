package pacing

import "errors"

// ErrUnknownMode is returned by New for a mode it does not know.
var ErrUnknownMode = errors.New("pacing: unknown mode")

// ErrInvalidLimits is returned by New when the limits cannot be paced.
var ErrInvalidLimits = errors.New("pacing: invalid limits")
