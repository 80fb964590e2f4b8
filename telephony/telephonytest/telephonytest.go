package telephonytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dialer/dialer/internal/clock"
	"github.com/dialer/dialer/telephony"
)

// Outcome is what a number the driver claims does when dialled.
type Outcome string

// Outcomes a harness can claim numbers for.
const (
	// Human answers (after ringing) and stays up, unconnected, for at least
	// a few seconds; connected, it hangs up by itself (CauseNormal,
	// PartyNetwork) within Harness.Wait. Every harness must claim it.
	Human Outcome = "human"
	// Machine and Fax answer (after ringing) and stay up for a few seconds.
	Machine Outcome = "machine"
	Fax     Outcome = "fax"
	// Busy, Invalid, Congestion and Rejected end unanswered with CauseBusy,
	// CauseInvalid, CauseCongestion and CauseRejected, by PartyNetwork.
	Busy       Outcome = "busy"
	Invalid    Outcome = "invalid"
	Congestion Outcome = "congestion"
	Rejected   Outcome = "rejected"
	// NoAnswer rings until the request's Timeout, then ends with
	// CauseNoAnswer by PartyNetwork.
	NoAnswer Outcome = "no_answer"
)

// outcomes in the order the suite runs them.
var outcomes = []Outcome{Human, Machine, Fax, Busy, Invalid, Congestion, Rejected, NoAnswer}

// Harness describes the driver under test.
type Harness struct {
	// New returns a fresh driver for one subtest (called inside Wrap). The
	// suite closes it before the subtest ends.
	New func(t *testing.T) telephony.Driver
	// Numbers maps the outcomes the driver claims to a number that gives
	// that outcome every time it is dialled without audio. Human is
	// required; outcomes without a number are not exercised.
	Numbers map[Outcome]string
	// Station is an agent station the driver can open a leg to.
	Station string
	// Sound is a sound name Play accepts.
	Sound string
	// Audio: the driver delivers audio frames when asked.
	Audio bool
	// RingTimeout is every request's Timeout (default 20 s).
	RingTimeout time.Duration
	// Wait bounds each wait for a call's events (default 2 min).
	Wait time.Duration
	// Concurrency is the number of simultaneous calls in the concurrency
	// test (default 200).
	Concurrency int
	// Wrap runs each subtest's body; nil runs it directly. A driver on a
	// fake clock wraps it in testing/synctest.Test.
	Wrap func(t *testing.T, body func(t *testing.T))
	// Clock is the time the driver's events are stamped with (default
	// clock.Real, which inside a synctest bubble is the bubble's time).
	Clock clock.Clock
}

func (h *Harness) defaults() {
	if h.RingTimeout == 0 {
		h.RingTimeout = 20 * time.Second
	}
	if h.Wait == 0 {
		h.Wait = 2 * time.Minute
	}
	if h.Concurrency == 0 {
		h.Concurrency = 200
	}
	if h.Wrap == nil {
		h.Wrap = func(t *testing.T, body func(t *testing.T)) { body(t) }
	}
	if h.Clock == nil {
		h.Clock = clock.Real
	}
}

// Run runs the conformance suite against the driver h describes, as
// subtests of t.
func Run(t *testing.T, h Harness) {
	h.defaults()
	if h.New == nil || h.Numbers[Human] == "" || h.Station == "" {
		t.Fatal("telephonytest: Harness needs New, Numbers[Human] and Station")
	}
	s := &suite{h: h}
	sub := func(name string, body func(t *testing.T, d telephony.Driver)) {
		t.Run(name, func(t *testing.T) {
			h.Wrap(t, func(t *testing.T) {
				d := h.New(t)
				defer d.Close()
				body(t, d)
			})
		})
	}
	for _, o := range outcomes {
		if h.Numbers[o] == "" {
			continue
		}
		sub("Outcome/"+string(o), func(t *testing.T, d telephony.Driver) { s.outcome(t, d, o) })
	}
	sub("HangupBeforeRinging", s.hangupBeforeRinging)
	sub("HangupWhileRinging", s.hangupWhileRinging)
	sub("HangupAfterAnswer", s.hangupAfterAnswer)
	sub("HangupAfterConnect", s.hangupAfterConnect)
	sub("ConnectThenRemoteHangup", s.connectRemoteHangup)
	sub("Play", s.play)
	sub("Errors", s.errors)
	sub("Cancel", s.cancel)
	sub("Close", s.close)
	if h.Audio {
		sub("Audio", s.audio)
	}
	sub("NoAudioUnlessAsked", s.noAudio)
	sub("Concurrent", s.concurrent)
}

type suite struct {
	h   Harness
	seq atomic.Int64
}

func (s *suite) req(t *testing.T, o Outcome) telephony.OriginateRequest {
	return telephony.OriginateRequest{
		AttemptID: fmt.Sprintf("conf-%d", s.seq.Add(1)),
		Number:    s.h.Numbers[o],
		CallerID:  "+15550000000",
		Timeout:   s.h.RingTimeout,
	}
}

func (s *suite) originate(t *testing.T, d telephony.Driver, req telephony.OriginateRequest) telephony.Call {
	t.Helper()
	c, err := d.Originate(t.Context(), req)
	if err != nil {
		t.Fatalf("Originate(%s): %v", req.AttemptID, err)
	}
	if c.ID() != req.AttemptID {
		t.Fatalf("ID() = %q, want the attempt id %q", c.ID(), req.AttemptID)
	}
	return c
}

// recorder reads a call's events, checking their order as they come.
type recorder struct {
	c     telephony.Call
	wait  time.Duration
	evs   []telephony.Event
	ended bool
}

// next returns the next event, or an error on timeout, on a closed channel
// before the hang-up, or on an event out of order.
func (r *recorder) next() (telephony.Event, error) {
	timer := time.NewTimer(r.wait)
	defer timer.Stop()
	select {
	case ev, ok := <-r.c.Events():
		if !ok {
			return ev, fmt.Errorf("call %s: events closed before a hangup (got %v)", r.c.ID(), kinds(r.evs))
		}
		if err := r.check(ev); err != nil {
			return ev, err
		}
		r.evs = append(r.evs, ev)
		if ev.Kind == telephony.EventHangup {
			r.ended = true
		}
		return ev, nil
	case <-timer.C:
		return telephony.Event{}, fmt.Errorf("call %s: no event within %v (got %v)", r.c.ID(), r.wait, kinds(r.evs))
	}
}

func (r *recorder) check(ev telephony.Event) error {
	if r.ended {
		return fmt.Errorf("call %s: %v after the hangup", r.c.ID(), ev.Kind)
	}
	last := telephony.EventKind(0)
	if n := len(r.evs); n > 0 {
		last = r.evs[n-1].Kind
		if ev.At.Before(r.evs[n-1].At) {
			return fmt.Errorf("call %s: %v at %v is before %v at %v", r.c.ID(), ev.Kind, ev.At, last, r.evs[n-1].At)
		}
	}
	switch ev.Kind {
	case telephony.EventRinging, telephony.EventAnswered:
		if last >= ev.Kind {
			return fmt.Errorf("call %s: %v after %v", r.c.ID(), ev.Kind, last)
		}
	case telephony.EventHangup:
	default:
		return fmt.Errorf("call %s: unknown event kind %v", r.c.ID(), ev.Kind)
	}
	if ev.At.IsZero() {
		return fmt.Errorf("call %s: %v without a time", r.c.ID(), ev.Kind)
	}
	return nil
}

// until reads events until one of kind k (returned) or the hang-up.
func (r *recorder) until(k telephony.EventKind) (telephony.Event, error) {
	for {
		ev, err := r.next()
		if err != nil || ev.Kind == k || ev.Kind == telephony.EventHangup {
			return ev, err
		}
	}
}

// finish reads up to the hang-up and then checks that the channel closes.
func (r *recorder) finish() (telephony.Event, error) {
	var hang telephony.Event
	if !r.ended {
		ev, err := r.until(telephony.EventHangup)
		if err != nil {
			return ev, err
		}
		if ev.Kind != telephony.EventHangup {
			return ev, fmt.Errorf("call %s: %v, want hangup", r.c.ID(), ev.Kind)
		}
	}
	hang = r.evs[len(r.evs)-1]
	timer := time.NewTimer(r.wait)
	defer timer.Stop()
	select {
	case ev, ok := <-r.c.Events():
		if ok {
			return hang, fmt.Errorf("call %s: %v after the hangup", r.c.ID(), ev.Kind)
		}
	case <-timer.C:
		return hang, fmt.Errorf("call %s: events not closed within %v of the hangup", r.c.ID(), r.wait)
	}
	return hang, nil
}

func (r *recorder) saw(k telephony.EventKind) bool {
	for _, ev := range r.evs {
		if ev.Kind == k {
			return true
		}
	}
	return false
}

func kinds(evs []telephony.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Kind.String()
	}
	return out
}

func (s *suite) rec(c telephony.Call) *recorder { return &recorder{c: c, wait: s.h.Wait} }

// expectHangup checks the final event.
func expectHangup(ev telephony.Event, cause telephony.Cause, by telephony.Party) error {
	if ev.Kind != telephony.EventHangup || ev.Cause != cause || ev.By != by {
		return fmt.Errorf("final event %v cause %v by %v, want hangup cause %v by %v", ev.Kind, ev.Cause, partyName(ev.By), cause, partyName(by))
	}
	return nil
}

func partyName(p telephony.Party) string {
	if p == telephony.PartyUs {
		return "us"
	}
	return "network"
}

var unanswered = map[Outcome]telephony.Cause{
	Busy: telephony.CauseBusy, Invalid: telephony.CauseInvalid, Congestion: telephony.CauseCongestion,
	Rejected: telephony.CauseRejected, NoAnswer: telephony.CauseNoAnswer,
}

// playOutcome dials o and plays it out (hanging up answered calls itself);
// it is also the body of each concurrent call.
func (s *suite) playOutcome(ctx context.Context, d telephony.Driver, req telephony.OriginateRequest, o Outcome) error {
	start := s.h.Clock.Now()
	c, err := d.Originate(ctx, req)
	if err != nil {
		return fmt.Errorf("Originate: %w", err)
	}
	r := s.rec(c)
	if cause, ok := unanswered[o]; ok {
		ev, err := r.finish()
		if err != nil {
			return err
		}
		if r.saw(telephony.EventAnswered) {
			return fmt.Errorf("%s number answered (events %v)", o, kinds(r.evs))
		}
		if err := expectHangup(ev, cause, telephony.PartyNetwork); err != nil {
			return fmt.Errorf("%s: %w", o, err)
		}
		if o == NoAnswer {
			if !r.saw(telephony.EventRinging) {
				return fmt.Errorf("no_answer number never rang")
			}
			if rang := ev.At.Sub(start); rang < s.h.RingTimeout-time.Second {
				return fmt.Errorf("no_answer gave up after %v, before the %v timeout", rang, s.h.RingTimeout)
			}
		}
		return nil
	}
	ev, err := r.until(telephony.EventAnswered)
	if err != nil {
		return err
	}
	if ev.Kind != telephony.EventAnswered {
		return fmt.Errorf("%s number not answered: events %v, cause %v", o, kinds(r.evs), ev.Cause)
	}
	if err := c.Hangup(ctx, telephony.CauseNormal); err != nil {
		return fmt.Errorf("Hangup: %w", err)
	}
	ev, err = r.finish()
	if err != nil {
		return err
	}
	return expectHangup(ev, telephony.CauseNormal, telephony.PartyUs)
}

func (s *suite) outcome(t *testing.T, d telephony.Driver, o Outcome) {
	if err := s.playOutcome(t.Context(), d, s.req(t, o), o); err != nil {
		t.Fatal(err)
	}
}

// answered dials the human number and waits for the answer.
func (s *suite) answered(t *testing.T, d telephony.Driver, audio bool) (telephony.Call, *recorder) {
	t.Helper()
	req := s.req(t, Human)
	req.Audio = audio
	c := s.originate(t, d, req)
	r := s.rec(c)
	ev, err := r.until(telephony.EventAnswered)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != telephony.EventAnswered {
		t.Fatalf("human number not answered: %v cause %v", kinds(r.evs), ev.Cause)
	}
	return c, r
}

func (s *suite) hangupBy(t *testing.T, c telephony.Call, r *recorder, cause telephony.Cause) {
	t.Helper()
	if err := c.Hangup(t.Context(), cause); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	ev, err := r.finish()
	if err != nil {
		t.Fatal(err)
	}
	if err := expectHangup(ev, cause, telephony.PartyUs); err != nil {
		t.Fatal(err)
	}
	if err := c.Hangup(t.Context(), cause); err != nil {
		t.Errorf("second Hangup: %v, want nil", err)
	}
}

func (s *suite) hangupBeforeRinging(t *testing.T, d telephony.Driver) {
	c := s.originate(t, d, s.req(t, Human))
	r := s.rec(c)
	s.hangupBy(t, c, r, telephony.CauseCanceled)
	if r.saw(telephony.EventAnswered) {
		t.Errorf("answered after an immediate hangup: %v", kinds(r.evs))
	}
}

func (s *suite) hangupWhileRinging(t *testing.T, d telephony.Driver) {
	o := NoAnswer
	if s.h.Numbers[o] == "" {
		o = Human
	}
	c := s.originate(t, d, s.req(t, o))
	r := s.rec(c)
	ev, err := r.next()
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != telephony.EventRinging {
		t.Fatalf("first event %v, want ringing", ev.Kind)
	}
	s.hangupBy(t, c, r, telephony.CauseCanceled)
	if r.saw(telephony.EventAnswered) {
		t.Errorf("answered after hangup while ringing: %v", kinds(r.evs))
	}
}

func (s *suite) hangupAfterAnswer(t *testing.T, d telephony.Driver) {
	c, r := s.answered(t, d, false)
	s.hangupBy(t, c, r, telephony.CauseNormal)
}

func (s *suite) leg(t *testing.T, d telephony.Driver) telephony.AgentLeg {
	t.Helper()
	leg, err := d.OpenAgentLeg(t.Context(), s.h.Station)
	if err != nil {
		t.Fatalf("OpenAgentLeg: %v", err)
	}
	if leg.Station() != s.h.Station {
		t.Errorf("Station() = %q, want %q", leg.Station(), s.h.Station)
	}
	return leg
}

func (s *suite) hangupAfterConnect(t *testing.T, d telephony.Driver) {
	leg := s.leg(t, d)
	defer leg.Close()
	c, r := s.answered(t, d, false)
	if err := c.Connect(t.Context(), leg); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	s.hangupBy(t, c, r, telephony.CauseNormal)
	if err := leg.Close(); err != nil {
		t.Errorf("leg Close: %v", err)
	}
	if err := leg.Close(); err != nil {
		t.Errorf("second leg Close: %v", err)
	}
}

func (s *suite) connectRemoteHangup(t *testing.T, d telephony.Driver) {
	leg := s.leg(t, d)
	defer leg.Close()
	c, r := s.answered(t, d, false)
	if err := c.Connect(t.Context(), leg); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	ev, err := r.finish()
	if err != nil {
		t.Fatal(err)
	}
	if err := expectHangup(ev, telephony.CauseNormal, telephony.PartyNetwork); err != nil {
		t.Fatal(err)
	}
	// The leg outlives the call and takes the next one.
	c2, r2 := s.answered(t, d, false)
	if err := c2.Connect(t.Context(), leg); err != nil {
		t.Fatalf("Connect the leg's second call: %v", err)
	}
	s.hangupBy(t, c2, r2, telephony.CauseNormal)
}

func (s *suite) play(t *testing.T, d telephony.Driver) {
	c, r := s.answered(t, d, false)
	if err := c.Play(t.Context(), s.h.Sound); err != nil {
		t.Fatalf("Play on an answered call: %v", err)
	}
	if r.ended {
		t.Fatal("call ended during Play")
	}
	s.hangupBy(t, c, r, telephony.CauseNormal)
}

func (s *suite) errors(t *testing.T, d telephony.Driver) {
	leg := s.leg(t, d)
	defer leg.Close()
	c := s.originate(t, d, s.req(t, Human))
	r := s.rec(c)
	if err := c.Connect(t.Context(), leg); !errors.Is(err, telephony.ErrNotAnswered) {
		t.Errorf("Connect before answer: %v, want ErrNotAnswered", err)
	}
	if err := c.Play(t.Context(), s.h.Sound); !errors.Is(err, telephony.ErrNotAnswered) {
		t.Errorf("Play before answer: %v, want ErrNotAnswered", err)
	}
	s.hangupBy(t, c, r, telephony.CauseCanceled)
	if err := c.Connect(t.Context(), leg); !errors.Is(err, telephony.ErrHungUp) {
		t.Errorf("Connect after hangup: %v, want ErrHungUp", err)
	}
	if err := c.Play(t.Context(), s.h.Sound); !errors.Is(err, telephony.ErrHungUp) {
		t.Errorf("Play after hangup: %v, want ErrHungUp", err)
	}

	// An answered call that the far end hung up.
	c2, r2 := s.answered(t, d, false)
	if err := c2.Connect(t.Context(), leg); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if _, err := r2.finish(); err != nil {
		t.Fatal(err)
	}
	if err := c2.Play(t.Context(), s.h.Sound); !errors.Is(err, telephony.ErrHungUp) {
		t.Errorf("Play after the far end hung up: %v, want ErrHungUp", err)
	}
	if err := c2.Hangup(t.Context(), telephony.CauseNormal); err != nil {
		t.Errorf("Hangup after the far end hung up: %v, want nil", err)
	}
}

func (s *suite) cancel(t *testing.T, d telephony.Driver) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if c, err := d.Originate(ctx, s.req(t, Human)); !errors.Is(err, context.Canceled) || c != nil {
		t.Errorf("Originate with a cancelled ctx: %v, %v; want no call and context.Canceled", c, err)
	}
	if l, err := d.OpenAgentLeg(ctx, s.h.Station); !errors.Is(err, context.Canceled) {
		t.Errorf("OpenAgentLeg with a cancelled ctx: %v, want context.Canceled", err)
		if l != nil {
			l.Close()
		}
	}
	leg := s.leg(t, d)
	defer leg.Close()
	c, r := s.answered(t, d, false)
	if err := c.Play(ctx, s.h.Sound); !errors.Is(err, context.Canceled) {
		t.Errorf("Play with a cancelled ctx: %v, want context.Canceled", err)
	}
	if err := c.Connect(ctx, leg); !errors.Is(err, context.Canceled) {
		t.Errorf("Connect with a cancelled ctx: %v, want context.Canceled", err)
	}
	// The call is still up and ours to end.
	if r.ended {
		t.Fatal("call ended by a cancelled request")
	}
	s.hangupBy(t, c, r, telephony.CauseNormal)
}

func (s *suite) close(t *testing.T, d telephony.Driver) {
	leg := s.leg(t, d)
	connected, rc := s.answered(t, d, false)
	if err := connected.Connect(t.Context(), leg); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	answered, ra := s.answered(t, d, false)
	ringing := s.originate(t, d, s.req(t, Human))
	rr := s.rec(ringing)
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, r := range []*recorder{rc, ra, rr} {
		ev, err := r.finish()
		if err != nil {
			t.Error(err)
			continue
		}
		if ev.Kind != telephony.EventHangup {
			t.Errorf("call %s: last event %v", r.c.ID(), ev.Kind)
		}
	}
	if _, err := d.Originate(t.Context(), s.req(t, Human)); !errors.Is(err, telephony.ErrClosed) {
		t.Errorf("Originate after Close: %v, want ErrClosed", err)
	}
	if _, err := d.OpenAgentLeg(t.Context(), s.h.Station); !errors.Is(err, telephony.ErrClosed) {
		t.Errorf("OpenAgentLeg after Close: %v, want ErrClosed", err)
	}
	if err := answered.Hangup(t.Context(), telephony.CauseNormal); err != nil {
		t.Errorf("Hangup after Close: %v, want nil", err)
	}
	if err := connected.Connect(t.Context(), leg); !errors.Is(err, telephony.ErrClosed) && !errors.Is(err, telephony.ErrHungUp) {
		t.Errorf("Connect after Close: %v, want ErrClosed or ErrHungUp", err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := leg.Close(); err != nil {
		t.Errorf("leg Close after driver Close: %v", err)
	}
}

func (s *suite) audio(t *testing.T, d telephony.Driver) {
	c, r := s.answered(t, d, true)
	audio := c.Audio()
	if audio == nil {
		t.Fatal("Audio() is nil on a call that asked for audio")
	}
	const want = 50 // one second
	timer := time.NewTimer(s.h.Wait)
	defer timer.Stop()
	var energy float64
	for i := 0; i < want; i++ {
		select {
		case f, ok := <-audio:
			if !ok {
				t.Fatalf("audio closed after %d frames while the call is up", i)
			}
			if len(f) != telephony.FrameSamples {
				t.Fatalf("frame %d has %d samples, want %d", i, len(f), telephony.FrameSamples)
			}
			for _, v := range f {
				energy += float64(v) * float64(v)
			}
		case <-timer.C:
			t.Fatalf("%d audio frames in %v, want %d", i, s.h.Wait, want)
		}
	}
	if energy == 0 {
		t.Error("a second of digital silence: the audio path delivers zeros")
	}
	s.hangupBy(t, c, r, telephony.CauseNormal)
	timer.Reset(s.h.Wait)
	for {
		select {
		case _, ok := <-audio:
			if !ok {
				return
			}
		case <-timer.C:
			t.Fatal("audio not closed after the hangup")
		}
	}
}

func (s *suite) noAudio(t *testing.T, d telephony.Driver) {
	c, r := s.answered(t, d, false)
	if c.Audio() != nil {
		t.Error("Audio() is not nil on a call that did not ask for audio")
	}
	s.hangupBy(t, c, r, telephony.CauseNormal)
}

func (s *suite) concurrent(t *testing.T, d telephony.Driver) {
	var claimed []Outcome
	for _, o := range outcomes {
		if s.h.Numbers[o] != "" {
			claimed = append(claimed, o)
		}
	}
	var wg sync.WaitGroup
	var ok atomic.Int64
	for i := range s.h.Concurrency {
		o := claimed[i%len(claimed)]
		req := s.req(t, o)
		wg.Go(func() {
			if err := s.playOutcome(t.Context(), d, req, o); err != nil {
				t.Errorf("call %d (%s): %v", i, o, err)
				return
			}
			ok.Add(1)
		})
	}
	wg.Wait()
	if int(ok.Load()) != s.h.Concurrency {
		t.Errorf("%d of %d concurrent calls behaved", ok.Load(), s.h.Concurrency)
	}
}
