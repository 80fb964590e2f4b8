package amd

import (
	"math"
	"math/rand/v2"
	"time"
)

// Test signals: 8 kHz audio built piece by piece, with known event times.

type sig struct {
	s   []int16
	rng *rand.Rand
}

func newSig(seed uint64) *sig { return &sig{rng: rand.New(rand.NewPCG(seed, 1))} }

func (g *sig) ms() int { return len(g.s) / 8 }

func (g *sig) add(v float64) {
	g.s = append(g.s, int16(max(-32768, min(32767, math.Round(v)))))
}

// silence appends ms of silence.
func (g *sig) silence(ms int) *sig {
	for range ms * 8 {
		g.add(0)
	}
	return g
}

// tone appends ms of sine tones at amplitude amp (full scale 1) each.
func (g *sig) tone(ms int, amp float64, hz ...float64) *sig {
	start := len(g.s)
	for i := range ms * 8 {
		var v float64
		for _, f := range hz {
			v += amp * 32767 * math.Sin(2*math.Pi*f*float64(start+i)/SampleRate)
		}
		g.add(v)
	}
	return g
}

// word appends a speech-like sound of ms: a glottal-pulse-like harmonic
// complex whose pitch glides (so it is no steady tone) under a syllable
// envelope, at peak amplitude amp.
func (g *sig) word(ms int, amp float64) *sig {
	f0 := 110 + 120*g.rng.Float64()
	glide := (g.rng.Float64() - 0.5) * 60
	n := ms * 8
	phase := 0.0
	var w [40]float64 // harmonic weights, refreshed every 10 ms
	for i := range n {
		t := float64(i) / float64(n)
		f := f0 + glide*t + 8*math.Sin(2*math.Pi*5*float64(i)/SampleRate)
		phase += 2 * math.Pi * f / SampleRate
		nh := min(len(w), int(3400/f))
		if i%80 == 0 {
			for k := 1; k <= nh; k++ {
				// Two formant-like humps.
				fk := float64(k) * f
				w[k-1] = math.Exp(-math.Pow((fk-600)/300, 2)) + 0.6*math.Exp(-math.Pow((fk-1700)/400, 2)) + 0.05
			}
		}
		// sin(k·phase) by the Chebyshev recurrence.
		c2 := 2 * math.Cos(phase)
		s1, s0 := math.Sin(phase), 0.0
		var v float64
		for k := 1; k <= nh; k++ {
			v += w[k-1] * s1
			s1, s0 = c2*s1-s0, s1
		}
		env := math.Sin(math.Pi*t) * (0.7 + 0.3*math.Sin(2*math.Pi*4*float64(i)/SampleRate))
		g.add(amp * 32767 * 0.35 * env * v)
	}
	return g
}

// talk appends words separated by gaps until ms have passed.
func (g *sig) talk(ms int, amp float64, gapMS int) *sig {
	end := g.ms() + ms
	for g.ms() < end {
		g.word(min(150+g.rng.IntN(300), max(10, end-g.ms())), amp)
		if g.ms() < end {
			g.silence(min(gapMS, end-g.ms()))
		}
	}
	return g
}

// noise adds white noise of RMS level dbfs over the whole signal.
func (g *sig) noise(dbfs float64) *sig {
	a := 32767 * math.Pow(10, dbfs/20)
	for i := range g.s {
		v := float64(g.s[i]) + a*g.rng.NormFloat64()
		g.s[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return g
}

// run classifies the signal with the default Detector.
func (g *sig) run(cfg Config) []Verdict { return Classify(New(cfg), g.s, 6*time.Second) }

func msOf(d time.Duration) int { return int(d / time.Millisecond) }
