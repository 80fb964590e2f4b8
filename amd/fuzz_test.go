package amd

import (
	"encoding/binary"
	"testing"
	"time"
)

// FuzzDetector feeds arbitrary audio in arbitrary frame sizes to both
// classifiers and checks the verdict contract.
func FuzzDetector(f *testing.F) {
	seed := func(g *sig) []byte {
		b := make([]byte, 2*len(g.s))
		for i, v := range g.s {
			binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
		}
		return b
	}
	f.Add(seed(newSig(40).silence(200).word(300, 0.5).silence(600)), uint16(160), uint16(400))
	f.Add(seed(newSig(41).silence(100).talk(3000, 0.8, 100).silence(300).tone(200, 0.5, 1000)), uint16(37), uint16(2600))
	f.Add(seed(newSig(42).tone(600, 0.3, 2100)), uint16(1), uint16(0))
	f.Add(seed(newSig(43).tone(274, 0.3, 913.8).tone(274, 0.3, 1370.6).tone(380, 0.3, 1776.7)), uint16(161), uint16(700))
	f.Add([]byte{0xff, 0x7f, 0x00, 0x80, 0xff, 0x7f, 0x00, 0x80}, uint16(3), uint16(50))
	dc := make([]byte, 40000) // a step to full scale: its high-passed decay once hit slow subnormal floats
	for i := 1; i < len(dc); i += 2 {
		dc[i] = 0x7f
	}
	f.Add(dc, uint16(169), uint16(0))
	f.Fuzz(func(t *testing.T, b []byte, frame, human uint16) {
		s := make([]int16, len(b)/2)
		for i := range s {
			s[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
		}
		n := int(frame%400) + 1
		// Any config, even one Validate refuses, must not make it panic.
		cfg := Config{HumanSilenceMS: int(human % 3000), ShortGreetingMS: int(human % 5000), MachineGreetingMS: int(human % 4000)}
		for _, c := range []Classifier{New(cfg), NewBaseline(BaselineConfig{})} {
			var vs []Verdict
			for i := 0; i <= len(s); i += n {
				if v, ok := c.Write(s[i:min(i+n, len(s))]); ok {
					vs = append(vs, v)
				}
			}
			for range 3 {
				if v, ok := c.Write(nil); ok {
					vs = append(vs, v)
				}
			}
			audio := time.Duration(len(s)) * time.Second / SampleRate
			var last time.Duration
			for i, v := range vs {
				if v.At < last || v.At > audio {
					t.Fatalf("verdict %d at %v: audio is %v, previous at %v", i, v.At, audio, last)
				}
				last = v.At
				switch {
				case i == 0 && v.Kind == Beep:
					t.Fatal("beep before a machine verdict")
				case i == 1 && (vs[0].Kind != Machine || v.Kind != Beep):
					t.Fatalf("second verdict %v after %v", v.Kind, vs[0].Kind)
				case i > 1:
					t.Fatalf("%d verdicts", len(vs))
				}
				if v.Kind == Beep && (v.BeepAt+v.BeepLen > v.At || v.BeepLen <= 0) {
					t.Fatalf("beep %+v", v)
				}
			}
		}
	})
}
