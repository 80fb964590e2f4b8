package campaigns

import "errors"

// Sentinel errors. Functions wrap them with context; branch with errors.Is.
var (
	// ErrNotFound: the campaign, lead or attempt does not exist.
	ErrNotFound = errors.New("campaigns: not found")
	// ErrFenced: the fencing token given is not the campaign's current one;
	// another instance owns the campaign now and the caller must stop.
	ErrFenced = errors.New("campaigns: fenced: stale lease token")
	// ErrNotInFlight: the attempt is not in flight (already finished or
	// recovered by a new owner). Callers finishing an attempt ignore it.
	ErrNotInFlight = errors.New("campaigns: attempt not in flight")
	// ErrInvalid: invalid input (a campaign config, a state, an argument).
	// A *ValidationError matches it.
	ErrInvalid = errors.New("campaigns: invalid")
	// ErrBadCSV: the CSV as a whole cannot be imported (no header, no
	// phone column, unreadable); nothing was changed.
	ErrBadCSV = errors.New("campaigns: bad CSV")
)
