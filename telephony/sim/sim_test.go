package sim

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/dialer/dialer/internal/clock"
	"github.com/dialer/dialer/telephony"
)

// fixedConfig gives constant times and one number per outcome.
func fixedConfig() Config {
	return Config{
		RingTime: Constant(5 * time.Second),
		PostDial: Constant(time.Second),
		Greeting: Constant(4 * time.Second),
		Patience: Constant(6 * time.Second),
		TalkTime: Constant(20 * time.Second),
		WrapTime: Constant(3 * time.Second),
		Fixed: map[string]Outcome{
			"+1000": Human, "+1001": Machine, "+1002": Busy, "+1003": Invalid,
			"+1004": Fax, "+1005": Congestion, "+1006": NoAnswer,
		},
	}
}

func mustNew(t *testing.T, cfg Config, opts ...Option) *Network {
	t.Helper()
	n, err := New(cfg, clock.Real, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// drain reads every event of a call until the channel closes.
func drain(t *testing.T, c telephony.Call) []telephony.Event {
	t.Helper()
	var out []telephony.Event
	for ev := range c.Events() {
		out = append(out, ev)
	}
	return out
}

func TestTimeline(t *testing.T) {
	tests := []struct {
		num       string
		kinds     []telephony.EventKind
		atOffsets []time.Duration
		cause     telephony.Cause
	}{
		{"+1000", []telephony.EventKind{telephony.EventRinging, telephony.EventAnswered, telephony.EventHangup}, []time.Duration{time.Second, 5 * time.Second, 11 * time.Second}, telephony.CauseNormal},
		{"+1001", []telephony.EventKind{telephony.EventRinging, telephony.EventAnswered, telephony.EventHangup}, []time.Duration{time.Second, 5 * time.Second, 39 * time.Second}, telephony.CauseNormal},
		{"+1002", []telephony.EventKind{telephony.EventHangup}, []time.Duration{time.Second}, telephony.CauseBusy},
		{"+1003", []telephony.EventKind{telephony.EventHangup}, []time.Duration{time.Second}, telephony.CauseInvalid},
		{"+1004", []telephony.EventKind{telephony.EventRinging, telephony.EventAnswered, telephony.EventHangup}, []time.Duration{time.Second, 5 * time.Second, 45 * time.Second}, telephony.CauseNormal},
		{"+1005", []telephony.EventKind{telephony.EventHangup}, []time.Duration{time.Second}, telephony.CauseCongestion},
		{"+1006", []telephony.EventKind{telephony.EventRinging, telephony.EventHangup}, []time.Duration{time.Second, 25 * time.Second}, telephony.CauseNoAnswer},
	}
	for _, tc := range tests {
		t.Run(tc.num, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := mustNew(t, fixedConfig())
				start := time.Now()
				c, err := n.Originate(t.Context(), telephony.OriginateRequest{AttemptID: "a1", Number: tc.num, Timeout: 25 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				evs := drain(t, c)
				if len(evs) != len(tc.kinds) {
					t.Fatalf("events %v, want kinds %v", evs, tc.kinds)
				}
				for i, ev := range evs {
					if ev.Kind != tc.kinds[i] || ev.At.Sub(start) != tc.atOffsets[i] {
						t.Errorf("event %d = %v at +%v, want %v at +%v", i, ev.Kind, ev.At.Sub(start), tc.kinds[i], tc.atOffsets[i])
					}
				}
				last := evs[len(evs)-1]
				if last.Cause != tc.cause || last.By != telephony.PartyNetwork {
					t.Errorf("hangup %v by %v, want %v by network", last.Cause, last.By, tc.cause)
				}
				truth, ok := n.Truth("a1")
				if !ok || string(truth) == "" || truth != n.cfg.Fixed[tc.num] {
					t.Errorf("truth %q %v, want %q", truth, ok, n.cfg.Fixed[tc.num])
				}
			})
		})
	}
}

func TestConnectTalk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := mustNew(t, fixedConfig())
		leg, err := n.OpenAgentLeg(t.Context(), "SIP/agent1")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		c, err := n.Originate(t.Context(), telephony.OriginateRequest{AttemptID: "a1", Number: "+1000", Timeout: 25 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Connect(t.Context(), leg); !errors.Is(err, telephony.ErrNotAnswered) {
			t.Fatalf("connect before answer: %v", err)
		}
		for ev := range c.Events() {
			if ev.Kind == telephony.EventAnswered {
				break
			}
		}
		time.Sleep(time.Second)
		if err := c.Connect(t.Context(), leg); err != nil {
			t.Fatal(err)
		}
		// Patience (6 s) no longer applies: the person talks 20 s.
		ev := <-c.Events()
		if ev.Kind != telephony.EventHangup || ev.By != telephony.PartyNetwork || ev.At.Sub(start) != 26*time.Second {
			t.Fatalf("hangup %+v at +%v", ev, ev.At.Sub(start))
		}
		// The leg is free again.
		c2, _ := n.Originate(t.Context(), telephony.OriginateRequest{AttemptID: "a2", Number: "+1000", Timeout: 25 * time.Second})
		for ev := range c2.Events() {
			if ev.Kind == telephony.EventAnswered {
				break
			}
		}
		if err := c2.Connect(t.Context(), leg); err != nil {
			t.Fatalf("reuse leg: %v", err)
		}
		if s := n.Stats(); s.Connected != 2 || s.Answered != 2 {
			t.Errorf("stats %+v", s)
		}
	})
}

func TestConfigValidation(t *testing.T) {
	c := DefaultConfig()
	c.Human = 0.9
	c.RingTime.Kind = "gaussian"
	c.Fixed = map[string]Outcome{"+34600000000": "robot"}
	_, err := New(c, clock.Real)
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("err %v", err)
	}
	for _, want := range []string{"sum", "ring_time", "fixed[+3460*****00]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if _, err := New(DefaultConfig(), clock.Real); err != nil {
		t.Fatalf("default config: %v", err)
	}
}

func TestLogsMaskNumbers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		cfg := fixedConfig()
		cfg.Fixed["+34915550123"] = Busy
		n := mustNew(t, cfg, WithLogger(log))
		c := originate(t, n, "a1", "+34915550123", false)
		untilKind(t, c, telephony.EventHangup)
		n.Close() // the call's goroutine has logged its end
		out := buf.String()
		if !strings.Contains(out, "a1") || !strings.Contains(out, "+3491*****23") {
			t.Errorf("log lacks the attempt or the masked number:\n%s", out)
		}
		if strings.Contains(out, "915550123") {
			t.Errorf("log shows the number:\n%s", out)
		}
	})
}

func TestTruthForgetsOldest(t *testing.T) {
	n := mustNew(t, fixedConfig())
	const keep = 1000
	n.keep = keep
	n.mu.Lock()
	for i := range keep + 10 {
		n.rememberLocked(fmt.Sprint(i), Human)
	}
	n.mu.Unlock()
	if _, ok := n.Truth("0"); ok {
		t.Error("oldest truth kept beyond TruthKept")
	}
	if _, ok := n.Truth("9"); ok {
		t.Error("10th oldest truth kept beyond TruthKept")
	}
	if o, ok := n.Truth("10"); !ok || o != Human {
		t.Error("truth within TruthKept forgotten")
	}
	if o, ok := n.Truth(fmt.Sprint(keep + 9)); !ok || o != Human {
		t.Error("newest truth forgotten")
	}
	if len(n.truth) != keep {
		t.Errorf("%d truths kept", len(n.truth))
	}
}
