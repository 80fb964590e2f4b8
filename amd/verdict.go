package amd

import "time"

// Kind is what a verdict says about the call.
type Kind int

// Verdict kinds. A Detector reports at most one final kind (every kind except
// Beep) per call, then, after Machine only, at most one Beep.
const (
	Unknown Kind = iota // the time limit passed without a decision
	Human               // a live person: connect an agent
	Machine             // an answering machine or voicemail greeting
	Beep                // the voicemail beep after a Machine verdict
	Fax                 // a fax machine (CNG or CED tone)
	SIT                 // special information tones: the number or route does not work
	Silence             // dead air: nothing was heard
)

var kindNames = [...]string{"unknown", "human", "machine", "beep", "fax", "sit", "silence"}

// String returns the kind's lower-case name as used in JSON and logs.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "unknown"
	}
	return kindNames[k]
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), true
		}
	}
	return Unknown, false
}

// SITKind tells which special information tone sequence was heard
// (Telcordia GR-1162 segment frequencies and lengths).
type SITKind string

// SIT kinds. SITUnspecified is a SIT whose tones do not tell the reason
// (the ITU-T 950/1400/1800 Hz sequence, or an unusual combination).
const (
	SITIntercept   SITKind = "intercept"
	SITVacant      SITKind = "vacant"
	SITNoCircuit   SITKind = "no-circuit"
	SITReorder     SITKind = "reorder"
	SITUnspecified SITKind = "unknown"
)

// Verdict is one decision of a detector.
type Verdict struct {
	Kind Kind
	// At is the audio time, from the start of the stream (the answer), at
	// which the decision was reached: the end of the 10 ms block that
	// settled it.
	At time.Duration
	// BeepAt is the onset of the beep and BeepLen its length (Kind Beep).
	BeepAt, BeepLen time.Duration
	// Hz is the tone frequency for Beep, Fax (CNG/CED) and the first SIT segment.
	Hz float64
	// SIT is set for Kind SIT.
	SIT SITKind
	// Reason is a short explanation for logs ("long greeting", "CED", ...).
	Reason string
}

// Final reports whether no further verdict can follow v on the same call
// (every kind except Machine, after which a Beep may come).
func (v Verdict) Final() bool { return v.Kind != Machine }
