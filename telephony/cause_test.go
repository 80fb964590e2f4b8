package telephony

import "testing"

func TestCauseFromQ850(t *testing.T) {
	tests := []struct {
		code int
		want Cause
	}{
		{16, CauseNormal}, // normal clearing
		{31, CauseNormal}, // normal, unspecified
		{17, CauseBusy},
		{18, CauseNoAnswer}, // no user responding
		{19, CauseNoAnswer}, // no answer from user (user alerted)
		{1, CauseInvalid},   // unallocated number
		{2, CauseInvalid},   // no route to specified transit network
		{3, CauseInvalid},   // no route to destination
		{22, CauseInvalid},  // number changed
		{28, CauseInvalid},  // invalid number format
		{21, CauseRejected},
		{34, CauseCongestion}, // no circuit/channel available
		{38, CauseCongestion}, // network out of order
		{41, CauseCongestion}, // temporary failure
		{42, CauseCongestion}, // switching equipment congestion
		{44, CauseCongestion}, // requested circuit not available
		{47, CauseCongestion}, // resource unavailable
		{0, CauseFailed},
		{27, CauseFailed}, // destination out of order
		{57, CauseFailed}, // bearer capability not authorized
		{127, CauseFailed},
		{-1, CauseFailed},
	}
	for _, tc := range tests {
		if got := CauseFromQ850(tc.code); got != tc.want {
			t.Errorf("CauseFromQ850(%d) = %v, want %v", tc.code, got, tc.want)
		}
	}
}

func TestCauseFromSIP(t *testing.T) {
	tests := []struct {
		status int
		want   Cause
	}{
		{200, CauseNormal},
		{202, CauseNormal},
		{404, CauseInvalid}, // not found
		{604, CauseInvalid}, // does not exist anywhere
		{484, CauseInvalid}, // address incomplete
		{410, CauseInvalid}, // gone
		{486, CauseBusy},    // busy here
		{600, CauseBusy},    // busy everywhere
		{480, CauseNoAnswer},
		{408, CauseNoAnswer},
		{487, CauseNoAnswer}, // request terminated (ring timeout / our CANCEL)
		{603, CauseRejected}, // decline
		{500, CauseCongestion},
		{502, CauseCongestion},
		{503, CauseCongestion},
		{504, CauseCongestion},
		{599, CauseCongestion},
		{180, CauseFailed}, // provisional is not a final answer
		{302, CauseFailed},
		{403, CauseFailed},
		{488, CauseFailed},
		{606, CauseFailed},
		{0, CauseFailed},
	}
	for _, tc := range tests {
		if got := CauseFromSIP(tc.status); got != tc.want {
			t.Errorf("CauseFromSIP(%d) = %v, want %v", tc.status, got, tc.want)
		}
	}
}

func TestCauseString(t *testing.T) {
	tests := []struct {
		c    Cause
		want string
	}{
		{CauseNormal, "normal"}, {CauseBusy, "busy"}, {CauseNoAnswer, "no_answer"},
		{CauseInvalid, "invalid"}, {CauseRejected, "rejected"}, {CauseCongestion, "congestion"},
		{CauseFailed, "failed"}, {CauseCanceled, "canceled"}, {Cause(-1), "unknown"}, {Cause(99), "unknown"},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		got := tc.c.String()
		if got != tc.want {
			t.Errorf("Cause(%d).String() = %q, want %q", int(tc.c), got, tc.want)
		}
		if got != "unknown" && seen[got] {
			t.Errorf("two causes named %q", got)
		}
		seen[got] = true
	}
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[EventKind]string{EventRinging: "ringing", EventAnswered: "answered", EventHangup: "hangup", 0: "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("EventKind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}
