package dialer

import "errors"

var (
	// ErrBadOptions: New was given incomplete options.
	ErrBadOptions = errors.New("dialer: bad options")
	// ErrNotOwner: the campaign is not run by this instance.
	ErrNotOwner = errors.New("dialer: campaign not owned by this instance")
)

var (
	// ErrNotPreview: the campaign does not dial in preview mode.
	ErrNotPreview = errors.New("dialer: campaign not in preview mode")
	// ErrNoLead: no lead may be dialed now (none eligible, or outside
	// calling hours).
	ErrNoLead = errors.New("dialer: no lead to dial now")
)
