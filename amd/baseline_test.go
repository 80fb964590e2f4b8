package amd

import (
	"slices"
	"testing"
)

func TestBaseline(t *testing.T) {
	cases := []struct {
		name   string
		sig    *sig
		want   Kind
		reason string
		atMS   [2]int // verdict time range
	}{
		// One word, then 800 ms of silence.
		{"one word", newSig(30).silence(500).word(400, 0.4).silence(3000), Human, "silence after greeting", [2]int{1650, 1750}},
		// Three words in quick succession: the third means machine.
		{"three words", newSig(31).silence(300).word(250, 0.4).silence(150).word(250, 0.4).silence(150).word(300, 0.4).silence(3000), Machine, "maximum number of words", [2]int{1200, 1400}},
		{"initial silence", newSig(32).silence(4000), Machine, "initial silence", [2]int{2500, 2500}},
		{"long greeting", newSig(33).silence(300).word(2500, 0.9).silence(1000), Machine, "long greeting", [2]int{1500, 2200}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vs := Classify(NewBaseline(BaselineConfig{}), c.sig.s, 0)
			if len(vs) != 1 || vs[0].Kind != c.want || vs[0].Reason != c.reason {
				t.Fatalf("verdicts %+v, want %v (%s)", vs, c.want, c.reason)
			}
			if at := msOf(vs[0].At); at < c.atMS[0] || at > c.atMS[1] {
				t.Errorf("verdict at %d ms, want %d..%d", at, c.atMS[0], c.atMS[1])
			}
		})
	}
	// Quiet talk under the fixed threshold of 256 is silence to it: no time limit verdict before 5 s.
	vs := Classify(NewBaseline(BaselineConfig{InitialSilenceMS: 9000}), newSig(34).silence(6000).s, 0)
	if !slices.Equal(kinds(vs), []Kind{Unknown}) || msOf(vs[0].At) != 5000 {
		t.Errorf("time limit: %+v", vs)
	}
}
