package dialer

import "errors"

var (
	// ErrBadOptions: New was given incomplete options.
	ErrBadOptions = errors.New("dialer: bad options")
	// ErrNotOwner: the campaign is not run by this instance.
	ErrNotOwner = errors.New("dialer: campaign not owned by this instance")
)
