package dialer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/pacing"
)

// PreviewNext is preview dialing: the agent asked for its next lead. The
// engine takes the campaign's next lawful lead, reserves this agent for it
// and dials; the call goes to this agent when answered (no AMD, no abandon:
// the agent is already waiting). It returns the attempt, with the lead for
// the agent's screen.
//
// Errors: ErrNotOwner (another instance runs the campaign, or it is not
// running), ErrNotPreview (the campaign's mode is not preview), ErrNoLead,
// and the agents package's errors (the agent is not ready).
func (e *Engine) PreviewNext(ctx context.Context, agentID string) (campaigns.Attempt, error) {
	a, err := e.agents.Get(ctx, agentID)
	if err != nil {
		return campaigns.Attempt{}, err
	}
	if a.State != agents.StateReady {
		return campaigns.Attempt{}, fmt.Errorf("%w: agent %s is %s, not ready", agents.ErrInvalidTransition, agentID, a.State)
	}
	e.mu.Lock()
	l := e.loops[a.Campaign]
	e.mu.Unlock()
	if l == nil {
		return campaigns.Attempt{}, fmt.Errorf("%w: %s", ErrNotOwner, a.Campaign)
	}
	l.mu.Lock()
	cfg := l.cfg
	l.mu.Unlock()
	if cfg.Mode != campaigns.Mode("preview") {
		return campaigns.Attempt{}, fmt.Errorf("%w: campaign %s dials in %s mode", ErrNotPreview, cfg.ID, cfg.Mode)
	}
	select {
	case <-l.dialing:
		return campaigns.Attempt{}, fmt.Errorf("%w: %s is stopping", ErrNotOwner, cfg.ID)
	default:
	}
	now := e.clk.Now()
	atts, err := e.store.StartAttempts(ctx, cfg.ID, l.token, now, 1)
	if err != nil {
		return campaigns.Attempt{}, err
	}
	if len(atts) == 0 {
		return campaigns.Attempt{}, fmt.Errorf("%w: campaign %s", ErrNoLead, cfg.ID)
	}
	at := atts[0]
	// The agent holds the call until it ends or it is released: its lease
	// covers the ring timeout and a margin.
	lease := time.Duration(cfg.RingTimeout) + e.opts.ReserveLease
	agent, err := e.agents.ReserveAgent(ctx, agentID, at.ID, lease, now)
	if err != nil {
		// Give the lead back untouched.
		rec := campaigns.AttemptRecord{AttemptID: at.ID, LeadID: at.Lead.ID, Number: at.Number, Seq: at.Seq,
			Outcome: campaigns.OutcomeCanceled, Cause: "agent_not_ready", StartedAt: at.StartedAt, EndedAt: e.clk.Now()}
		if ferr := e.store.FinishAttempt(context.WithoutCancel(ctx), cfg.ID, rec); ferr != nil && !errors.Is(ferr, campaigns.ErrNotInFlight) {
			l.log.Error("give back preview lead", "attempt", at.ID, "err", ferr)
		}
		return campaigns.Attempt{}, err
	}
	l.track(at.ID, pacing.StageDialing, now)
	l.callsWG.Go(func() { l.runCall(ctx, cfg, at, &agent) })
	return at, nil
}
