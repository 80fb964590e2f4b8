package dialer

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/pacing"
)

// loop runs one campaign while this instance owns its lease.
type loop struct {
	e     *Engine
	id    string
	token int64
	log   *slog.Logger

	mu      sync.Mutex // guards cfg, policy, calls, waiters, talks, pending counts
	cfg     campaigns.Config
	policy  pacing.Policy
	calls   map[string]*liveCall
	waiters chan struct{} // closed and replaced to wake calls waiting for an agent
	// pendingLive and pendingAbandoned count live answers connected or
	// abandoned by this loop whose attempts have not ended yet: Redis counts
	// them when the attempt is recorded (after the conversation, or after the
	// abandon message), and pacing must see an abandon the moment it happens.
	pendingLive, pendingAbandoned int
	// talks holds, per agent in wrap-up, the talk time of its last call and
	// when wrap-up began, until the loop sees the wrap-up end.
	talks map[string]talk

	// dialing is closed when the loop stops originating (shutdown, stop,
	// lease lost): calls not answered yet hang up.
	dialing      chan struct{}
	closeDialing sync.Once
	// hard is closed when the drain timeout has passed: every call hangs up.
	hard      chan struct{}
	closeHard sync.Once
	callsWG   sync.WaitGroup
}

// liveCall is what pacing sees of a call in flight.
type liveCall struct {
	stage    pacing.Stage
	since    time.Time
	launched time.Time
}

func newLoop(e *Engine, cfg campaigns.Config, token int64) *loop {
	return &loop{
		e:       e,
		id:      cfg.ID,
		token:   token,
		log:     e.log.With("campaign", cfg.ID),
		cfg:     cfg,
		calls:   map[string]*liveCall{},
		talks:   map[string]talk{},
		waiters: make(chan struct{}),
		dialing: make(chan struct{}),
		hard:    make(chan struct{}),
	}
}

// run is the campaign loop. It returns when ctx is done, the campaign is
// stopped, or the lease is lost, after its calls have settled.
func (l *loop) run(ctx context.Context) {
	defer l.shutdown()
	if err := l.recover(ctx); err != nil {
		l.log.Error("recover in-flight attempts", "err", err)
		return
	}
	pol, err := newPolicy(l.cfg, l.e.opts.Grace)
	if err != nil {
		l.log.Error("pacing policy", "err", err)
		return
	}
	l.mu.Lock()
	l.policy = pol
	l.mu.Unlock()

	tick := l.e.clk.NewTicker(l.e.opts.Tick)
	defer tick.Stop()
	lastRenew := l.e.clk.Now()
	lastReload := lastRenew
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := l.e.clk.Now()
		if now.Sub(lastRenew) >= l.e.opts.Supervise {
			ok, err := l.e.store.RenewLease(ctx, l.id, l.e.opts.InstanceID, l.token, l.e.opts.LeaseTTL)
			if err != nil && ctx.Err() == nil {
				l.e.metrics.errors.WithLabelValues(l.id, "renew_lease").Inc()
				l.log.Warn("renew lease", "err", err)
			}
			if err == nil && !ok {
				l.log.Warn("lease lost: another instance owns the campaign now")
				return
			}
			lastRenew = now
		}
		if now.Sub(lastReload) >= 5*l.e.opts.Supervise {
			l.reload(ctx)
			lastReload = now
		}
		st, err := l.e.store.GetState(ctx, l.id)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			l.e.metrics.errors.WithLabelValues(l.id, "get_state").Inc()
			continue
		}
		switch st {
		case campaigns.StateStopped:
			l.log.Info("campaign stopped")
			return
		case campaigns.StatePaused:
			continue
		}
		l.pace(ctx, now)
	}
}

// reload picks up configuration changes made through the API.
func (l *loop) reload(ctx context.Context) {
	cfg, err := l.e.store.GetCampaign(ctx, l.id)
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if cfg.Mode != l.cfg.Mode || cfg.PowerRatio != l.cfg.PowerRatio || cfg.MaxRatio != l.cfg.MaxRatio || cfg.AbandonTarget != l.cfg.AbandonTarget {
		if pol, err := newPolicy(cfg, l.e.opts.Grace); err == nil {
			l.policy = pol
		}
	}
	l.cfg = cfg
}

// recover takes over what a previous owner left: attempts in flight are
// logged as interrupted and their leads made eligible again; agents held by
// those attempts are released.
func (l *loop) recover(ctx context.Context) error {
	now := l.e.clk.Now()
	rec, err := l.e.store.RecoverInFlight(ctx, l.id, l.token, now)
	if err != nil {
		return err
	}
	if len(rec) > 0 {
		l.log.Info("recovered attempts left in flight", "count", len(rec))
	}
	n, err := l.e.agents.ReleaseOrphans(ctx, l.id, func(string) bool { return false }, now)
	if err != nil {
		return err
	}
	if n > 0 {
		l.log.Info("released orphaned agents", "count", n)
	}
	return nil
}

// pace builds the snapshot, asks the policy and launches calls.
func (l *loop) pace(ctx context.Context, now time.Time) {
	start := l.e.clk.Now()
	list, err := l.e.agents.List(ctx, l.id)
	if err != nil {
		l.e.metrics.errors.WithLabelValues(l.id, "list_agents").Inc()
		return
	}
	live, abandoned, err := l.e.store.AbandonWindow(ctx, l.id, now, l.e.opts.AbandonWindow)
	if err != nil {
		l.e.metrics.errors.WithLabelValues(l.id, "abandon_window").Inc()
		return
	}
	if live > 0 {
		l.e.metrics.abandonRatio.WithLabelValues(l.id).Set(float64(abandoned) / float64(live))
	}
	l.observeHandled(list)
	l.mu.Lock()
	snap := pacing.Snapshot{
		Now:         now,
		Agents:      toPacingAgents(list),
		InFlight:    make([]pacing.Call, 0, len(l.calls)),
		Limits:      limitsOf(l.cfg),
		LiveAnswers: int(live) + l.pendingLive,
		Abandoned:   int(abandoned) + l.pendingAbandoned,
	}
	for _, c := range l.calls {
		snap.InFlight = append(snap.InFlight, pacing.Call{Stage: c.stage, Since: c.since, Launched: c.launched})
	}
	pol := l.policy
	cfg := l.cfg
	l.mu.Unlock()
	d := pol.Decide(snap)
	l.log.Debug("pace", "agents", len(snap.Agents), "in_flight", len(snap.InFlight), "launch", d.Launch, "reason", d.Reason)
	l.e.metrics.decisionSeconds.WithLabelValues(l.id).Observe(l.e.clk.Now().Sub(start).Seconds())
	if d.Launch <= 0 {
		return
	}
	l.e.metrics.launchDecided.WithLabelValues(l.id, d.Reason).Add(float64(d.Launch))
	atts, err := l.e.store.StartAttempts(ctx, l.id, l.token, now, d.Launch)
	if err != nil {
		if errors.Is(err, campaigns.ErrFenced) {
			l.log.Warn("fenced: another instance owns the campaign")
		}
		l.e.metrics.errors.WithLabelValues(l.id, "start_attempts").Inc()
		return
	}
	if len(atts) < d.Launch {
		l.log.Debug("fewer leads than asked", "asked", d.Launch, "got", len(atts))
	}
	for _, at := range atts {
		l.track(at.ID, pacing.StageDialing, now)
		l.callsWG.Go(func() { l.runCall(ctx, cfg, at, nil) })
	}
}

func toPacingAgents(list []agents.Agent) []pacing.Agent {
	out := make([]pacing.Agent, 0, len(list))
	for _, a := range list {
		var st pacing.AgentStatus
		switch a.State {
		case agents.StateReady:
			st = pacing.AgentReady
		case agents.StateReserved:
			st = pacing.AgentReserved
		case agents.StateTalking:
			st = pacing.AgentTalking
		case agents.StateWrapUp:
			st = pacing.AgentWrapUp
		case agents.StatePaused:
			st = pacing.AgentPaused
		default:
			continue
		}
		out = append(out, pacing.Agent{Status: st, Since: a.Since})
	}
	return out
}

func limitsOf(cfg campaigns.Config) pacing.Limits {
	return pacing.Limits{
		AbandonTarget: cfg.AbandonTarget,
		PowerRatio:    cfg.PowerRatio,
		MaxRatio:      cfg.MaxRatio,
	}
}

// newPolicy builds the campaign's pacing policy. Progressive honours the
// campaign's power ratio (calls per ready agent, default 1).
func newPolicy(cfg campaigns.Config, grace time.Duration) (pacing.Policy, error) {
	lim := limitsOf(cfg)
	lim.AbandonGrace = grace
	if cfg.Mode == "progressive" {
		return pacing.Progressive{Ratio: cfg.PowerRatio}, nil
	}
	return pacing.New(string(cfg.Mode), lim)
}

func (l *loop) track(id string, stage pacing.Stage, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.calls[id]
	if c == nil {
		l.calls[id] = &liveCall{stage: stage, since: now, launched: now}
	} else {
		c.stage, c.since = stage, now
	}
	l.updateGaugesLocked()
}

func (l *loop) untrack(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.calls, id)
	l.updateGaugesLocked()
}

var stageNames = map[pacing.Stage]string{
	pacing.StageDialing:      "dialing",
	pacing.StageRinging:      "ringing",
	pacing.StageAMD:          "amd",
	pacing.StageWaitingAgent: "waiting_agent",
}

func (l *loop) updateGaugesLocked() {
	counts := map[pacing.Stage]int{}
	for _, c := range l.calls {
		counts[c.stage]++
	}
	for st, name := range stageNames {
		l.e.metrics.inFlight.WithLabelValues(l.id, name).Set(float64(counts[st]))
	}
}

func (l *loop) stageCounts() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for _, c := range l.calls {
		out[stageNames[c.stage]]++
	}
	return out
}

// wakeWaiters wakes every call waiting for an agent.
func (l *loop) wakeWaiters() {
	l.mu.Lock()
	close(l.waiters)
	l.waiters = make(chan struct{})
	l.mu.Unlock()
}

func (l *loop) waitersChan() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waiters
}

// shutdown stops originating, lets calls settle (hanging up the ones not
// yet answered at once, and the rest after the drain timeout), then
// releases the lease.
func (l *loop) shutdown() {
	l.closeDialing.Do(func() { close(l.dialing) })
	done := make(chan struct{})
	go func() {
		l.callsWG.Wait()
		close(done)
	}()
	t := l.e.clk.NewTimer(l.e.opts.DrainTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		l.log.Warn("drain timeout: hanging up connected calls")
		l.closeHard.Do(func() { close(l.hard) })
		<-done
	}
	// The engine's context may be cancelled already: release with a fresh one.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.e.store.ReleaseLease(ctx, l.id, l.e.opts.InstanceID, l.token); err != nil {
		l.log.Warn("release lease", "err", err)
	}
	l.log.Info("campaign loop ended")
}

type talk struct {
	talk    time.Duration
	wrapped time.Time // wrap-up began
}

// noteTalk remembers a finished call's talk time until its wrap-up ends.
func (l *loop) noteTalk(agentID string, d time.Duration, wrapped time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.talks[agentID] = talk{talk: d, wrapped: wrapped}
}

// observeHandled reports talk and wrap-up of agents whose wrap-up ended
// since the last tick (the disposition comes through the API, not the
// engine, so the loop sees it in the agents' state).
func (l *loop) observeHandled(list []agents.Agent) {
	l.mu.Lock()
	if len(l.talks) == 0 {
		l.mu.Unlock()
		return
	}
	var done []pacing.Observation
	for _, a := range list {
		t, ok := l.talks[a.ID]
		if !ok || a.State == agents.StateWrapUp || a.State == agents.StateTalking {
			continue
		}
		delete(l.talks, a.ID)
		wrap := a.Since.Sub(t.wrapped)
		if wrap < 0 {
			continue
		}
		done = append(done, pacing.Observation{Now: a.Since, Kind: pacing.ObserveHandled, Talk: t.talk, Wrap: wrap})
	}
	pol := l.policy
	l.mu.Unlock()
	if o, ok := pol.(pacing.Observer); ok {
		for _, obs := range done {
			o.Observe(obs)
		}
	}
}

// pending adds (or, with -1, removes) a live answer, and an abandon, that
// Redis does not count yet.
func (l *loop) pending(delta int, abandoned bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pendingLive += delta
	if abandoned {
		l.pendingAbandoned += delta
	}
}
