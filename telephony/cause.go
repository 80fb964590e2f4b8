package telephony

// Cause is a normalised reason a call ended, the same for every driver.
type Cause int

const (
	// CauseNormal is normal clearing (Q.850 16), usually after an answer.
	CauseNormal Cause = iota
	// CauseBusy: user busy (Q.850 17, SIP 486/600).
	CauseBusy
	// CauseNoAnswer: no user responding, no answer, ring timeout (Q.850 18/19, SIP 480/408).
	CauseNoAnswer
	// CauseInvalid: unallocated number, no route, invalid format (Q.850 1/3/28, SIP 404/604/484).
	// The number should not be dialled again.
	CauseInvalid
	// CauseRejected: call rejected (Q.850 21, SIP 603).
	CauseRejected
	// CauseCongestion: no circuit, network out of order, temporary failure or
	// congestion (Q.850 34/38/41/42, SIP 503 and other 5xx). Retry soon.
	CauseCongestion
	// CauseFailed is any other failure.
	CauseFailed
	// CauseCanceled: we cancelled the call before it was answered.
	CauseCanceled
)

var causeNames = [...]string{"normal", "busy", "no_answer", "invalid", "rejected", "congestion", "failed", "canceled"}

func (c Cause) String() string {
	if c >= 0 && int(c) < len(causeNames) {
		return causeNames[c]
	}
	return "unknown"
}

// CauseFromQ850 maps an ISDN Q.850 cause code to a Cause.
func CauseFromQ850(code int) Cause {
	switch code {
	case 16, 31:
		return CauseNormal
	case 17:
		return CauseBusy
	case 18, 19:
		return CauseNoAnswer
	case 1, 2, 3, 22, 28:
		return CauseInvalid
	case 21:
		return CauseRejected
	case 34, 38, 41, 42, 44, 47:
		return CauseCongestion
	}
	return CauseFailed
}

// CauseFromSIP maps a final SIP response status to a Cause.
func CauseFromSIP(status int) Cause {
	switch {
	case status >= 200 && status < 300:
		return CauseNormal
	case status == 404 || status == 604 || status == 484 || status == 410:
		return CauseInvalid
	case status == 486 || status == 600:
		return CauseBusy
	case status == 480 || status == 408 || status == 487:
		return CauseNoAnswer
	case status == 603:
		return CauseRejected
	case status >= 500 && status < 600:
		return CauseCongestion
	}
	return CauseFailed
}
