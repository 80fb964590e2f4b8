package amd

import "testing"

func TestG711KnownValues(t *testing.T) {
	for _, c := range []struct {
		code byte
		ulaw int16
		alaw int16
	}{
		{0x00, -32124, -5504},
		{0x80, 32124, 5504},
		{0xff, 0, 848},
		{0x7f, 0, -848},
		{0xd5, 716, 8},
		{0x55, -716, -8},
	} {
		if got := ULawToLinear(c.code); got != c.ulaw {
			t.Errorf("µ-law %#x = %d, want %d", c.code, got, c.ulaw)
		}
		if got := ALawToLinear(c.code); got != c.alaw {
			t.Errorf("A-law %#x = %d, want %d", c.code, got, c.alaw)
		}
	}
}

func TestG711RoundTrip(t *testing.T) {
	for c := range 256 {
		if c != 0x7f { // µ-law has two zeros; 0 encodes as 0xff
			if got := LinearToULaw(ULawToLinear(byte(c))); got != byte(c) {
				t.Errorf("µ-law %#x → %d → %#x", c, ULawToLinear(byte(c)), got)
			}
		}
		if got := LinearToALaw(ALawToLinear(byte(c))); got != byte(c) {
			t.Errorf("A-law %#x → %d → %#x", c, ALawToLinear(byte(c)), got)
		}
	}
	// Quantisation error stays within half a step (steps grow with level).
	for v := -32768; v <= 32767; v += 7 {
		s := int16(v)
		mag := max(v, -v)
		step := 16 + mag/16 // generous: the largest step at this level
		if d := int(ULawToLinear(LinearToULaw(s))) - v; max(d, -d) > step {
			t.Fatalf("µ-law %d → %d", v, ULawToLinear(LinearToULaw(s)))
		}
		if d := int(ALawToLinear(LinearToALaw(s))) - v; max(d, -d) > step {
			t.Fatalf("A-law %d → %d", v, ALawToLinear(LinearToALaw(s)))
		}
	}
	got := DecodeULaw(nil, []byte{0x00, 0xff})
	if len(got) != 2 || got[0] != -32124 || got[1] != 0 {
		t.Errorf("DecodeULaw %v", got)
	}
	got = DecodeALaw(got[:0], []byte{0xd5})
	if len(got) != 1 || got[0] != 8 {
		t.Errorf("DecodeALaw %v", got)
	}
}
