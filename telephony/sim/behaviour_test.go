package sim

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/dialer/dialer/telephony"
)

func originate(t *testing.T, n *Network, id, num string, audio bool) telephony.Call {
	t.Helper()
	c, err := n.Originate(t.Context(), telephony.OriginateRequest{AttemptID: id, Number: num, Timeout: 25 * time.Second, Audio: audio})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func untilKind(t *testing.T, c telephony.Call, k telephony.EventKind) telephony.Event {
	t.Helper()
	for ev := range c.Events() {
		if ev.Kind == k {
			return ev
		}
		if ev.Kind == telephony.EventHangup {
			t.Fatalf("hangup (%v) while waiting for %v", ev.Cause, k)
		}
	}
	t.Fatalf("events closed while waiting for %v", k)
	return telephony.Event{}
}

// TestAudioFraming plays a known machine clip and checks every frame: paced
// 20 ms apart from the answer, the clip's samples in order, then line
// noise, and the machine hanging up MachineSilence after its clip.
func TestAudioFraming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clip := make([]int16, 3*telephony.SampleRate+57) // not a whole number of frames
		for i := range clip {
			clip[i] = int16(1000 + i%20000)
		}
		src := NewClipSource(map[Outcome][][]int16{Machine: {clip}}, nil)
		n := mustNew(t, fixedConfig(), WithAudio(src))
		c := originate(t, n, "a1", "+1001", true)
		ans := untilKind(t, c, telephony.EventAnswered)
		var got []int16
		frames := 0
		for f := range c.Audio() {
			frames++
			if len(f) != telephony.FrameSamples {
				t.Fatalf("frame of %d samples", len(f))
			}
			if d := time.Since(ans.At); d != time.Duration(frames)*frameDur {
				t.Fatalf("frame %d at +%v after answer, want +%v", frames, d, time.Duration(frames)*frameDur)
			}
			got = append(got, f...)
		}
		hang := untilKind(t, c, telephony.EventHangup)
		clipLen := time.Duration(len(clip)) * time.Second / telephony.SampleRate
		if d := hang.At.Sub(ans.At); d != clipLen+30*time.Second {
			t.Errorf("machine hung up %v after answer, want clip %v + 30 s", d, clipLen)
		}
		if want := int((clipLen + 30*time.Second) / frameDur); frames != want {
			t.Errorf("%d frames, want %d", frames, want)
		}
		for i, v := range clip {
			if got[i] != v {
				t.Fatalf("sample %d = %d, want %d", i, got[i], v)
			}
		}
		for i, v := range got[len(clip):] {
			if v > 100 || v < -100 {
				t.Fatalf("padding sample %d = %d, want low line noise", i, v)
			}
		}
		if s := n.Stats(); s.AudioFrames != frames || s.AudioDropped != 0 {
			t.Errorf("stats frames %d dropped %d, want %d, 0", s.AudioFrames, s.AudioDropped, frames)
		}
	})
}

func TestAudioSlowReaderDrops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := mustNew(t, fixedConfig())
		c := originate(t, n, "a1", "+1000", true)
		untilKind(t, c, telephony.EventAnswered)
		time.Sleep(5 * time.Second) // patience is 6 s; nobody reads audio
		synctest.Wait()
		s := n.Stats()
		if s.AudioFrames != AudioBuffer || s.AudioDropped != 250-AudioBuffer {
			t.Errorf("sent %d dropped %d, want %d and %d", s.AudioFrames, s.AudioDropped, AudioBuffer, 250-AudioBuffer)
		}
		hang := untilKind(t, c, telephony.EventHangup) // the network went on regardless
		if hang.By != telephony.PartyNetwork {
			t.Errorf("hangup by %v", hang.By)
		}
		k := 0
		for range c.Audio() {
			k++
		}
		if k != AudioBuffer {
			t.Errorf("%d buffered frames, want %d", k, AudioBuffer)
		}
	})
}

func TestInvalidIntercept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := fixedConfig()
		cfg.InvalidIntercept = 1
		n := mustNew(t, cfg)
		c := originate(t, n, "a1", "+1003", true)
		var evs []telephony.Event
		for ev := range c.Events() {
			evs = append(evs, ev)
		}
		if len(evs) != 2 || evs[0].Kind != telephony.EventAnswered || evs[1].Cause != telephony.CauseInvalid || evs[1].By != telephony.PartyNetwork {
			t.Fatalf("events %+v, want answered then hangup invalid by network", evs)
		}
		// Without audio the intercept is not answered.
		c2 := originate(t, n, "a2", "+1003", false)
		if ev := <-c2.Events(); ev.Kind != telephony.EventHangup || ev.Cause != telephony.CauseInvalid {
			t.Fatalf("without audio: %+v", ev)
		}
	})
}

func TestLegs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		n := mustNew(t, fixedConfig())
		other := mustNew(t, fixedConfig())
		leg, err := n.OpenAgentLeg(ctx, "SIP/a")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.OpenAgentLeg(ctx, "SIP/a"); !errors.Is(err, ErrStationInUse) {
			t.Errorf("second leg on a station: %v", err)
		}
		if _, err := n.OpenAgentLeg(ctx, ""); !errors.Is(err, ErrBadRequest) {
			t.Errorf("empty station: %v", err)
		}
		foreign, _ := other.OpenAgentLeg(ctx, "SIP/x")
		c1 := originate(t, n, "a1", "+1000", false)
		c2 := originate(t, n, "a2", "+1000", false)
		untilKind(t, c1, telephony.EventAnswered)
		untilKind(t, c2, telephony.EventAnswered)
		if err := c1.Connect(ctx, foreign); !errors.Is(err, ErrForeignLeg) {
			t.Errorf("connect to another network's leg: %v", err)
		}
		if err := c1.Connect(ctx, leg); err != nil {
			t.Fatal(err)
		}
		if err := c1.Connect(ctx, leg); err != nil {
			t.Errorf("connecting again to the same leg: %v", err)
		}
		if err := c2.Connect(ctx, leg); !errors.Is(err, ErrLegBusy) {
			t.Errorf("connect to a busy leg: %v", err)
		}
		// The agent's leg closes: the bridged call ends, the other does not.
		if err := leg.Close(); err != nil {
			t.Fatal(err)
		}
		if ev := untilKind(t, c1, telephony.EventHangup); ev.By != telephony.PartyUs || ev.Cause != telephony.CauseNormal {
			t.Errorf("bridged call ended %+v", ev)
		}
		if err := c2.Connect(ctx, leg); !errors.Is(err, ErrForeignLeg) {
			t.Errorf("connect to a closed leg: %v", err)
		}
		leg2, err := n.OpenAgentLeg(ctx, "SIP/a")
		if err != nil {
			t.Fatalf("reopen station after close: %v", err)
		}
		if err := c2.Connect(ctx, leg2); err != nil {
			t.Fatal(err)
		}
		if s := n.Stats(); s.Legs != 1 || s.Connected != 2 || s.Active != 1 {
			t.Errorf("stats %+v", s)
		}
	})
}

func TestOriginateErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := mustNew(t, fixedConfig())
		ctx := t.Context()
		if _, err := n.Originate(ctx, telephony.OriginateRequest{Number: "+1000"}); !errors.Is(err, ErrBadRequest) {
			t.Errorf("no attempt id: %v", err)
		}
		if _, err := n.Originate(ctx, telephony.OriginateRequest{AttemptID: "x"}); !errors.Is(err, ErrBadRequest) {
			t.Errorf("no number: %v", err)
		}
		c := originate(t, n, "a1", "+1000", false)
		if _, err := n.Originate(ctx, telephony.OriginateRequest{AttemptID: "a1", Number: "+1000"}); !errors.Is(err, ErrDuplicateAttempt) {
			t.Errorf("duplicate attempt: %v", err)
		}
		c.Hangup(ctx, telephony.CauseCanceled)
		// Once ended, the id may be dialled again (a retry keeps its id only
		// if the engine wants it to).
		if _, err := n.Originate(ctx, telephony.OriginateRequest{AttemptID: "a1", Number: "+1002"}); err != nil {
			t.Errorf("reuse an ended attempt id: %v", err)
		}
	})
}

func TestDefaultRingTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := mustNew(t, fixedConfig())
		start := time.Now()
		c, err := n.Originate(t.Context(), telephony.OriginateRequest{AttemptID: "a", Number: "+1006"})
		if err != nil {
			t.Fatal(err)
		}
		if ev := untilKind(t, c, telephony.EventHangup); ev.At.Sub(start) != DefaultRingTimeout || ev.Cause != telephony.CauseNoAnswer {
			t.Errorf("hangup %+v at +%v", ev, ev.At.Sub(start))
		}
	})
}

func TestPlay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := mustNew(t, fixedConfig(), WithSoundLength(func(s string) time.Duration {
			if s == "long" {
				return time.Minute
			}
			return 2 * time.Second
		}))
		c := originate(t, n, "a1", "+1000", false)
		untilKind(t, c, telephony.EventAnswered)
		start := time.Now()
		if err := c.Play(t.Context(), "short"); err != nil || time.Since(start) != 2*time.Second {
			t.Fatalf("play: %v after %v", err, time.Since(start))
		}
		// Patience (6 s) runs out during a long message.
		if err := c.Play(t.Context(), "long"); !errors.Is(err, telephony.ErrHungUp) || time.Since(start) != 6*time.Second {
			t.Fatalf("play into a hang-up: %v after %v", err, time.Since(start))
		}
		c2 := originate(t, n, "a2", "+1000", false)
		untilKind(t, c2, telephony.EventAnswered)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if err := c2.Play(ctx, "long"); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("play past its ctx: %v", err)
		}
		done := make(chan error)
		go func() { done <- c2.Play(t.Context(), "long") }()
		synctest.Wait()
		n.Close()
		if err := <-done; !errors.Is(err, telephony.ErrHungUp) {
			t.Fatalf("play during Close: %v", err)
		}
		if s := n.Stats(); s.Plays != 4 {
			t.Errorf("plays %d, want 4", s.Plays)
		}
	})
}

func TestCloseCauses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := mustNew(t, fixedConfig())
		ringing := originate(t, n, "a1", "+1006", false)
		answered := originate(t, n, "a2", "+1000", false)
		untilKind(t, answered, telephony.EventAnswered)
		untilKind(t, ringing, telephony.EventRinging)
		n.Close()
		if ev := untilKind(t, ringing, telephony.EventHangup); ev.Cause != telephony.CauseCanceled || ev.By != telephony.PartyUs {
			t.Errorf("ringing call closed with %+v", ev)
		}
		if ev := untilKind(t, answered, telephony.EventHangup); ev.Cause != telephony.CauseNormal || ev.By != telephony.PartyUs {
			t.Errorf("answered call closed with %+v", ev)
		}
		if s := n.Stats(); s.Active != 0 || s.Ended != 2 || s.ByUs != 2 || s.Causes[telephony.CauseCanceled] != 1 {
			t.Errorf("stats %+v", s)
		}
	})
}

func TestClipSource(t *testing.T) {
	a, b := []int16{1}, []int16{2}
	fallback := NewClipSource(map[Outcome][][]int16{Fax: {{9}}}, nil)
	s := NewClipSource(map[Outcome][][]int16{Human: {a, b}, Machine: nil}, fallback)
	r := rand.New(rand.NewPCG(1, 1))
	seen := map[int16]int{}
	for range 1000 {
		seen[s.Audio(Human, r)[0]]++
	}
	if seen[1] < 400 || seen[2] < 400 || len(seen) != 2 {
		t.Errorf("picks %v, want both clips about evenly", seen)
	}
	if got := s.Audio(Fax, r); len(got) != 1 || got[0] != 9 {
		t.Errorf("fallback: %v", got)
	}
	if got := s.Audio(Machine, r); got != nil {
		t.Errorf("no clip and no fallback clip: %v", got)
	}
	if s.Len(Human) != 2 || s.Len(Machine) != 0 {
		t.Errorf("Len %d %d", s.Len(Human), s.Len(Machine))
	}
}
