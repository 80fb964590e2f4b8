package pacing

import (
	"math"
	"sync"
	"time"
)

// VICIdialOptions are the adaptive settings of the VICIdial baseline.
// Zero fields take the defaults.
type VICIdialOptions struct {
	// Intensity scales each adjustment (VICIdial's adaptive intensity);
	// default 1.
	Intensity float64
	// TargetDiff is the target differential, ready agents minus calls
	// waiting (default 0).
	TargetDiff float64
	// MaxLevel caps the dial level (default 3.0).
	MaxLevel float64
	// DropLimit is the day's drop-rate limit (default Limits.AbandonTarget).
	DropLimit float64
	// Tapered selects ADAPT_TAPERED (the limit is relaxed early in the
	// shift and the level tapered when over it); otherwise ADAPT_HARD_LIMIT
	// (the level resets to 1.0 when over the limit).
	Tapered bool
	// Shift is the shift length for ADAPT_TAPERED (default 8 h).
	Shift time.Duration
}

// VICIdial is VICIdial's adaptive dial level as its documentation describes
// it: every second it samples ready agents and calls waiting for an agent;
// every 15 s it multiplies the dial level by 1 + Intensity × (average
// differential − TargetDiff) / average agents, clamped to [1, MaxLevel];
// it keeps round(level × (ready + in-call agents)) calls ringing or live
// (live includes calls talking to an agent, so level 1.0 is progressive).
// When the day's drop rate is over the limit the level resets to 1.0
// (ADAPT_HARD_LIMIT) or is tapered (ADAPT_TAPERED). In-call agents are
// those talking or reserved; agents in wrap-up (dispositioning) count as
// neither.
//
// VICIdial is safe for concurrent use.
type VICIdial struct {
	limits Limits
	opts   VICIdialOptions

	mu         sync.Mutex // guards the fields below
	level      float64
	start      time.Time
	lastSample time.Time
	lastAdapt  time.Time
	diffs      [15]float64
	agents     [15]float64
	nsamp      int
}

// NewVICIdial returns the baseline with the given settings.
func NewVICIdial(limits Limits, opts VICIdialOptions) *VICIdial {
	if opts.Intensity == 0 {
		opts.Intensity = 1
	}
	if opts.MaxLevel == 0 {
		opts.MaxLevel = 3
	}
	if opts.DropLimit == 0 {
		opts.DropLimit = limits.target()
	}
	if opts.Shift == 0 {
		opts.Shift = 8 * time.Hour
	}
	return &VICIdial{limits: limits, opts: opts, level: 1}
}

var _ Policy = (*VICIdial)(nil)

// Level is the current dial level.
func (v *VICIdial) Level() float64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.level
}

// Decide implements Policy.
func (v *VICIdial) Decide(s Snapshot) Decision {
	v.mu.Lock()
	defer v.mu.Unlock()
	ready, talking, _, reserved, working := countAgents(&s)
	waiting := 0
	for i := range s.InFlight {
		if s.InFlight[i].Stage == StageWaitingAgent {
			waiting++
		}
	}
	if v.start.IsZero() {
		v.start, v.lastSample, v.lastAdapt = s.Now, s.Now.Add(-time.Second), s.Now
	}
	for k := 0; s.Now.Sub(v.lastSample) >= time.Second; k++ {
		v.lastSample = v.lastSample.Add(time.Second)
		if k < 15 { // a long gap: sample the present at most 15 times
			i := v.nsamp % 15
			v.diffs[i] = float64(ready - waiting)
			v.agents[i] = float64(working)
			v.nsamp++
		}
	}
	if s.Now.Sub(v.lastAdapt) >= 15*time.Second && v.nsamp > 0 {
		v.lastAdapt = s.Now
		n := min(v.nsamp, 15)
		var d, a float64
		for i := range n {
			d += v.diffs[i]
			a += v.agents[i]
		}
		d /= float64(n)
		a /= float64(n)
		gap := (d - v.opts.TargetDiff) / math.Max(a, 1)
		v.level *= 1 + v.opts.Intensity*gap
		v.level = min(max(v.level, 1), v.opts.MaxLevel)
		if s.LiveAnswers > 0 {
			drop := float64(s.Abandoned) / float64(s.LiveAnswers)
			limit := v.opts.DropLimit
			if v.opts.Tapered {
				// Relaxed up to twice the limit at the start of the shift,
				// back to the limit at half shift.
				f := s.Now.Sub(v.start).Seconds() / (v.opts.Shift.Seconds() / 2)
				limit *= 1 + math.Max(0, 1-f)
			}
			if drop > limit {
				if v.opts.Tapered {
					v.level = 1 + (v.level-1)*(limit/drop)
				} else {
					v.level = 1
				}
			}
		}
	}
	// Calls ringing or live: those in flight and those talking to an agent.
	want := int(math.Round(v.level * float64(ready+talking+reserved)))
	n := want - len(s.InFlight) - talking - reserved
	if n <= 0 {
		return Decision{Reason: "full"}
	}
	return Decision{Launch: n, Reason: "dial_level"}
}
