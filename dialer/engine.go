package dialer

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/internal/clock"
	"github.com/dialer/dialer/telephony"
)

// Options configure an Engine. Store, Agents and Driver are required.
type Options struct {
	Store  *campaigns.Store
	Agents *agents.Registry
	Driver telephony.Driver

	// Clock defaults to clock.Real.
	Clock clock.Clock
	// Logger; nil discards.
	Logger *slog.Logger
	// Registerer for the engine's metrics; nil registers nothing.
	Registerer prometheus.Registerer
	// InstanceID names this engine in campaign leases; it must differ
	// between instances sharing one Redis.
	InstanceID string

	// Tick is how often each campaign loop paces (default 250 ms).
	Tick time.Duration
	// Supervise is how often the engine looks for campaigns to own (default 1 s).
	Supervise time.Duration
	// LeaseTTL is the campaign lease's time to live (default 10 s); the owner
	// renews it every Supervise.
	LeaseTTL time.Duration
	// Grace is how long a live answer may wait for an agent before it is
	// abandoned (default 2 s, the US/UK rule).
	Grace time.Duration
	// ReserveLease bounds an agent reservation (default 10 s).
	ReserveLease time.Duration
	// DrainTimeout is how long shutdown lets connected calls finish before
	// hanging them up (default 30 s).
	DrainTimeout time.Duration
	// AbandonWindow is the rolling window of the abandon ceiling that pacing
	// controls (default 1 h; the legal window is longer, and the campaign
	// counters keep it).
	AbandonWindow time.Duration
	// AMD builds a detector per answered call for campaigns with AMD on
	// (default DefaultAMD, the amd package).
	AMD AMDFactory
	// OnAgentFree, if set, is called when the engine makes an agent wrap up
	// (used by simulated agents).
	OnWrapUp func(campaign, agentID string)
}

// Engine runs the campaigns of one store on one telephony driver.
type Engine struct {
	opts    Options
	store   *campaigns.Store
	agents  *agents.Registry
	driver  telephony.Driver
	clk     clock.Clock
	log     *slog.Logger
	metrics *metrics

	mu    sync.Mutex                    // guards loops and legs
	loops map[string]*loop              // campaigns this instance owns
	legs  map[string]telephony.AgentLeg // agents' nailed-up legs, by station
}

// New checks the options and returns an Engine; Run starts it.
func New(o Options) (*Engine, error) {
	if o.Store == nil || o.Agents == nil || o.Driver == nil {
		return nil, fmt.Errorf("%w: Store, Agents and Driver are required", ErrBadOptions)
	}
	if o.InstanceID == "" {
		return nil, fmt.Errorf("%w: InstanceID is required", ErrBadOptions)
	}
	if o.Clock == nil {
		o.Clock = clock.Real
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Tick, 250*time.Millisecond)
	def(&o.Supervise, time.Second)
	def(&o.LeaseTTL, 10*time.Second)
	def(&o.Grace, 2*time.Second)
	def(&o.ReserveLease, 10*time.Second)
	def(&o.DrainTimeout, 30*time.Second)
	def(&o.AbandonWindow, time.Hour)
	if o.AMD == nil {
		o.AMD = DefaultAMD
	}
	return &Engine{
		opts:    o,
		store:   o.Store,
		agents:  o.Agents,
		driver:  o.Driver,
		clk:     o.Clock,
		log:     o.Logger,
		metrics: newMetrics(o.Registerer),
		loops:   map[string]*loop{},
		legs:    map[string]telephony.AgentLeg{},
	}, nil
}

// Run supervises campaigns until ctx is done, then shuts every loop down in
// order (see the package doc) and returns. It returns nil on a clean stop.
func (e *Engine) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := e.clk.NewTicker(e.opts.Supervise)
	defer t.Stop()
	e.supervise(ctx, &wg)
	for {
		select {
		case <-ctx.Done():
			e.log.Info("engine stopping: draining campaign loops")
			return nil
		case <-t.C:
			e.supervise(ctx, &wg)
		}
	}
}

// supervise starts a loop for every running campaign whose lease this
// instance can take.
func (e *Engine) supervise(ctx context.Context, wg *sync.WaitGroup) {
	list, err := e.store.ListCampaigns(ctx)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("list campaigns", "err", err)
			e.metrics.errors.WithLabelValues("", "list_campaigns").Inc()
		}
		return
	}
	for _, cfg := range list {
		e.mu.Lock()
		_, running := e.loops[cfg.ID]
		e.mu.Unlock()
		if running {
			continue
		}
		st, err := e.store.GetState(ctx, cfg.ID)
		if err != nil || st != campaigns.StateRunning {
			continue
		}
		token, ok, err := e.store.AcquireLease(ctx, cfg.ID, e.opts.InstanceID, e.opts.LeaseTTL)
		if err != nil {
			e.log.Warn("acquire lease", "campaign", cfg.ID, "err", err)
			e.metrics.errors.WithLabelValues(cfg.ID, "acquire_lease").Inc()
			continue
		}
		if !ok {
			continue // another instance owns it; stand by
		}
		l := newLoop(e, cfg, token)
		e.mu.Lock()
		e.loops[cfg.ID] = l
		e.mu.Unlock()
		e.metrics.owned.WithLabelValues(cfg.ID).Set(1)
		e.log.Info("campaign owned", "campaign", cfg.ID, "token", token)
		wg.Go(func() {
			defer func() {
				e.mu.Lock()
				delete(e.loops, cfg.ID)
				e.mu.Unlock()
				e.metrics.owned.WithLabelValues(cfg.ID).Set(0)
			}()
			l.run(ctx)
		})
	}
}

// Owned lists the campaigns this instance runs now.
func (e *Engine) Owned() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.loops))
	for id := range e.loops {
		out = append(out, id)
	}
	return out
}

// Live reports the calls this instance has in flight for a campaign, by
// pacing stage name, for the API. ok is false when it does not own it.
func (e *Engine) Live(campaign string) (map[string]int, bool) {
	e.mu.Lock()
	l := e.loops[campaign]
	e.mu.Unlock()
	if l == nil {
		return nil, false
	}
	return l.stageCounts(), true
}

// Wake tells the campaign's loop that an agent may have become free (an
// agent went ready through the API), so calls waiting for an agent look
// again at once instead of at their next poll.
func (e *Engine) Wake(campaign string) {
	e.mu.Lock()
	l := e.loops[campaign]
	e.mu.Unlock()
	if l != nil {
		l.wakeWaiters()
	}
}

// legFor returns the agent's nailed-up leg, opening it on first use. Legs
// stay open for the agent's session; CloseLegs ends them.
func (e *Engine) legFor(ctx context.Context, a agents.Agent) (telephony.AgentLeg, error) {
	station := a.Station
	if station == "" {
		station = "agent/" + a.ID
	}
	e.mu.Lock()
	leg := e.legs[station]
	e.mu.Unlock()
	if leg != nil {
		return leg, nil
	}
	leg, err := e.driver.OpenAgentLeg(ctx, station)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if old := e.legs[station]; old != nil {
		leg.Close()
		return old, nil
	}
	e.legs[station] = leg
	return leg, nil
}

// CloseLeg hangs up an agent's nailed-up leg (the agent logged out).
func (e *Engine) CloseLeg(station string) {
	e.mu.Lock()
	leg := e.legs[station]
	delete(e.legs, station)
	e.mu.Unlock()
	if leg != nil {
		leg.Close()
	}
}
