package sim

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/dialer/dialer/telephony"
)

// AudioSource gives the audio of answered calls.
type AudioSource interface {
	// Audio returns the whole clip, 8 kHz linear PCM, for one answered call
	// of that kind (human, machine, fax, or invalid for an intercept), or
	// nil for none. The network reads the clip and never modifies it, so a
	// source may return the same slice to many calls; after the clip the
	// network pads the call with low line noise. r belongs to the call; it
	// must not be kept. Audio is called from many goroutines at once.
	Audio(kind Outcome, r *rand.Rand) []int16
}

// ClipSource picks, per call, one of the clips given for its kind, uniformly;
// for a kind without clips it asks its fallback (nil: no audio, line noise
// only). The binary fills one from corpus recordings.
type ClipSource struct {
	clips    map[Outcome][][]int16
	fallback AudioSource
}

// NewClipSource copies the clip lists (not the clips) into a source.
func NewClipSource(clips map[Outcome][][]int16, fallback AudioSource) *ClipSource {
	s := &ClipSource{clips: map[Outcome][][]int16{}, fallback: fallback}
	for k, v := range clips {
		if len(v) > 0 {
			s.clips[k] = append([][]int16(nil), v...)
		}
	}
	return s
}

// Audio implements AudioSource.
func (s *ClipSource) Audio(kind Outcome, r *rand.Rand) []int16 {
	if c := s.clips[kind]; len(c) > 0 {
		return c[r.IntN(len(c))]
	}
	if s.fallback != nil {
		return s.fallback.Audio(kind, r)
	}
	return nil
}

// Len is the number of clips of a kind.
func (s *ClipSource) Len(kind Outcome) int { return len(s.clips[kind]) }

// Synthetic is the default AudioSource: synthetic, speech-like audio made by
// Synthesize. It keeps the first PoolSize clips of each kind it makes and
// then reuses them at random, so a busy network does not spend its CPU on
// synthesis.
type Synthetic struct {
	size int

	mu   sync.Mutex // guards pool
	pool map[Outcome][][]int16
}

// DefaultPoolSize is how many distinct clips of each kind Synthetic keeps.
const DefaultPoolSize = 32

// NewSynthetic returns a Synthetic source keeping DefaultPoolSize clips per
// kind.
func NewSynthetic() *Synthetic { return NewSyntheticPool(DefaultPoolSize) }

// NewSyntheticPool returns a Synthetic source keeping size clips per kind
// (size ≤ 0: synthesise every call's clip afresh).
func NewSyntheticPool(size int) *Synthetic {
	return &Synthetic{size: size, pool: map[Outcome][][]int16{}}
}

// Audio implements AudioSource.
func (s *Synthetic) Audio(kind Outcome, r *rand.Rand) []int16 {
	s.mu.Lock()
	if p := s.pool[kind]; s.size > 0 && len(p) >= s.size {
		c := p[r.IntN(len(p))]
		s.mu.Unlock()
		return c
	}
	s.mu.Unlock()
	c := Synthesize(kind, r)
	if c == nil || s.size <= 0 {
		return c
	}
	s.mu.Lock()
	if len(s.pool[kind]) < s.size {
		s.pool[kind] = append(s.pool[kind], c)
	}
	s.mu.Unlock()
	return c
}

// Synthesize makes one clip of 8 kHz audio for an answered call of a kind:
//
//   - human: 0.2–1.5 s of line noise, then "¿Aló?" (two voiced syllables,
//     300–900 ms, pitch 100–250 Hz rising at the end like a question), then
//     a short silence;
//   - machine: a 3–12 s greeting of phrases of speech-like syllables with
//     short pauses between words and longer ones between phrases, opening
//     with a long phrase, then a beep (1000 or 1400 Hz, 200–500 ms);
//   - fax: calling tone CNG, 1100 Hz for 0.5 s every 3.5 s, four times;
//   - invalid: special information tones (a Telcordia IC, VC, NC or RO
//     pattern, or the ITU 950/1400/1800 Hz one), then a 2–4 s announcement.
//
// Other kinds have no audio (nil). Voiced sound is a sum of harmonics of a
// drifting pitch, shaped by two vowel formants, under a syllable-rate
// envelope, with noise bursts for consonants: plausible to an energy,
// pitch and cadence based classifier, not intelligible.
func Synthesize(kind Outcome, r *rand.Rand) []int16 {
	var b synth
	b.r = r
	switch kind {
	case Human:
		b.noise(b.secs(0.2, 1.5))
		f0 := 100 + 150*r.Float64()
		total := b.secs(0.3, 0.9)
		first := int(float64(total) * (0.35 + 0.1*r.Float64()))
		amp := 5000 + 5000*r.Float64()
		b.syllable(first, f0*1.05, f0, amp, vowelA, false)
		b.noise(int(0.03 * sampleRate))
		b.syllable(total-first, f0, f0*(1.2+0.2*r.Float64()), amp*0.9, vowelO, true)
		b.noise(b.secs(0.2, 0.5))
	case Machine:
		b.noise(b.secs(0.1, 0.5))
		f0 := 90 + 140*r.Float64()
		amp := 4000 + 5000*r.Float64()
		end := len(b.out) + b.secs(3, 12)
		// A recorded greeting starts with a long phrase ("Hola, has llamado
		// a ..."), unlike a person's short "¿Aló?" and wait.
		b.phrase(f0, amp, end, 6+b.r.IntN(4))
		for len(b.out) < end {
			b.noise(b.secs(0.2, 0.5))
			b.phrase(f0, amp, end, 2+b.r.IntN(5))
		}
		b.noise(b.secs(0.3, 1.0))
		freq := 1000.0
		if r.IntN(2) == 1 {
			freq = 1400
		}
		b.tone(b.secs(0.2, 0.5), amp*1.2, freq)
	case Fax:
		b.noise(b.secs(0.2, 0.6))
		for range 4 {
			b.tone(int(0.5*sampleRate), 6000, 1100)
			b.noise(3 * sampleRate)
		}
	case Invalid:
		b.noise(b.secs(0.1, 0.3))
		pat := sitPatterns[r.IntN(len(sitPatterns))]
		for _, seg := range pat {
			b.tone(int(seg.dur*sampleRate), 7000, seg.freq)
		}
		b.noise(b.secs(0.1, 0.3))
		f0 := 110 + 60*r.Float64()
		end := len(b.out) + b.secs(2, 4)
		for len(b.out) < end {
			b.phrase(f0, 6000, end, 3+b.r.IntN(4))
			b.noise(b.secs(0.2, 0.4))
		}
	default:
		return nil
	}
	out := make([]int16, len(b.out))
	for i, v := range b.out {
		out[i] = int16(max(-32767, min(32767, math.Round(v))))
	}
	return out
}

const sampleRate = telephony.SampleRate

// lineNoiseSD is the standard deviation of line noise (about -68 dBFS).
const lineNoiseSD = 12

func lineNoise(r *rand.Rand) int16 { return int16(r.NormFloat64() * lineNoiseSD) }

type sitSeg struct{ freq, dur float64 }

// sitPatterns are special information tone sequences (Telcordia GR-1162:
// segment frequencies low/high, durations short 274 ms / long 380 ms; and
// the ITU-T E.180 variant).
var sitPatterns = [][3]sitSeg{
	{{913.8, 0.274}, {1370.6, 0.274}, {1776.7, 0.380}}, // IC intercept
	{{985.2, 0.380}, {1370.6, 0.274}, {1776.7, 0.380}}, // VC vacant code
	{{985.2, 0.380}, {1428.5, 0.380}, {1776.7, 0.380}}, // NC no circuit
	{{913.8, 0.274}, {1428.5, 0.380}, {1776.7, 0.380}}, // RO reorder
	{{950, 0.330}, {1400, 0.330}, {1800, 0.330}},       // ITU
}

// vowel formants (F1, F2) in Hz.
type vowel struct{ f1, f2 float64 }

var (
	vowelA = vowel{730, 1090}
	vowelE = vowel{530, 1840}
	vowelI = vowel{300, 2200}
	vowelO = vowel{500, 900}
	vowelU = vowel{330, 870}
	vowels = []vowel{vowelA, vowelE, vowelI, vowelO, vowelU}
)

// synth appends audio to out.
type synth struct {
	r   *rand.Rand
	out []float64
}

func (b *synth) secs(lo, hi float64) int {
	return int((lo + (hi-lo)*b.r.Float64()) * sampleRate)
}

func (b *synth) noise(n int) {
	for range n {
		b.out = append(b.out, b.r.NormFloat64()*lineNoiseSD)
	}
}

// tone appends a sine with 5 ms raised-cosine ramps, over line noise.
func (b *synth) tone(n int, amp, freq float64) {
	ramp := 0.005 * sampleRate
	w := 2 * math.Pi * freq / sampleRate
	for i := range n {
		g := 1.0
		if fi := float64(i); fi < ramp {
			g = 0.5 - 0.5*math.Cos(math.Pi*fi/ramp)
		} else if fe := float64(n - 1 - i); fe < ramp {
			g = 0.5 - 0.5*math.Cos(math.Pi*fe/ramp)
		}
		b.out = append(b.out, amp*g*math.Sin(w*float64(i))+b.r.NormFloat64()*lineNoiseSD)
	}
}

// phrase appends words of 1–3 syllables with short gaps between them,
// stopping at end; pitch declines over the phrase.
func (b *synth) phrase(f0, amp float64, end, words int) {
	start := f0 * (1.05 + 0.15*b.r.Float64())
	for w := range words {
		if len(b.out) >= end {
			return
		}
		syl := 1 + b.r.IntN(3)
		for s := range syl {
			if len(b.out) >= end {
				return
			}
			pos := float64(w*3+s) / float64(words*3)
			fa := start * (1 - 0.25*pos)
			fb := fa * (0.92 + 0.12*b.r.Float64())
			a := amp * (0.6 + 0.4*b.r.Float64())
			b.syllable(b.secs(0.12, 0.28), fa, fb, a, vowels[b.r.IntN(len(vowels))], b.r.Float64() < 0.7)
		}
		b.noise(b.secs(0.03, 0.12))
	}
}

// syllable appends an optional consonant (a 20–60 ms high-passed noise burst)
// and a voiced vowel of n samples in all: harmonics of a pitch gliding from
// f0a to f0b (with a little jitter), weighted by the vowel's formants, under
// a rise-and-fall envelope.
func (b *synth) syllable(n int, f0a, f0b, amp float64, v vowel, consonant bool) {
	if consonant {
		m := min(n/3, b.secs(0.02, 0.06))
		prev := 0.0
		for range m {
			x := b.r.NormFloat64()
			b.out = append(b.out, amp*0.12*(x-0.9*prev))
			prev = x
		}
		n -= m
	}
	var phase float64
	var weights [48]float64
	var nh int
	const block = 80 // recompute harmonic weights every 10 ms
	jitter := 0.0
	for i := range n {
		t := float64(i) / float64(max(n-1, 1))
		if i%block == 0 {
			jitter = 0.01 * b.r.NormFloat64()
			f0 := f0a + (f0b-f0a)*t
			nh = min(len(weights), int(3400/f0))
			norm := 0.0
			for k := 1; k <= nh; k++ {
				f := float64(k) * f0
				g := 1/(1+sq((f-v.f1)/90)) + 0.5/(1+sq((f-v.f2)/120)) + 0.08/float64(k)
				weights[k-1] = g
				norm += g
			}
			for k := range nh {
				weights[k] /= norm / 2.5
			}
		}
		f0 := (f0a + (f0b-f0a)*t) * (1 + jitter)
		phase += 2 * math.Pi * f0 / sampleRate
		if phase > 2*math.Pi {
			phase -= 2 * math.Pi
		}
		s := 0.0
		for k := 1; k <= nh; k++ {
			s += weights[k-1] * math.Sin(float64(k)*phase)
		}
		// Fast attack, slower decay: a syllable's energy envelope.
		env := math.Pow(math.Sin(math.Pi*math.Min(1, t*1.15)), 0.6)
		b.out = append(b.out, amp*env*s*0.5+b.r.NormFloat64()*lineNoiseSD)
	}
}

func sq(x float64) float64 { return x * x }
