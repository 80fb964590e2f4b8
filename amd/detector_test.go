package amd

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func kinds(vs []Verdict) []Kind {
	var k []Kind
	for _, v := range vs {
		k = append(k, v.Kind)
	}
	return k
}

func TestHumanShortGreeting(t *testing.T) {
	for _, noise := range []float64{-90, -60, -45} {
		for _, amp := range []float64{0.05, 0.3, 0.9} {
			t.Run(fmt.Sprintf("noise%v/amp%v", noise, amp), func(t *testing.T) {
				g := newSig(1).silence(700).word(550, amp)
				end := g.ms()
				g.silence(3000).noise(noise)
				vs := g.run(Config{})
				if !slices.Equal(kinds(vs), []Kind{Human}) {
					t.Fatalf("verdicts %v, want [human]", vs)
				}
				lag := msOf(vs[0].At) - end
				if lag < 150 || lag > 700 {
					t.Errorf("human verdict %d ms after the word ended, want 150..700", lag)
				}
			})
		}
	}
}

func TestHumanTwoWordsThenHelloAgain(t *testing.T) {
	g := newSig(2).silence(400).word(300, 0.3).silence(150).word(350, 0.3)
	end := g.ms()
	g.silence(1800).word(400, 0.6).silence(1500).noise(-55)
	vs := g.run(Config{})
	if len(vs) != 1 || vs[0].Kind != Human {
		t.Fatalf("verdicts %v, want one human", vs)
	}
	if lag := msOf(vs[0].At) - end; lag > 900 {
		t.Errorf("human verdict %d ms after the greeting, want ≤ 900", lag)
	}
}

func TestMachineThenBeep(t *testing.T) {
	for _, hz := range []float64{440, 1000, 1400, 2000} {
		t.Run(fmt.Sprint(hz), func(t *testing.T) {
			g := newSig(3).silence(300).talk(6000, 0.4, 120).silence(600)
			beep := g.ms()
			g.tone(400, 0.2, hz).silence(1500).noise(-50)
			vs := g.run(Config{})
			if !slices.Equal(kinds(vs), []Kind{Machine, Beep}) {
				t.Fatalf("verdicts %v, want [machine beep]", vs)
			}
			if at := msOf(vs[0].At); at < 2500 || at > 3200 {
				t.Errorf("machine verdict at %d ms, want 2500..3200", at)
			}
			b := vs[1]
			if d := msOf(b.BeepAt) - beep; d < -20 || d > 20 {
				t.Errorf("beep onset %v, want %d ms ±20", b.BeepAt, beep)
			}
			if d := msOf(b.BeepLen) - 400; d < -30 || d > 30 {
				t.Errorf("beep length %v, want 400 ms", b.BeepLen)
			}
			if b.Hz < hz*0.98 || b.Hz > hz*1.02 {
				t.Errorf("beep at %.1f Hz, want %v", b.Hz, hz)
			}
			if b.At < b.BeepAt+b.BeepLen {
				t.Errorf("beep reported at %v, before it ended", b.At)
			}
		})
	}
}

func TestRingbackIsNoBeep(t *testing.T) {
	g := newSig(4).silence(200).talk(4000, 0.4, 100).silence(300)
	for range 3 { // US ringback: 440+480 Hz, 2 s on, 4 s off (shortened off)
		g.tone(2000, 0.15, 440, 480).silence(1000)
	}
	vs := g.noise(-60).run(Config{})
	if !slices.Equal(kinds(vs), []Kind{Machine}) {
		t.Fatalf("verdicts %v, want [machine] and no beep", vs)
	}
}

func TestFax(t *testing.T) {
	cng := newSig(5).silence(500)
	for range 3 {
		cng.tone(500, 0.2, 1100).silence(3000)
	}
	ced := newSig(6).silence(300).tone(3000, 0.2, 2100).silence(1000)
	for name, g := range map[string]*sig{"CNG": cng, "CED": ced} {
		t.Run(name, func(t *testing.T) {
			vs := g.noise(-50).run(Config{})
			if len(vs) != 1 || vs[0].Kind != Fax || vs[0].Reason != name {
				t.Fatalf("verdicts %v, want fax by %s", vs, name)
			}
			if at := msOf(vs[0].At); at > 1100 {
				t.Errorf("fax verdict at %d ms, want ≤ 1100", at)
			}
		})
	}
}

func TestSIT(t *testing.T) {
	const s, l = 274, 380
	cases := []struct {
		want   SITKind
		f1, f2 float64
		d1, d2 int
		f3     float64
		d3     int
	}{
		{SITIntercept, 913.8, 1370.6, s, s, 1776.7, l},
		{SITVacant, 985.2, 1370.6, l, s, 1776.7, l},
		{SITNoCircuit, 985.2, 1428.5, l, l, 1776.7, l},
		{SITNoCircuit, 913.8, 1370.6, l, l, 1776.7, l},
		{SITReorder, 913.8, 1428.5, s, l, 1776.7, l},
		{SITReorder, 985.2, 1370.6, s, l, 1776.7, l},
		{SITUnspecified, 950, 1400, 330, 330, 1800, 330},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%v/%v", c.want, c.f1, c.f2), func(t *testing.T) {
			// Plain, and after a click of speech-like noise (the first
			// segments must not pass for a voicemail beep).
			for _, lead := range []int{0, 100} {
				g := newSig(7).silence(400).word(lead, 0.3).silence(200).tone(c.d1, 0.2, c.f1).tone(c.d2, 0.2, c.f2).tone(c.d3, 0.2, c.f3)
				end := g.ms()
				g.silence(100).talk(3000, 0.3, 100).noise(-40)
				vs := g.run(Config{})
				if len(vs) != 1 || vs[0].Kind != SIT || vs[0].SIT != c.want {
					t.Fatalf("lead %d ms: verdicts %+v, want sit %s", lead, vs, c.want)
				}
				if at := msOf(vs[0].At); at > end {
					t.Errorf("SIT verdict at %d ms, after the third tone ended (%d)", at, end)
				}
			}
		})
	}
}

func TestSilenceAndUnknown(t *testing.T) {
	vs := newSig(8).silence(7000).noise(-45).run(Config{})
	if len(vs) != 1 || vs[0].Kind != Silence || msOf(vs[0].At) != 4000 {
		t.Fatalf("dead air: verdicts %v, want silence at 4000 ms", vs)
	}
	// Talk that starts late and goes on past the time limit.
	vs = newSig(9).silence(3500).talk(4000, 0.3, 80).noise(-60).run(Config{})
	if len(vs) != 1 || vs[0].Kind != Unknown || msOf(vs[0].At) != 5000 {
		t.Fatalf("late talk: verdicts %v, want unknown at 5000 ms", vs)
	}
	// A shorter limit is honoured.
	vs = newSig(10).silence(1000).noise(-45).run(Config{InitialSilenceMS: 700})
	if len(vs) != 1 || vs[0].Kind != Silence || msOf(vs[0].At) != 700 {
		t.Fatalf("initial_silence_ms 700: verdicts %v", vs)
	}
}

func TestNoiseFloorAdapts(t *testing.T) {
	// Loud line noise, then a level step up of the noise: steady noise is
	// never speech, and a word on top of it is still heard.
	g := newSig(11).silence(1500).noise(-40)
	step := newSig(12).silence(1500).noise(-33)
	g.s = append(g.s, step.s...)
	w := newSig(13).word(500, 0.5)
	end := g.ms() + 500
	g.s = append(g.s, w.s...)
	tail := newSig(14).silence(2500).noise(-33)
	g.s = append(g.s, tail.s...)
	vs := g.run(Config{InitialSilenceMS: 10000, MaxTimeMS: 10000})
	if len(vs) != 1 || vs[0].Kind != Human {
		t.Fatalf("verdicts %v, want human", vs)
	}
	if lag := msOf(vs[0].At) - end; lag < 0 || lag > 900 {
		t.Errorf("human verdict %d ms after the word", lag)
	}
}

func TestFrameSizesAgree(t *testing.T) {
	g := newSig(15).silence(300).talk(5000, 0.3, 150).silence(500).tone(300, 0.3, 1400).silence(1000).noise(-50)
	want := Classify(New(Config{}), g.s, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		d := New(Config{})
		var got []Verdict
		for i := 0; i < len(g.s); {
			n := min(len(g.s)-i, rng.IntN(500))
			if v, ok := d.Write(g.s[i : i+n]); ok {
				got = append(got, v)
			}
			i += n
		}
		for range 2 {
			if v, ok := d.Write(nil); ok {
				got = append(got, v)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("random frame sizes: %v, 20 ms frames: %v", got, want)
		}
	}
	if !slices.Equal(kinds(want), []Kind{Machine, Beep}) {
		t.Fatalf("verdicts %v, want machine, beep", want)
	}
}

func TestDoneAfterFinalVerdict(t *testing.T) {
	d := New(Config{})
	g := newSig(16).silence(300).word(400, 0.3).silence(2000)
	vs := Classify(d, g.s, 0)
	if len(vs) != 1 || !d.Done() {
		t.Fatalf("verdicts %v, done %v", vs, d.Done())
	}
	more := newSig(17).talk(3000, 0.4, 100).tone(500, 0.3, 1000)
	if v, ok := d.Write(more.s); ok {
		t.Fatalf("verdict %v after the final one", v)
	}
}

func TestKindString(t *testing.T) {
	for k := Unknown; k <= Silence; k++ {
		if got, ok := ParseKind(k.String()); !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, ok)
		}
	}
	if Kind(99).String() != "unknown" {
		t.Error("out-of-range kind")
	}
	if (Verdict{Kind: Machine}).Final() || !(Verdict{Kind: Human}).Final() {
		t.Error("Final")
	}
	_ = time.Second
}
