package dialer

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/pacing"
	"github.com/dialer/dialer/telephony"
)

// AMDFactory makes an answering-machine detector for one answered call of a
// campaign.
type AMDFactory func(cfg campaigns.Config) (AMDDetector, error)

// AMDDetector classifies a call's audio as it streams in.
type AMDDetector interface {
	// Write takes one 20 ms frame and returns a verdict when one is reached.
	Write(frame []int16) (AMDVerdict, bool)
}

// AMDVerdict is an AMD decision.
type AMDVerdict struct {
	// Result: human, machine, fax, sit, silence, unknown.
	Result string
	// At is the audio time of the decision, from the answer.
	At time.Duration
}

// call is one attempt's lifecycle.
type call struct {
	l   *loop
	cfg campaigns.Config
	at  campaigns.Attempt
	rec campaigns.AttemptRecord
	tc  telephony.Call
	// hungUp is set once the network's hang-up event was seen.
	hungUp bool
	// liveAt is when the call became a live answer waiting for an agent.
	liveAt time.Time
	// preset is the agent reserved before dialing (preview), or nil.
	preset *agents.Agent
	// observed is set once the outcome was reported to the policy.
	observed bool
	// counted is set when the loop counts this live answer as pending
	// (connected or abandoned before the attempt is recorded).
	counted, countedAbandon bool
}

// count tells pacing at once about a live answer connected or abandoned.
func (c *call) count(abandoned bool) {
	if c.counted {
		return
	}
	c.counted, c.countedAbandon = true, abandoned
	c.l.pending(1, abandoned)
	c.observeConnect(c.l.e.clk.Now(), abandoned)
}

// runCall drives one attempt from originate to its record in the attempt
// log. preset is the agent already reserved for it (preview), or nil.
func (l *loop) runCall(parent context.Context, cfg campaigns.Config, at campaigns.Attempt, preset *agents.Agent) {
	// Redis and telephony operations of a call outlive the engine's context:
	// shutdown is signalled through l.dialing and l.hard instead, so that a
	// call in progress is still recorded.
	ctx := context.WithoutCancel(parent)
	c := &call{l: l, cfg: cfg, at: at, preset: preset}
	c.rec = campaigns.AttemptRecord{
		AttemptID: at.ID,
		LeadID:    at.Lead.ID,
		Number:    at.Number,
		Seq:       at.Seq,
		StartedAt: at.StartedAt,
	}
	defer l.untrack(at.ID)
	c.rec.Outcome = c.lifecycle(ctx)
	if preset != nil && c.rec.ConnectedAt.IsZero() {
		// The call never reached the agent who asked for it: free the agent.
		if _, err := l.e.agents.Release(ctx, preset.ID, at.ID, l.e.clk.Now()); err != nil {
			l.log.Warn("release preview agent", "agent", preset.ID, "err", err)
		}
		l.wakeWaiters()
	}
	c.rec.EndedAt = l.e.clk.Now()
	if c.rec.Outcome == campaigns.OutcomeAbandoned {
		c.rec.Abandoned = true
	}
	l.e.metrics.outcomes.WithLabelValues(l.id, string(c.rec.Outcome)).Inc()
	l.finish(c.rec)
	if c.counted {
		l.pending(-1, c.countedAbandon)
	}
	c.observeEnd()
}

// finish records the ended attempt (see retry): what still fails is
// recovered by the campaign's next owner (RecoverInFlight).
func (l *loop) finish(rec campaigns.AttemptRecord) {
	l.retry("finish_attempt", rec.AttemptID, func() error {
		err := l.e.store.FinishAttempt(context.Background(), l.id, rec)
		if errors.Is(err, campaigns.ErrNotInFlight) {
			return nil
		}
		return err
	}, func(err error) bool { return errors.Is(err, campaigns.ErrInvalid) || errors.Is(err, redis.ErrClosed) })
}

// retry runs a Redis write that must not be lost to a Redis restart (an
// attempt's record, an agent leaving a call), with backoff for up to
// finishRetry. final tells errors that retrying cannot fix (including a
// closed Redis client: the instance is going away).
func (l *loop) retry(op, attempt string, f func() error, final func(error) bool) {
	wait := 50 * time.Millisecond
	deadline := l.e.clk.Now().Add(finishRetry)
	for {
		err := f()
		if err == nil {
			return
		}
		l.e.metrics.errors.WithLabelValues(l.id, op).Inc()
		if final(err) || l.e.clk.Now().After(deadline) {
			l.log.Error(op+": giving up", "attempt", attempt, "err", err)
			return
		}
		l.log.Warn(op+": retrying", "attempt", attempt, "err", err, "in", wait)
		t := l.e.clk.NewTimer(wait)
		<-t.C
		wait = min(2*wait, 2*time.Second)
	}
}

// finishRetry bounds how long a call's record waits for Redis.
const finishRetry = 30 * time.Second

// The policy learns from each call at the moments the simulator reports
// them: the outcome as soon as it is known (a hang-up before answer, the
// AMD verdict, or the answer of a live person), then, for a live answer,
// its connection or abandon. Talk and wrap-up are reported by the loop when
// the agent's wrap-up ends (observeHandled).
func (c *call) observer() pacing.Observer {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	o, _ := c.l.policy.(pacing.Observer)
	return o
}

// observeResult reports the call's outcome once, at now.
func (c *call) observeResult(now time.Time, out pacing.Outcome) {
	if c.observed {
		return
	}
	c.observed = true
	o := c.observer()
	if o == nil {
		return
	}
	r := c.rec
	obs := pacing.Observation{Now: now, Kind: pacing.ObserveResult, Outcome: out, Launched: r.StartedAt}
	if !r.AnsweredAt.IsZero() {
		obs.Ring = r.AnsweredAt.Sub(r.StartedAt)
		obs.AMD = time.Duration(r.AMDMillis) * time.Millisecond
	} else {
		obs.Ring = now.Sub(r.StartedAt)
	}
	o.Observe(obs)
}

// observeConnect reports a live answer's connection or abandon.
func (c *call) observeConnect(now time.Time, abandoned bool) {
	o := c.observer()
	if o == nil {
		return
	}
	o.Observe(pacing.Observation{Now: now, Kind: pacing.ObserveConnect, Outcome: pacing.OutcomeHuman,
		Launched: c.rec.StartedAt, Abandoned: abandoned, Wait: now.Sub(c.liveAt)})
}

// observeEnd reports the outcome of a call that ended without being
// reported yet (a hang-up before answer, a machine, fax, SIT...).
func (c *call) observeEnd() {
	if out, ok := pacingOutcome(c.rec); ok {
		c.observeResult(c.rec.EndedAt, out)
	}
}

// pacingOutcome maps an attempt record to what pacing learns from.
// Canceled and interrupted attempts teach nothing.
func pacingOutcome(r campaigns.AttemptRecord) (pacing.Outcome, bool) {
	if r.LiveAnswer {
		return pacing.OutcomeHuman, true
	}
	switch r.Outcome {
	case campaigns.OutcomeMachine, campaigns.OutcomeMachineDone, campaigns.OutcomeMessageLeft:
		return pacing.OutcomeMachine, true
	case campaigns.OutcomeFax:
		return pacing.OutcomeFax, true
	case campaigns.OutcomeBusy:
		return pacing.OutcomeBusy, true
	case campaigns.OutcomeNoAnswer, campaigns.OutcomeRejected:
		return pacing.OutcomeNoAnswer, true
	case campaigns.OutcomeInvalid:
		return pacing.OutcomeInvalid, true
	case campaigns.OutcomeFailed, campaigns.OutcomeCongestion:
		return pacing.OutcomeFailed, true
	}
	return 0, false
}

// lifecycle runs the call and returns its outcome.
func (c *call) lifecycle(ctx context.Context) campaigns.Outcome {
	l := c.l
	select {
	case <-l.dialing:
		return campaigns.OutcomeCanceled
	default:
	}
	tc, err := l.e.driver.Originate(ctx, telephony.OriginateRequest{
		AttemptID:  c.at.ID,
		Number:     c.at.Number,
		CallerID:   c.cfg.CallerID,
		DialString: c.cfg.DialString,
		Timeout:    time.Duration(c.cfg.RingTimeout),
		Audio:      c.amdOn(),
	})
	if err != nil {
		c.rec.Cause = err.Error()
		if errors.Is(err, telephony.ErrClosed) {
			return campaigns.OutcomeCanceled
		}
		return campaigns.OutcomeFailed
	}
	c.tc = tc
	l.e.metrics.originated.WithLabelValues(l.id).Inc()

	// Until answer: wait for progress, or hang up when the loop stops dialing.
	answered := false
	for !answered {
		select {
		case ev, ok := <-tc.Events():
			if !ok {
				return campaigns.OutcomeFailed
			}
			switch ev.Kind {
			case telephony.EventRinging:
				c.rec.RingingAt = ev.At
				l.track(c.at.ID, pacing.StageRinging, ev.At)
			case telephony.EventAnswered:
				c.rec.AnsweredAt = ev.At
				answered = true
			case telephony.EventHangup:
				c.rec.Cause = ev.Cause.String()
				return outcomeOfCause(ev.Cause)
			}
		case <-l.dialing:
			c.hangup(ctx, telephony.CauseCanceled)
			return campaigns.OutcomeCanceled
		}
	}

	// Answered: AMD when the campaign asks for it (not in preview: the
	// agent is on the line already and hears who answers).
	if c.amdOn() && c.preset == nil {
		l.track(c.at.ID, pacing.StageAMD, c.rec.AnsweredAt)
		if out, done := c.runAMD(ctx); done {
			return out
		}
	}
	c.rec.LiveAnswer = true
	c.liveAt = l.e.clk.Now()
	c.observeResult(c.liveAt, pacing.OutcomeHuman)
	l.track(c.at.ID, pacing.StageWaitingAgent, c.liveAt)
	return c.connect(ctx, c.liveAt)
}

func (c *call) amdOn() bool { return c.cfg.AMD.Enabled }

// connect reserves an agent within the grace and bridges the call, or
// abandons it.
func (c *call) connect(ctx context.Context, liveAt time.Time) campaigns.Outcome {
	l := c.l
	e := l.e
	deadline := liveAt.Add(e.opts.Grace)
	var agent agents.Agent
	if c.preset != nil {
		agent = *c.preset
	}
	for agent.ID == "" {
		a, err := e.agents.Reserve(ctx, l.id, c.at.ID, e.opts.ReserveLease, e.clk.Now())
		if err == nil {
			agent = a
			break
		}
		if !errors.Is(err, agents.ErrNoAgent) {
			e.metrics.errors.WithLabelValues(l.id, "reserve").Inc()
			l.log.Warn("reserve agent", "attempt", c.at.ID, "err", err)
		}
		remaining := deadline.Sub(e.clk.Now())
		if remaining <= 0 {
			return c.abandon(ctx)
		}
		wait := min(remaining, 100*time.Millisecond)
		t := e.clk.NewTimer(wait)
		wake := l.waitersChan()
		select {
		case <-t.C:
		case <-wake:
		case ev, ok := <-c.tc.Events():
			t.Stop()
			if !ok || ev.Kind == telephony.EventHangup {
				// The person hung up while waiting for an agent: a live
				// answer that no agent took.
				c.hungUp = true
				c.rec.Cause = "caller_hangup"
				c.count(true)
				return campaigns.OutcomeAbandoned
			}
		}
		t.Stop()
	}

	// Reserved: bridge, then mark the agent talking.
	c.rec.AgentID = agent.ID
	leg, err := e.legFor(ctx, agent)
	if err == nil {
		err = c.tc.Connect(ctx, leg)
	}
	if err != nil {
		if _, rerr := e.agents.Release(ctx, agent.ID, c.at.ID, e.clk.Now()); rerr != nil {
			l.log.Warn("release agent", "agent", agent.ID, "err", rerr)
		}
		l.wakeWaiters()
		c.rec.Cause = err.Error()
		c.rec.AgentID = ""
		if errors.Is(err, telephony.ErrHungUp) {
			return campaigns.OutcomeAbandoned
		}
		c.hangup(ctx, telephony.CauseFailed)
		return campaigns.OutcomeFailed
	}
	now := e.clk.Now()
	if _, err := e.agents.Connect(ctx, agent.ID, c.at.ID, now); err != nil {
		l.log.Warn("agent connect", "agent", agent.ID, "err", err)
	}
	c.rec.ConnectedAt = now
	c.count(false)
	if err := e.store.MarkConnected(ctx, l.id, c.at.ID); err != nil && !errors.Is(err, campaigns.ErrNotInFlight) {
		l.log.Warn("mark connected", "attempt", c.at.ID, "err", err)
	}
	e.metrics.connectSeconds.WithLabelValues(l.id).Observe(now.Sub(liveAt).Seconds())
	l.untrack(c.at.ID) // connected: no longer a call in flight for pacing

	// Talking until either side hangs up; shutdown lets it finish until the
	// drain timeout.
	select {
	case ev, ok := <-c.tc.Events():
		if ok && ev.Kind == telephony.EventHangup {
			c.rec.Cause = ev.Cause.String()
		}
	case <-l.hard:
		c.hangup(ctx, telephony.CauseNormal)
	}
	ended := e.clk.Now()
	l.retry("agent_end_call", c.at.ID, func() error {
		_, err := e.agents.EndCall(ctx, agent.ID, c.at.ID, ended)
		return err
	}, agentFinal)
	l.noteTalk(agent.ID, ended.Sub(now), ended)
	if e.opts.OnWrapUp != nil {
		e.opts.OnWrapUp(l.id, agent.ID)
	}
	return campaigns.OutcomeConnected
}

// abandon plays the campaign's abandon message and hangs up.
func (c *call) abandon(ctx context.Context) campaigns.Outcome {
	c.rec.Cause = "no_agent"
	c.count(true)
	if msg := c.cfg.AbandonMessage; msg != "" {
		if err := c.tc.Play(ctx, msg); err != nil && !errors.Is(err, telephony.ErrHungUp) {
			c.l.log.Warn("play abandon message", "attempt", c.at.ID, "err", err)
		}
	}
	c.hangup(ctx, telephony.CauseNormal)
	return campaigns.OutcomeAbandoned
}

// hangup ends the call and waits for its hang-up event.
func (c *call) hangup(ctx context.Context, cause telephony.Cause) {
	if c.tc == nil || c.hungUp {
		return
	}
	if err := c.tc.Hangup(ctx, cause); err != nil {
		c.l.log.Warn("hangup", "attempt", c.at.ID, "err", err)
	}
	for ev := range c.tc.Events() {
		if ev.Kind == telephony.EventHangup {
			c.hungUp = true
		}
	}
}

// outcomeOfCause maps the cause of a call that ended before it was answered.
func outcomeOfCause(cause telephony.Cause) campaigns.Outcome {
	switch cause {
	case telephony.CauseBusy:
		return campaigns.OutcomeBusy
	case telephony.CauseNoAnswer, telephony.CauseNormal:
		return campaigns.OutcomeNoAnswer
	case telephony.CauseInvalid:
		return campaigns.OutcomeInvalid
	case telephony.CauseRejected:
		return campaigns.OutcomeRejected
	case telephony.CauseCongestion:
		return campaigns.OutcomeCongestion
	case telephony.CauseCanceled:
		return campaigns.OutcomeCanceled
	}
	return campaigns.OutcomeFailed
}

// agentFinal tells the agents registry's answers that retrying cannot change.
func agentFinal(err error) bool {
	return errors.Is(err, agents.ErrInvalidTransition) || errors.Is(err, agents.ErrLeaseLost) ||
		errors.Is(err, agents.ErrNotFound) || errors.Is(err, agents.ErrInvalid) || errors.Is(err, redis.ErrClosed)
}
