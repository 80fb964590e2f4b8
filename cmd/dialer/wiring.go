package main

import (
	"log/slog"

	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/dialer"
	"github.com/dialer/dialer/telephony/sim"
)

// demoMode is the demo campaign's dial mode.
const demoMode = campaigns.Mode("progressive")

// amdFactory builds answering-machine detectors for the engine.
func amdFactory() dialer.AMDFactory { return nil }

// simAudioOptions feeds the simulated network's answered calls with audio:
// recordings from an AMD corpus directory when given, else synthetic audio.
func simAudioOptions(corpus string, log *slog.Logger) ([]sim.Option, error) {
	return nil, nil
}
