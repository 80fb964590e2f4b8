package sim_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/dialer/dialer/internal/clock"
	"github.com/dialer/dialer/telephony"
	"github.com/dialer/dialer/telephony/sim"
	"github.com/dialer/dialer/telephony/telephonytest"
)

// conformanceNumbers: one number per outcome the network claims.
var conformanceNumbers = map[telephonytest.Outcome]string{
	telephonytest.Human:      "+15550100",
	telephonytest.Machine:    "+15550101",
	telephonytest.Fax:        "+15550102",
	telephonytest.Busy:       "+15550103",
	telephonytest.Invalid:    "+15550104",
	telephonytest.Congestion: "+15550105",
	telephonytest.NoAnswer:   "+15550106",
}

func conformanceConfig() sim.Config {
	c := sim.DefaultConfig()
	c.PostDial = sim.Uniform(300*time.Millisecond, 2*time.Second)
	c.RingTime = sim.Uniform(3*time.Second, 10*time.Second)
	c.Patience = sim.Uniform(10*time.Second, 15*time.Second)
	c.TalkTime = sim.Dist{Kind: sim.DistLognormal, Mean: 60 * time.Second, SD: 30 * time.Second, Max: 5 * time.Minute}
	c.Fixed = map[string]sim.Outcome{}
	for o, num := range conformanceNumbers {
		c.Fixed[num] = sim.Outcome(o)
	}
	return c
}

func TestConformance(t *testing.T) {
	telephonytest.Run(t, telephonytest.Harness{
		New: func(t *testing.T) telephony.Driver {
			n, err := sim.New(conformanceConfig(), clock.Real)
			if err != nil {
				t.Fatal(err)
			}
			return n
		},
		Numbers:     conformanceNumbers,
		Station:     "SIP/agent-1",
		Sound:       "abandon-message",
		Audio:       true,
		RingTimeout: 25 * time.Second,
		Wait:        10 * time.Minute,
		Concurrency: 200,
		Wrap:        func(t *testing.T, f func(*testing.T)) { synctest.Test(t, f) },
	})
}
