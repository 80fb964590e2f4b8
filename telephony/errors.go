package telephony

import "errors"

var (
	// ErrClosed: the driver (or the leg) was closed.
	ErrClosed = errors.New("telephony: closed")
	// ErrNotAnswered: the operation needs an answered call.
	ErrNotAnswered = errors.New("telephony: call not answered")
	// ErrHungUp: the call has already ended.
	ErrHungUp = errors.New("telephony: call hung up")
)
