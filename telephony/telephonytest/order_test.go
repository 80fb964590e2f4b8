package telephonytest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dialer/dialer/telephony"
)

// scripted is a Call whose events are given; only ID and Events are used
// by the recorder under test.
type scripted struct {
	telephony.Call
	ch chan telephony.Event
}

func (s scripted) ID() string                     { return "x" }
func (s scripted) Events() <-chan telephony.Event { return s.ch }
func (s scripted) Hangup(context.Context, telephony.Cause) error {
	return nil
}

func script(evs []telephony.Event, closeAfter bool) scripted {
	ch := make(chan telephony.Event, len(evs))
	for _, ev := range evs {
		ch <- ev
	}
	if closeAfter {
		close(ch)
	}
	return scripted{ch: ch}
}

// TestRecorder checks that the suite's event checker accepts every lawful
// sequence and rejects the others: the suite is only as good as this.
func TestRecorder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	R, A, H := telephony.EventRinging, telephony.EventAnswered, telephony.EventHangup
	ev := func(k telephony.EventKind, s int) telephony.Event { return telephony.Event{Kind: k, At: at(s)} }
	tests := []struct {
		name   string
		evs    []telephony.Event
		closed bool
		err    string // "" for a lawful sequence
	}{
		{"ring answer hangup", []telephony.Event{ev(R, 1), ev(A, 2), ev(H, 3)}, true, ""},
		{"hangup only", []telephony.Event{ev(H, 1)}, true, ""},
		{"answer without ringing", []telephony.Event{ev(A, 1), ev(H, 1)}, true, ""},
		{"ring hangup", []telephony.Event{ev(R, 1), ev(H, 5)}, true, ""},
		{"two ringing", []telephony.Event{ev(R, 1), ev(R, 2), ev(H, 3)}, true, "ringing after ringing"},
		{"ringing after answer", []telephony.Event{ev(A, 1), ev(R, 2), ev(H, 3)}, true, "ringing after answered"},
		{"two answered", []telephony.Event{ev(A, 1), ev(A, 2), ev(H, 3)}, true, "answered after answered"},
		{"event after hangup", []telephony.Event{ev(H, 1), ev(A, 2)}, true, "after the hangup"},
		{"time goes back", []telephony.Event{ev(R, 2), ev(H, 1)}, true, "before"},
		{"no time", []telephony.Event{{Kind: H}}, true, "without a time"},
		{"unknown kind", []telephony.Event{ev(telephony.EventKind(9), 1)}, true, "unknown event kind"},
		{"closed without hangup", []telephony.Event{ev(R, 1)}, true, "closed before a hangup"},
		{"never closed", []telephony.Event{ev(H, 1)}, false, "not closed"},
		{"silence", nil, false, "no event"},
	}
	for _, tc := range tests {
		r := &recorder{c: script(tc.evs, tc.closed), wait: time.Millisecond}
		_, err := r.finish()
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: rejected: %v", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.err)
		}
	}
}

func TestExpectHangup(t *testing.T) {
	h := telephony.Event{Kind: telephony.EventHangup, Cause: telephony.CauseBusy, By: telephony.PartyNetwork}
	if err := expectHangup(h, telephony.CauseBusy, telephony.PartyNetwork); err != nil {
		t.Error(err)
	}
	if err := expectHangup(h, telephony.CauseNoAnswer, telephony.PartyNetwork); err == nil {
		t.Error("wrong cause accepted")
	}
	if err := expectHangup(h, telephony.CauseBusy, telephony.PartyUs); err == nil {
		t.Error("wrong party accepted")
	}
	if err := expectHangup(telephony.Event{Kind: telephony.EventAnswered}, telephony.CauseNormal, telephony.PartyNetwork); err == nil {
		t.Error("answered accepted as a hangup")
	}
}
