// Package clock is the one place where engine, agents and telephony code get
// the time. Production uses Real; tests run the same code inside a
// testing/synctest bubble, where Real's time is the bubble's fake time, or pass
// their own Clock.
package clock

import "time"

// Clock tells the time and makes timers.
type Clock interface {
	Now() time.Time
	// NewTimer is time.NewTimer.
	NewTimer(d time.Duration) *time.Timer
	// NewTicker is time.NewTicker.
	NewTicker(d time.Duration) *time.Ticker
}

// Real is the system clock.
var Real Clock = realClock{}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) NewTimer(d time.Duration) *time.Timer   { return time.NewTimer(d) }
func (realClock) NewTicker(d time.Duration) *time.Ticker { return time.NewTicker(d) }
