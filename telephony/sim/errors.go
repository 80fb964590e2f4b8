package sim

import "errors"

var (
	// ErrConfig is wrapped by every configuration error New returns; the
	// message names the bad field.
	ErrConfig = errors.New("sim: invalid config")
	// ErrBadRequest: an OriginateRequest without an attempt id or number, or
	// an empty station.
	ErrBadRequest = errors.New("sim: bad request")
	// ErrDuplicateAttempt: a call with the same attempt id is still up.
	ErrDuplicateAttempt = errors.New("sim: attempt id already in a call")
	// ErrStationInUse: the station already has an open agent leg.
	ErrStationInUse = errors.New("sim: station already has a leg")
	// ErrLegBusy: the agent leg is already bridged to another call.
	ErrLegBusy = errors.New("sim: agent leg is bridged to another call")
	// ErrForeignLeg: the agent leg was not opened on this network, or it
	// was closed.
	ErrForeignLeg = errors.New("sim: agent leg not open on this network")
)
