package dialer

import (
	"context"
	"fmt"
	"time"

	"github.com/dialer/dialer/amd"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/pacing"
	"github.com/dialer/dialer/telephony"
)

// DefaultAMD builds the amd package's streaming detector with the campaign's
// AMD settings (amd.Config keys; none means the defaults).
func DefaultAMD(cfg campaigns.Config) (AMDDetector, error) {
	ac, err := amd.ParseSettings(cfg.AMD.Settings)
	if err != nil {
		return nil, fmt.Errorf("campaign %s: amd.settings: %w", cfg.ID, err)
	}
	return amdDetector{amd.New(ac)}, nil
}

type amdDetector struct{ d *amd.Detector }

func (a amdDetector) Write(frame []int16) (AMDVerdict, bool) {
	v, ok := a.d.Write(frame)
	if !ok {
		return AMDVerdict{}, false
	}
	at := v.At
	if v.Kind == amd.Beep {
		at = v.BeepAt + v.BeepLen
	}
	return AMDVerdict{Result: v.Kind.String(), At: at}, true
}

// amdMaxWait bounds the AMD stage in wall time, whatever the detector does
// (a detector gives "unknown" at its own time limit well before this).
const amdMaxWait = 8 * time.Second

// runAMD listens to the answered call until the detector decides. done is
// true when the call ended here (machine, fax, SIT, silence, or the person
// hung up); otherwise the call is a live answer.
func (c *call) runAMD(ctx context.Context) (out campaigns.Outcome, done bool) {
	l := c.l
	e := l.e
	det, err := e.opts.AMD(c.cfg)
	if err != nil {
		l.log.Warn("amd: no detector, treating answer as live", "err", err)
		c.rec.AMDResult = "error"
		return "", false
	}
	audio := c.tc.Audio()
	t := e.clk.NewTimer(amdMaxWait)
	defer t.Stop()
	for {
		select {
		case fr, ok := <-audio:
			if !ok {
				audio = nil // hang-up comes on Events
				continue
			}
			v, ok := det.Write(fr)
			if !ok {
				continue
			}
			return c.onVerdict(ctx, v, det, audio)
		case ev, ok := <-c.tc.Events():
			if !ok || ev.Kind == telephony.EventHangup {
				c.hungUp = true
				c.rec.AMDResult = "hangup"
				c.rec.Cause = ev.Cause.String()
				if ev.Cause == telephony.CauseInvalid {
					return campaigns.OutcomeInvalid, true
				}
				// The far end hung up before the AMD decided. Past the grace,
				// a person may have waited on us: count it as a live answer
				// that got no agent, the cautious reading. Within the grace
				// nobody was kept waiting.
				if ev.At.Sub(c.rec.AnsweredAt) > e.opts.Grace {
					c.rec.LiveAnswer = true
					c.liveAt = c.rec.AnsweredAt
					c.observeResult(ev.At, pacing.OutcomeHuman)
					c.count(true)
					return campaigns.OutcomeAbandoned, true
				}
				return campaigns.OutcomeNoAnswer, true
			}
		case <-t.C:
			c.rec.AMDResult = "timeout"
			return "", false
		case <-l.hard:
			c.hangup(ctx, telephony.CauseNormal)
			return campaigns.OutcomeCanceled, true
		}
	}
}

// onVerdict acts on the campaign's AMD policy.
func (c *call) onVerdict(ctx context.Context, v AMDVerdict, det AMDDetector, audio <-chan telephony.Frame) (campaigns.Outcome, bool) {
	l := c.l
	c.rec.AMDResult = v.Result
	c.rec.AMDMillis = v.At.Milliseconds()
	l.e.metrics.amdVerdicts.WithLabelValues(l.id, v.Result).Inc()
	l.e.metrics.amdSeconds.WithLabelValues(l.id).Observe(v.At.Seconds())
	switch v.Result {
	case "machine":
		switch c.cfg.AMD.OnMachine {
		case campaigns.OnMachineMessage:
			if c.waitBeep(det, audio) {
				err := c.tc.Play(ctx, c.cfg.AMD.Message)
				if err == nil {
					c.hangup(ctx, telephony.CauseNormal)
					return campaigns.OutcomeMessageLeft, true
				}
				c.rec.Cause = "message_failed: " + err.Error()
			} else if c.rec.Cause == "" {
				c.rec.Cause = "no_beep"
			}
		case campaigns.OnMachineHangup:
			c.hangup(ctx, telephony.CauseNormal)
			return campaigns.OutcomeMachineDone, true
		}
		c.hangup(ctx, telephony.CauseNormal)
		return campaigns.OutcomeMachine, true
	case "fax":
		c.hangup(ctx, telephony.CauseNormal)
		return campaigns.OutcomeFax, true
	case "sit":
		c.hangup(ctx, telephony.CauseNormal)
		return campaigns.OutcomeInvalid, true
	case "silence":
		c.rec.Cause = "dead_air"
		c.hangup(ctx, telephony.CauseNormal)
		return campaigns.OutcomeNoAnswer, true
	}
	// human, unknown: a person may be there; give them an agent.
	return "", false
}

// waitBeep keeps feeding audio until the detector reports the beep (or the
// greeting ends without one), up to a bound.
func (c *call) waitBeep(det AMDDetector, audio <-chan telephony.Frame) bool {
	t := c.l.e.clk.NewTimer(20 * time.Second)
	defer t.Stop()
	for {
		select {
		case fr, ok := <-audio:
			if !ok {
				return false
			}
			if v, ok := det.Write(fr); ok && v.Result == "beep" {
				c.rec.Cause = "beep"
				return true
			}
		case <-t.C:
			return false
		}
	}
}
