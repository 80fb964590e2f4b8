package sim

import (
	"math"
	"math/rand/v2"
	"testing"
)

// rms of x.
func rms(x []int16) float64 {
	if len(x) == 0 {
		return 0
	}
	s := 0.0
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}

// envelope is the RMS of each 10 ms block.
func envelope(x []int16) []float64 {
	const blk = sampleRate / 100
	var out []float64
	for i := 0; i+blk <= len(x); i += blk {
		out = append(out, rms(x[i:i+blk]))
	}
	return out
}

// goertzel is the power of x at freq.
func goertzel(x []int16, freq float64) float64 {
	w := 2 * math.Pi * freq / sampleRate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s0 := float64(v) + c*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - c*s1*s2
}

// pitch estimates the fundamental of x between 80 and 400 Hz by
// normalised autocorrelation; it returns the frequency and the
// correlation at that lag (near 1 for voiced sound, near 0 for noise).
func pitch(x []int16) (float64, float64) {
	best, bestLag := -1.0, 0
	for lag := sampleRate / 400; lag <= sampleRate/80; lag++ {
		var xy, xx, yy float64
		for i := 0; i+lag < len(x); i++ {
			a, b := float64(x[i]), float64(x[i+lag])
			xy += a * b
			xx += a * a
			yy += b * b
		}
		if c := xy / math.Sqrt(xx*yy+1e-9); c > best {
			best, bestLag = c, lag
		}
	}
	return float64(sampleRate) / float64(bestLag), best
}

const loud = 300.0 // RMS above which a 10 ms block is sound, not line noise

func TestSynthHuman(t *testing.T) {
	for seed := range uint64(15) {
		r := rand.New(rand.NewPCG(seed, 7))
		clip := Synthesize(Human, r)
		env := envelope(clip)
		first, last := -1, -1
		for i, e := range env {
			if e > loud {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if first < 0 {
			t.Fatalf("seed %d: no speech", seed)
		}
		onset := float64(first) / 100
		burst := float64(last-first+1) / 100
		if onset < 0.19 || onset > 1.55 {
			t.Errorf("seed %d: speech starts at %.2fs, want 0.2–1.5 s of line noise first", seed, onset)
		}
		if burst < 0.25 || burst > 0.95 {
			t.Errorf("seed %d: \"¿Aló?\" lasts %.2fs, want 0.3–0.9 s", seed, burst)
		}
		if lead := rms(clip[:max(0, first-3)*80]); lead > 30 {
			t.Errorf("seed %d: leading line noise RMS %.0f", seed, lead)
		}
		// Voiced: strongly periodic at a speaking pitch, in the first syllable.
		mid := (first + 6) * 80
		f0, corr := pitch(clip[mid : mid+480])
		if f0 < 90 || f0 > 280 || corr < 0.6 {
			t.Errorf("seed %d: pitch %.0f Hz (correlation %.2f), want a voiced 100–250 Hz", seed, f0, corr)
		}
		// Then silence: the clip ends in line noise.
		if tail := rms(clip[len(clip)-1600:]); tail > 30 {
			t.Errorf("seed %d: tail RMS %.0f, want silence", seed, tail)
		}
	}
}

func TestSynthMachine(t *testing.T) {
	for seed := range uint64(10) {
		r := rand.New(rand.NewPCG(seed, 8))
		clip := Synthesize(Machine, r)
		secs := float64(len(clip)) / sampleRate
		if secs < 3.3 || secs > 14.5 {
			t.Errorf("seed %d: clip %.1fs, want a 3–12 s greeting plus a beep", seed, secs)
		}
		// The beep: the clip's last 150 ms is a pure 1000 or 1400 Hz tone.
		tail := clip[len(clip)-1200:]
		total := goertzel(tail, 1000) + goertzel(tail, 1400)
		var energy float64
		for _, v := range tail {
			energy += float64(v) * float64(v)
		}
		// Goertzel power of a sine of amplitude A over N samples is (A·N/2)²;
		// energy is A²·N/2: the tone's share is power / (energy·N/2).
		if share := total / (energy * float64(len(tail)) / 2); share < 0.9 {
			t.Errorf("seed %d: beep share %.2f at 1000/1400 Hz", seed, share)
		}
		// The greeting: syllable bursts separated by dips, in phrases with
		// pauses.
		env := envelope(clip[:len(clip)-int(0.5*sampleRate)])
		bursts, pauses, quiet := 0, 0, 0
		in := false
		for _, e := range env {
			switch {
			case e > 2*loud && !in:
				in = true
				bursts++
				if quiet >= 20 {
					pauses++
				}
				quiet = 0
			case e < loud:
				in = false
				quiet++
			}
		}
		rate := float64(bursts) / secs
		if rate < 2 || rate > 9 {
			t.Errorf("seed %d: %.1f syllables/s, want a speaking rate", seed, rate)
		}
		if pauses < 1 {
			t.Errorf("seed %d: no pause of 200 ms or more in a %.1fs greeting", seed, secs)
		}
	}
}

func TestSynthTones(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	fax := Synthesize(Fax, r)
	// Find CNG bursts: 0.5 s of 1100 Hz every 3.5 s.
	env := envelope(fax)
	var starts []int
	on := false
	for i, e := range env {
		if e > loud && !on {
			starts = append(starts, i)
		}
		on = e > loud
	}
	if len(starts) != 4 {
		t.Fatalf("%d CNG bursts, want 4", len(starts))
	}
	for i := 1; i < len(starts); i++ {
		if d := starts[i] - starts[i-1]; d < 348 || d > 352 {
			t.Errorf("CNG period %d0 ms, want 3500", d)
		}
	}
	burst := fax[starts[0]*80+400 : starts[0]*80+3600]
	if g, o := goertzel(burst, 1100), goertzel(burst, 2100); g < 100*o {
		t.Errorf("CNG not at 1100 Hz: %.3g vs %.3g", g, o)
	}
	firsts := map[float64]bool{913.8: true, 985.2: true, 950: true}
	for seed := range uint64(12) {
		r := rand.New(rand.NewPCG(seed, 9))
		sit := Synthesize(Invalid, r)
		env := envelope(sit)
		k := 0
		for env[k] < loud {
			k++
		}
		seg := sit[(k+2)*80 : (k+2)*80+1600]
		best, bestF := 0.0, 0.0
		for f := range firsts {
			if g := goertzel(seg, f); g > best {
				best, bestF = g, f
			}
		}
		if g2 := goertzel(seg, 1776.7); best < 50*g2 {
			t.Errorf("seed %d: first SIT segment not a pure first-segment tone (%.0f Hz)", seed, bestF)
		}
		if secs := float64(len(sit)) / sampleRate; secs < 3 || secs > 6.5 {
			t.Errorf("seed %d: intercept %.1fs, want noise, SIT (about 1 s), noise and a 2–4 s announcement", seed, secs)
		}
	}
	if Synthesize(Busy, r) != nil || Synthesize(NoAnswer, r) != nil {
		t.Error("audio for an unanswered kind")
	}
}

func TestSyntheticPool(t *testing.T) {
	s := NewSyntheticPool(3)
	r := rand.New(rand.NewPCG(1, 1))
	distinct := map[*int16]bool{}
	for range 50 {
		c := s.Audio(Human, r)
		distinct[&c[0]] = true
	}
	if len(distinct) != 3 {
		t.Errorf("%d distinct clips from a pool of 3", len(distinct))
	}
}

func BenchmarkSynthesize(b *testing.B) {
	for _, k := range []Outcome{Human, Machine, Fax, Invalid} {
		b.Run(string(k), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			b.ReportAllocs()
			samples := 0
			for b.Loop() {
				samples += len(Synthesize(k, r))
			}
			b.ReportMetric(float64(samples)/sampleRate/float64(b.N), "audio-s/op")
		})
	}
}
