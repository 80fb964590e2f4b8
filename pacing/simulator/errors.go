package simulator

import "errors"

// ErrInvalidScenario is wrapped by every scenario parse or validation
// error; the message names the offending field.
var ErrInvalidScenario = errors.New("invalid scenario")

// ErrUnknownPolicy is returned for a policy name the simulator cannot build.
var ErrUnknownPolicy = errors.New("unknown policy")
