package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dialer/dialer/internal/clock"
	"github.com/dialer/dialer/telephony"
)

// DefaultRingTimeout is the ring timeout of a request whose Timeout is 0.
const DefaultRingTimeout = 30 * time.Second

// TruthKept is how many attempts' truths Network.Truth remembers.
const TruthKept = 1 << 20

// DefaultSoundLength is how long Play takes when WithSoundLength is not given.
const DefaultSoundLength = 3 * time.Second

// Option configures a Network.
type Option func(*Network)

// WithAudio sets where answered calls' audio comes from (default:
// NewSynthetic()).
func WithAudio(src AudioSource) Option { return func(n *Network) { n.audio = src } }

// WithLogger sets the logger (nil discards). Numbers are masked.
func WithLogger(l *slog.Logger) Option { return func(n *Network) { n.log = l } }

// WithSoundLength sets how long Play takes for each sound name (default
// DefaultSoundLength for every sound).
func WithSoundLength(f func(sound string) time.Duration) Option {
	return func(n *Network) { n.soundLen = f }
}

// Network is a simulated phone network: a telephony.Driver whose calls play
// out outcomes drawn from a Config, in the time of a clock.Clock.
type Network struct {
	cfg      Config
	clk      clock.Clock
	log      *slog.Logger
	audio    AudioSource
	soundLen func(string) time.Duration
	closing  chan struct{} // closed by Close
	wg       sync.WaitGroup

	mu       sync.Mutex // guards everything below
	closed   bool
	rng      *rand.Rand // call plans
	wrapRng  *rand.Rand // WrapTime
	active   map[string]*call
	stations map[string]*agentLeg
	truth    map[string]Outcome
	order    []string // attempt ids in truth, oldest first (a ring of TruthKept)
	next     int      // next slot of order to overwrite
	keep     int      // TruthKept; tests lower it
	stats    Stats
}

var _ telephony.Driver = (*Network)(nil)

// New validates cfg and returns a network using clk for every timer. The
// error wraps ErrConfig and names the bad fields.
func New(cfg Config, clk clock.Clock, opts ...Option) (*Network, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if clk == nil {
		clk = clock.Real
	}
	if cfg.MachineSilence == 0 {
		cfg.MachineSilence = 30 * time.Second
	}
	if cfg.FaxHold == 0 {
		cfg.FaxHold = 40 * time.Second
	}
	seed := uint64(cfg.Seed)
	n := &Network{
		cfg:      cfg,
		clk:      clk,
		closing:  make(chan struct{}),
		rng:      rand.New(rand.NewPCG(seed, 0x5eed_ca11)),
		wrapRng:  rand.New(rand.NewPCG(seed, 0x5eed_0a7a)),
		active:   map[string]*call{},
		stations: map[string]*agentLeg{},
		truth:    map[string]Outcome{},
		keep:     TruthKept,
		stats:    Stats{Outcomes: map[Outcome]int{}},
	}
	for _, o := range opts {
		o(n)
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.audio == nil {
		n.audio = NewSynthetic()
	}
	if n.soundLen == nil {
		n.soundLen = func(string) time.Duration { return DefaultSoundLength }
	}
	return n, nil
}

// Stats counts what the network did since New.
type Stats struct {
	Originated int
	// Outcomes counts originated calls by their truth (see Truth).
	Outcomes map[Outcome]int
	// Answered, Connected and Plays count calls answered, calls connected
	// to an agent leg, and Play calls that started.
	Answered, Connected, Plays int
	// Ended counts ended calls; ByUs those we hung up (Hangup, Close or an
	// agent leg closing); Causes counts ended calls by cause.
	Ended, ByUs int
	Causes      map[telephony.Cause]int
	// Active calls and open agent legs now.
	Active, Legs int
	// AudioFrames sent and AudioDropped because the reader was behind.
	AudioFrames, AudioDropped int
}

// Stats returns a copy of the counters.
func (n *Network) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.stats
	s.Outcomes = make(map[Outcome]int, len(n.stats.Outcomes))
	for k, v := range n.stats.Outcomes {
		s.Outcomes[k] = v
	}
	s.Causes = make(map[telephony.Cause]int, len(n.stats.Causes))
	for k, v := range n.stats.Causes {
		s.Causes[k] = v
	}
	s.Active = len(n.active)
	s.Legs = len(n.stations)
	return s
}

// Truth tells what the call of an attempt really was (known from the moment
// it was originated): human, machine, fax, busy, invalid, congestion, or
// no_answer (which includes answering numbers whose ring time reached the
// request's timeout). The network remembers the last TruthKept attempts.
func (n *Network) Truth(attemptID string) (Outcome, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	o, ok := n.truth[attemptID]
	return o, ok
}

// WrapTime draws one simulated agent's wrap-up time from Config.WrapTime.
// Safe for concurrent use; it does not disturb call outcomes.
func (n *Network) WrapTime() time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cfg.WrapTime.Sample(n.wrapRng)
}

// Config returns the network's config (with defaults filled in).
func (n *Network) Config() Config { return n.cfg }

// plan is everything a call will do, drawn when it is originated.
type plan struct {
	truth     Outcome
	intercept bool // invalid answered by an intercept (audio requested)
	timeout   time.Duration
	postDial  time.Duration
	answerAt  time.Duration // from originate
	patience  time.Duration
	greeting  time.Duration
	talk      time.Duration
}

// drawLocked draws a call's plan and its own random source. n.mu is held.
func (n *Network) drawLocked(req telephony.OriginateRequest) (plan, *rand.Rand) {
	c := &n.cfg
	r := n.rng
	// Draw everything in a fixed order so one call's outcome does not
	// shift the next call's draws.
	u, u2 := r.Float64(), r.Float64()
	p := plan{
		timeout:  req.Timeout,
		postDial: c.PostDial.Sample(r),
		answerAt: c.RingTime.Sample(r),
		patience: c.Patience.Sample(r),
		greeting: c.Greeting.Sample(r),
		talk:     c.TalkTime.Sample(r),
	}
	own := rand.New(rand.NewPCG(r.Uint64(), r.Uint64()))
	if p.timeout <= 0 {
		p.timeout = DefaultRingTimeout
	}
	if o, ok := c.Fixed[req.Number]; ok {
		p.truth = o
	} else {
		p.truth = NoAnswer
		acc := 0.0
		for _, k := range []struct {
			o Outcome
			p float64
		}{{Human, c.Human}, {Machine, c.Machine}, {Busy, c.Busy}, {Invalid, c.Invalid}, {Fax, c.Fax}, {Congestion, c.Congestion}} {
			acc += k.p
			if u < acc {
				p.truth = k.o
				break
			}
		}
	}
	if p.answerAt < p.postDial {
		p.answerAt = p.postDial
	}
	if p.truth.answers() && p.answerAt >= p.timeout {
		p.truth = NoAnswer
	}
	p.intercept = p.truth == Invalid && req.Audio && u2 < c.InvalidIntercept
	return p, own
}

// Originate starts a call. Errors: ctx's error, ErrBadRequest,
// ErrDuplicateAttempt, telephony.ErrClosed. A request Timeout of 0 means
// DefaultRingTimeout.
func (n *Network) Originate(ctx context.Context, req telephony.OriginateRequest) (telephony.Call, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if req.AttemptID == "" || req.Number == "" {
		return nil, fmt.Errorf("%w: attempt id and number are required", ErrBadRequest)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, telephony.ErrClosed
	}
	if _, dup := n.active[req.AttemptID]; dup {
		return nil, fmt.Errorf("%w: %s", ErrDuplicateAttempt, req.AttemptID)
	}
	p, r := n.drawLocked(req)
	c := &call{
		n:      n,
		req:    req,
		plan:   p,
		rng:    r,
		start:  n.clk.Now(),
		events: make(chan telephony.Event, maxEvents),
		ctl:    make(chan ctlMsg),
		done:   make(chan struct{}),
	}
	if req.Audio {
		c.audio = make(chan telephony.Frame, AudioBuffer)
	}
	n.active[req.AttemptID] = c
	n.rememberLocked(req.AttemptID, p.truth)
	n.stats.Originated++
	n.stats.Outcomes[p.truth]++
	n.wg.Go(c.run)
	n.log.Debug("sim: originate", "attempt", req.AttemptID, "number", maskNumber(req.Number), "truth", string(p.truth))
	return c, nil
}

// rememberLocked records an attempt's truth, forgetting the oldest beyond
// TruthKept. n.mu is held.
func (n *Network) rememberLocked(id string, o Outcome) {
	if _, ok := n.truth[id]; !ok {
		if len(n.order) < n.keep {
			n.order = append(n.order, id)
		} else {
			delete(n.truth, n.order[n.next])
			n.order[n.next] = id
			n.next = (n.next + 1) % n.keep
		}
	}
	n.truth[id] = o
}

// OpenAgentLeg opens a nailed-up leg to station. Errors: ctx's error,
// ErrBadRequest (empty station), ErrStationInUse, telephony.ErrClosed.
func (n *Network) OpenAgentLeg(ctx context.Context, station string) (telephony.AgentLeg, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if station == "" {
		return nil, fmt.Errorf("%w: empty station", ErrBadRequest)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, telephony.ErrClosed
	}
	if _, ok := n.stations[station]; ok {
		return nil, fmt.Errorf("%w: %s", ErrStationInUse, station)
	}
	l := &agentLeg{n: n, station: station}
	n.stations[station] = l
	return l, nil
}

// Close ends every call (EventHangup by PartyUs: CauseCanceled before answer,
// CauseNormal after) and every agent leg, and waits for the calls'
// goroutines. Originate and OpenAgentLeg then return telephony.ErrClosed.
// Calling it again is safe and returns nil.
func (n *Network) Close() error {
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		close(n.closing)
	}
	n.mu.Unlock()
	n.wg.Wait()
	n.mu.Lock()
	legs := n.stations
	n.stations = map[string]*agentLeg{}
	n.mu.Unlock()
	for _, l := range legs {
		l.mu.Lock()
		l.closed = true
		l.mu.Unlock()
	}
	return nil
}

// isClosed reports whether Close was called.
func (n *Network) isClosed() bool {
	select {
	case <-n.closing:
		return true
	default:
		return false
	}
}

// agentLeg is a nailed-up agent leg.
type agentLeg struct {
	n       *Network
	station string

	mu     sync.Mutex // guards closed and call
	closed bool
	call   *call // bridged call, nil when idle
}

var _ telephony.AgentLeg = (*agentLeg)(nil)

func (l *agentLeg) Station() string { return l.station }

// Close closes the leg; a call bridged to it ends (CauseNormal, PartyUs: the
// agent is on our side). Calling it twice is safe.
func (l *agentLeg) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	c := l.call
	l.mu.Unlock()
	l.n.mu.Lock()
	if l.n.stations[l.station] == l {
		delete(l.n.stations, l.station)
	}
	l.n.mu.Unlock()
	if c != nil {
		select {
		case c.ctl <- ctlMsg{op: opLegClosed, leg: l}:
		case <-c.done:
		}
	}
	return nil
}
