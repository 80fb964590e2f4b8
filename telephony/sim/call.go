package sim

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dialer/dialer/telephony"
)

// maxEvents is the most events a call can produce (ringing, answered,
// hangup): the Events channel holds them all, so the network never waits
// for a reader.
const maxEvents = 3

// AudioBuffer is the capacity, in frames, of a call's Audio channel (2 s).
// When a reader falls that far behind, newer frames are dropped (counted in
// Stats.AudioDropped), as a real RTP receive path would drop them.
const AudioBuffer = 100

// frameDur is one audio frame.
const frameDur = 20 * time.Millisecond

// interceptTail is how long an intercept stays up after its announcement.
const interceptTail = 500 * time.Millisecond

type stage int

const (
	stDialing stage = iota
	stRinging
	stAnswered
	stConnected
	stEnded
)

type ctlOp int

const (
	opHangup ctlOp = iota
	opConnect
	opLegClosed
)

type ctlMsg struct {
	op    ctlOp
	cause telephony.Cause
	leg   *agentLeg
	reply chan error // opConnect only; buffered
}

type action int

const (
	actPostDial action = iota
	actAnswer
	actNoAnswer
	actRemoteHangup
)

// call is one simulated call; its goroutine (run) owns the timeline.
type call struct {
	n      *Network
	req    telephony.OriginateRequest
	plan   plan
	rng    *rand.Rand // used by run only
	start  time.Time
	events chan telephony.Event
	audio  chan telephony.Frame // nil unless requested
	ctl    chan ctlMsg
	done   chan struct{} // closed when the call has ended

	mu sync.Mutex // guards st
	st stage

	// Owned by run.
	leg      *agentLeg
	deadline time.Time
	next     action
	clip     []int16
	pos      int
	endCause telephony.Cause // cause of the remote hang-up at the deadline
}

var _ telephony.Call = (*call)(nil)

func (c *call) ID() string                     { return c.req.AttemptID }
func (c *call) Events() <-chan telephony.Event { return c.events }

// Audio is nil unless the request asked for audio.
func (c *call) Audio() <-chan telephony.Frame {
	if c.audio == nil {
		return nil
	}
	return c.audio
}

func (c *call) stage() stage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st
}

func (c *call) setStage(s stage) {
	c.mu.Lock()
	c.st = s
	c.mu.Unlock()
}

// Connect bridges the answered call to leg. A connected person talks for
// Config.TalkTime, then hangs up. Connecting to another leg moves the call.
// Errors: ctx's error, telephony.ErrNotAnswered, telephony.ErrHungUp,
// telephony.ErrClosed, ErrForeignLeg, ErrLegBusy.
func (c *call) Connect(ctx context.Context, leg telephony.AgentLeg) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.n.isClosed() {
		return telephony.ErrClosed
	}
	l, ok := leg.(*agentLeg)
	if !ok || l.n != c.n {
		return ErrForeignLeg
	}
	m := ctlMsg{op: opConnect, leg: l, reply: make(chan error, 1)}
	select {
	case c.ctl <- m:
		return <-m.reply
	case <-c.done:
		if c.n.isClosed() {
			return telephony.ErrClosed
		}
		return telephony.ErrHungUp
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Play plays sound to the answered call and returns when it has finished
// (WithSoundLength), or when the call ends (telephony.ErrHungUp) or ctx is
// done (ctx's error; the call stays up). Errors before it starts: ctx's
// error, telephony.ErrNotAnswered, telephony.ErrHungUp.
func (c *call) Play(ctx context.Context, sound string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch c.stage() {
	case stDialing, stRinging:
		return telephony.ErrNotAnswered
	case stEnded:
		return telephony.ErrHungUp
	}
	c.n.mu.Lock()
	c.n.stats.Plays++
	c.n.mu.Unlock()
	t := c.n.clk.NewTimer(c.n.soundLen(sound))
	defer t.Stop()
	select {
	case <-t.C:
		if c.stage() == stEnded {
			return telephony.ErrHungUp
		}
		return nil
	case <-c.done:
		return telephony.ErrHungUp
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Hangup ends the call with an EventHangup{Cause: cause, By: PartyUs} and
// returns once the event is on the Events channel. The simulated network
// never makes it wait, so ctx is not consulted. Hanging up an ended call
// returns nil.
func (c *call) Hangup(_ context.Context, cause telephony.Cause) error {
	select {
	case c.ctl <- ctlMsg{op: opHangup, cause: cause}:
		<-c.done
	case <-c.done:
	}
	return nil
}

// run plays the call out: it is the only writer of the call's state and
// channels, and it never blocks on a reader.
func (c *call) run() {
	p := &c.plan
	c.deadline, c.next = c.start.Add(p.postDial), actPostDial
	timer := c.n.clk.NewTimer(p.postDial)
	defer timer.Stop()
	var ticker *time.Ticker
	var tick <-chan time.Time
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
	}()
	for {
		select {
		case <-timer.C:
			now := c.n.clk.Now()
			if now.Before(c.deadline) {
				timer.Reset(c.deadline.Sub(now))
				continue
			}
			if c.step(now) {
				return
			}
			if c.audio != nil && ticker == nil && c.stage() >= stAnswered {
				ticker = c.n.clk.NewTicker(frameDur)
				tick = ticker.C
			}
		case <-tick:
			c.sendFrame()
			continue
		case m := <-c.ctl:
			if c.control(m) {
				return
			}
		case <-c.n.closing:
			cause := telephony.CauseCanceled
			if c.stage() >= stAnswered {
				cause = telephony.CauseNormal
			}
			c.end(cause, telephony.PartyUs)
			return
		}
		timer.Reset(c.deadline.Sub(c.n.clk.Now()))
	}
}

// step runs the action due at the deadline; it reports whether the call
// ended.
func (c *call) step(now time.Time) bool {
	p := &c.plan
	switch c.next {
	case actPostDial:
		switch p.truth {
		case Busy:
			c.end(telephony.CauseBusy, telephony.PartyNetwork)
			return true
		case Congestion:
			c.end(telephony.CauseCongestion, telephony.PartyNetwork)
			return true
		case Invalid:
			if !p.intercept {
				c.end(telephony.CauseInvalid, telephony.PartyNetwork)
				return true
			}
			c.answer(now)
			return false
		}
		c.setStage(stRinging)
		c.emit(telephony.Event{Kind: telephony.EventRinging, At: now})
		if p.truth.answers() {
			c.deadline, c.next = c.start.Add(p.answerAt), actAnswer
		} else {
			c.deadline, c.next = c.start.Add(p.timeout), actNoAnswer
		}
		if c.deadline.Before(now) {
			c.deadline = now
		}
	case actAnswer:
		c.answer(now)
	case actNoAnswer:
		c.end(telephony.CauseNoAnswer, telephony.PartyNetwork)
		return true
	case actRemoteHangup:
		c.end(c.endCause, telephony.PartyNetwork)
		return true
	}
	return false
}

// answer answers the call and schedules the far end's hang-up.
func (c *call) answer(now time.Time) {
	p := &c.plan
	c.setStage(stAnswered)
	c.emit(telephony.Event{Kind: telephony.EventAnswered, At: now})
	c.n.mu.Lock()
	c.n.stats.Answered++
	c.n.mu.Unlock()
	if c.audio != nil {
		c.clip = c.n.audio.Audio(p.truth, c.rng)
	}
	clipLen := time.Duration(len(c.clip)) * time.Second / telephony.SampleRate
	c.next, c.endCause = actRemoteHangup, telephony.CauseNormal
	switch p.truth {
	case Human:
		c.deadline = now.Add(p.patience)
	case Machine:
		g := p.greeting
		if c.clip != nil {
			g = clipLen
		}
		c.deadline = now.Add(g + c.n.cfg.MachineSilence)
	case Fax:
		c.deadline = now.Add(c.n.cfg.FaxHold)
	case Invalid:
		tail := clipLen
		if c.clip == nil {
			tail = DefaultSoundLength
		}
		c.deadline, c.endCause = now.Add(tail+interceptTail), telephony.CauseInvalid
	}
}

// control handles a request from Hangup, Connect or a closing leg; it
// reports whether the call ended.
func (c *call) control(m ctlMsg) bool {
	switch m.op {
	case opHangup:
		c.end(m.cause, telephony.PartyUs)
		return true
	case opLegClosed:
		if c.leg == m.leg {
			c.end(telephony.CauseNormal, telephony.PartyUs)
			return true
		}
	case opConnect:
		m.reply <- c.connect(m.leg)
	}
	return false
}

func (c *call) connect(l *agentLeg) error {
	if c.stage() < stAnswered {
		return telephony.ErrNotAnswered
	}
	if c.leg == l {
		return nil
	}
	l.mu.Lock()
	switch {
	case l.closed:
		l.mu.Unlock()
		return ErrForeignLeg
	case l.call != nil:
		l.mu.Unlock()
		return ErrLegBusy
	}
	l.call = c
	l.mu.Unlock()
	first := c.leg == nil
	c.releaseLeg()
	c.leg = l
	c.setStage(stConnected)
	if first {
		c.n.mu.Lock()
		c.n.stats.Connected++
		c.n.mu.Unlock()
		if c.plan.truth == Human {
			// The person now talks to the agent instead of waiting.
			c.deadline = c.n.clk.Now().Add(c.plan.talk)
		}
	}
	return nil
}

func (c *call) releaseLeg() {
	if c.leg == nil {
		return
	}
	c.leg.mu.Lock()
	if c.leg.call == c {
		c.leg.call = nil
	}
	c.leg.mu.Unlock()
	c.leg = nil
}

// emit never blocks: Events holds every event a call can produce.
func (c *call) emit(ev telephony.Event) { c.events <- ev }

// sendFrame sends the next 20 ms of audio, or drops it when the reader is
// AudioBuffer frames behind.
func (c *call) sendFrame() {
	f := make(telephony.Frame, telephony.FrameSamples)
	k := copy(f, c.clip[min(c.pos, len(c.clip)):])
	c.pos += telephony.FrameSamples
	for i := k; i < len(f); i++ {
		f[i] = lineNoise(c.rng)
	}
	sent := true
	select {
	case c.audio <- f:
	default:
		sent = false
	}
	c.n.mu.Lock()
	if sent {
		c.n.stats.AudioFrames++
	} else {
		c.n.stats.AudioDropped++
	}
	c.n.mu.Unlock()
}

// end ends the call: leg released, EventHangup sent, channels closed, the
// network's books updated, and done closed last.
func (c *call) end(cause telephony.Cause, by telephony.Party) {
	c.setStage(stEnded)
	c.releaseLeg()
	now := c.n.clk.Now()
	c.emit(telephony.Event{Kind: telephony.EventHangup, At: now, Cause: cause, By: by})
	close(c.events)
	if c.audio != nil {
		close(c.audio)
	}
	n := c.n
	n.mu.Lock()
	delete(n.active, c.req.AttemptID)
	n.stats.Ended++
	if by == telephony.PartyUs {
		n.stats.ByUs++
	}
	if n.stats.Causes == nil {
		n.stats.Causes = map[telephony.Cause]int{}
	}
	n.stats.Causes[cause]++
	n.mu.Unlock()
	n.log.Debug("sim: hangup", "attempt", c.req.AttemptID, "cause", cause.String(), "by_us", by == telephony.PartyUs)
	close(c.done)
}
