package amd

import (
	"math"
	"time"
)

// Classifier is what the engine and the tools drive: a streaming classifier
// of one call's audio. Write takes 8 kHz linear PCM of any length (the engine
// sends 20 ms frames of 160 samples) and returns a verdict when one is
// reached. *Detector and *Baseline implement it.
type Classifier interface {
	Write(frame []int16) (Verdict, bool)
}

var (
	_ Classifier = (*Detector)(nil)
	_ Classifier = (*Baseline)(nil)
)

const (
	blockLen = 80 // samples analysed at once: 10 ms
	blockDur = 10 * time.Millisecond
)

// Detector is the streaming answering-machine detector of one call. It is not
// safe for concurrent use; make one per call with New.
type Detector struct {
	cfg Config

	buf  [blockLen]float64
	nbuf int
	hp   highPass
	blk  int // blocks analysed so far

	// Speech/silence with an adaptive noise floor (dB full scale).
	floor      float64
	floorInit  bool
	prevSpeech bool
	// Recent block energies (linear) and their 40 ms averages in dB, to
	// tell stationary noise (rises the floor fast) from speech.
	recentE  [4]float64
	recentDB [30]float64
	// The current run of speech blocks (gaps up to maxGap blocks bridged).
	inRun         bool
	runStart, gap int
	runLo, runHi  float64 // the run's highest 40 ms level (dBFS), and lowest after its onset
	runEnd        int     // block after the run's last speech block
	// Words: runs of at least MinWordMS.
	firstSpeech   int // block of the first word's start, -1 before
	lastSpeechEnd int // block after the last word's end

	// Tones: the current single-tone segment and the last closed ones.
	cur     toneSeg
	toneGap int
	hist    [3]toneSeg // hist[0] is the most recent

	machine   bool // a Machine verdict was given: look for the beep
	done      bool // no more verdicts
	beepFound bool
	pending   []Verdict
}

// toneSeg is a run of 10 ms blocks holding one steady single tone.
type toneSeg struct {
	start, end int // blocks [start, end)
	hzSum      float64
	active     bool
}

func (s toneSeg) n() int { return s.end - s.start }
func (s toneSeg) hz() float64 {
	if s.n() == 0 {
		return 0
	}
	return s.hzSum / float64(s.n())
}

// New returns a Detector for one call. Zero fields of cfg take the defaults;
// cfg should have passed Validate (out-of-range values are used as given).
func New(cfg Config) *Detector {
	return &Detector{cfg: cfg.withDefaults(), firstSpeech: -1}
}

// Write feeds audio and returns the next verdict, if any. Verdicts come in
// this order: one of Human, Machine, Fax, SIT, Silence or Unknown; after
// Machine only, a Beep may follow (as long as audio keeps coming, until
// BeepWindowMS). Audio after the last possible verdict is ignored. When one
// Write settles two verdicts, the second is returned by the next Write.
func (d *Detector) Write(frame []int16) (Verdict, bool) {
	for _, s := range frame {
		if d.done {
			break
		}
		d.buf[d.nbuf] = float64(s)
		d.nbuf++
		if d.nbuf == blockLen {
			d.nbuf = 0
			d.block()
		}
	}
	if len(d.pending) == 0 {
		return Verdict{}, false
	}
	v := d.pending[0]
	d.pending = d.pending[1:]
	return v, true
}

// Done reports whether no further verdict can come.
func (d *Detector) Done() bool { return d.done && len(d.pending) == 0 }

func (d *Detector) emit(v Verdict) {
	v.At = time.Duration(d.blk) * blockDur
	d.pending = append(d.pending, v)
	if v.Kind == Machine {
		d.machine = true // a Beep may follow
	} else {
		d.done = true
	}
}

// block analyses the 10 ms in d.buf.
func (d *Detector) block() {
	x := &d.buf
	d.hp.filter(x[:])
	var r0 float64
	for _, v := range x {
		r0 += v * v
	}
	db := 10 * math.Log10(r0/blockLen/(32768*32768)+1e-10)
	var noise float64
	if d.floorInit {
		noise = math.Pow(10, d.floor/10) * 32768 * 32768
	}
	hz, purity := singleTone(x, r0, noise)
	tonal := purity >= 0.75 && db > -50 && (!d.floorInit || db > d.floor+10) && hz >= 300 && hz <= 3400
	d.blk++ // the block now ends at d.blk

	// The noise floor starts at the first block's level.
	if !d.floorInit {
		d.floor, d.floorInit = max(db, -90), true
	}
	// Hysteresis: speech starts SpeechSNRDB above the floor and goes on
	// while it stays half as far above it.
	thr := d.floor + d.cfg.SpeechSNRDB
	if d.prevSpeech {
		thr = d.floor + d.cfg.SpeechSNRDB/2
	}
	speech := !tonal && db > max(thr, d.cfg.MinSpeechDBFS)
	d.prevSpeech = speech
	// A level that holds steady for 300 ms (within 4 dB, in 40 ms averages)
	// is noise, not speech, whose syllables rise and fall: let the floor
	// follow it at 20 dB/s instead of 3.
	d.recentE[d.blk%len(d.recentE)] = r0 / blockLen
	var e float64
	for _, v := range d.recentE {
		e += v
	}
	d.recentDB[d.blk%len(d.recentDB)] = 10 * math.Log10(e/float64(len(d.recentE))/(32768*32768)+1e-10)
	lo, hi := d.recentDB[0], d.recentDB[0]
	for _, v := range d.recentDB {
		lo, hi = min(lo, v), max(hi, v)
	}
	steady := d.blk >= len(d.recentDB) && hi-lo < 4
	// The floor falls fast and rises 3 dB/s (20 when steady); tones leave it.
	if !tonal {
		switch {
		case db < d.floor:
			d.floor += 0.3 * (max(db, -90) - d.floor)
		case steady:
			d.floor += min(db-d.floor, 0.2)
		default:
			d.floor += min(db-d.floor, 0.03)
		}
	}
	d.speech(speech, d.recentDB[d.blk%len(d.recentDB)])
	d.tone(tonal, hz)
	if !d.done && !d.machine {
		d.decide()
	}
	if d.machine && !d.done && d.blk*10 >= d.cfg.BeepWindowMS {
		d.done = true
	}
}

// singleTone estimates the frequency of a single sinusoid in x from the
// identity x[n] + x[n-2] = 2cos(ω)·x[n-1] (least squares; exact for a pure
// tone, with no window edge effects), less the bias that noise of power
// noise (per sample) puts into it, and returns it with the share of the
// block's energy that a Goertzel filter finds at that frequency or 12 Hz
// either side, whichever finds most.
func singleTone(x *[blockLen]float64, r0, noise float64) (hz, purity float64) {
	var num, den float64
	for i := 2; i < blockLen; i++ {
		num += (x[i] + x[i-2]) * x[i-1]
		den += x[i-1] * x[i-1]
	}
	if r0 <= 0 || den <= 0 {
		return 0, 0
	}
	den = max(den-noise*(blockLen-2), den/2)
	c := num / (2 * den)
	if c <= -1 || c >= 1 {
		return 0, 0
	}
	hz = math.Acos(c) * SampleRate / (2 * math.Pi)
	best := goertzel(x, c)
	const step = 12.0
	for _, f := range [2]float64{hz - step, hz + step} {
		if f <= 0 || f >= SampleRate/2 {
			continue
		}
		if p := goertzel(x, math.Cos(2*math.Pi*f/SampleRate)); p > best {
			best, hz = p, f
		}
	}
	return hz, 2 * best / (blockLen * r0)
}

// goertzel returns the power of x at the frequency whose cosine (per
// sample) is c.
func goertzel(x *[blockLen]float64, c float64) float64 {
	var s1, s2 float64
	k := 2 * c
	for _, v := range x {
		s := v + k*s1 - s2
		s2, s1 = s1, s
	}
	return s1*s1 + s2*s2 - k*s1*s2
}

// speech segments speech blocks into words. sdb is the block's 40 ms
// average level. The first word is a run of speech blocks that lasts
// MinWordMS and either rises 12 dB above the floor or moves by 3 dB inside
// (syllables do; a step in steady line noise does neither); after it, runs
// of 30 ms continue the talk.
func (d *Detector) speech(speech bool, sdb float64) {
	const maxGap = 3 // blocks of silence bridged inside a word
	minWord := max(1, d.cfg.MinWordMS/10)
	if d.firstSpeech >= 0 {
		// Once talk has begun, shorter bursts continue it: weak syllables
		// rise out of line noise only briefly.
		minWord = max(1, min(minWord, 3))
	}
	if speech {
		if !d.inRun {
			d.inRun, d.runStart = true, d.blk-1
			d.runLo, d.runHi = 0, -200
		}
		d.runEnd, d.gap = d.blk, 0
		// The first averages of a run straddle its onset: no low from them.
		d.runHi = max(d.runHi, sdb)
		if d.blk-d.runStart > len(d.recentE) {
			d.runLo = min(d.runLo, sdb)
		}
	} else if d.inRun {
		d.gap++
		if d.gap > maxGap {
			d.inRun = false
		}
	}
	voiced := d.firstSpeech >= 0 || d.runHi-d.floor >= 12 || d.runHi-d.runLo >= 3
	if d.runEnd-d.runStart >= minWord && d.runEnd > d.lastSpeechEnd && voiced {
		if d.firstSpeech < 0 {
			d.firstSpeech = d.runStart
		}
		d.lastSpeechEnd = d.runEnd
	}
}

// tone follows single-tone segments and reports fax, SIT and beeps.
func (d *Detector) tone(tonal bool, hz float64) {
	if tonal && d.cur.active {
		m := d.cur.hz()
		if math.Abs(hz-m) > max(0.02*m, 20) {
			d.closeTone(true)
			tonal = tonal && !d.done
		}
	}
	switch {
	case tonal && !d.cur.active:
		d.cur = toneSeg{start: d.blk - 1, end: d.blk, hzSum: hz, active: true}
		d.toneGap = 0
	case tonal:
		d.cur.end, d.cur.hzSum = d.blk, d.cur.hzSum+hz
		d.toneGap = 0
	case d.cur.active:
		d.toneGap++
		if d.toneGap > 1 {
			d.closeTone(false)
		}
	}
	if d.done || !d.cur.active {
		return
	}
	// Checks on the segment still sounding.
	n, f := d.cur.n(), d.cur.hz()
	if !d.machine && d.firstSpeech < 0 {
		switch {
		case n >= 50 && math.Abs(f-2100) <= 30:
			d.emit(Verdict{Kind: Fax, Hz: f, Reason: "CED"})
			return
		case n >= 40 && math.Abs(f-1100) <= 38:
			d.emit(Verdict{Kind: Fax, Hz: f, Reason: "CNG"})
			return
		}
	}
	if n >= 15 && f >= 1740 && f <= 1840 {
		if kind, ok := d.sit(); ok {
			d.emit(Verdict{Kind: SIT, SIT: kind, Hz: d.hist[1].hz(), Reason: "SIT"})
			return
		}
	}
	if n >= 200 {
		d.closeTone(false)
	}
}

// closeTone ends the current tone segment and checks it for a beep. A
// segment that ends by turning into another tone is part of a sequence
// (SIT), not a beep.
func (d *Detector) closeTone(intoAnother bool) {
	s := d.cur
	d.cur.active = false
	if s.n() < 5 {
		return // a fragment, such as the block where one SIT segment turns into the next
	}
	copy(d.hist[1:], d.hist[:2])
	d.hist[0] = s
	if d.done || d.beepFound || intoAnother || s.n()*10 < d.cfg.MinBeepMS || s.hz() < 380 || s.hz() > 2150 {
		return
	}
	if !d.machine && d.firstSpeech < 0 {
		return // a tone before anyone spoke is no voicemail beep
	}
	if !d.machine {
		d.emit(Verdict{Kind: Machine, Reason: "beep after greeting"})
	}
	d.beepFound = true
	d.emit(Verdict{Kind: Beep, Hz: s.hz(), BeepAt: time.Duration(s.start) * blockDur, BeepLen: time.Duration(s.n()) * blockDur, Reason: "beep"})
	d.pending[len(d.pending)-1].At = time.Duration(s.end) * blockDur
}

// sit checks whether the current segment (1776.7 Hz) ends a SIT sequence and
// says which one (Telcordia GR-1162; ITU-T 950/1400/1800 Hz gives SITUnspecified).
func (d *Detector) sit() (SITKind, bool) {
	s3, s2, s1 := d.cur, d.hist[0], d.hist[1]
	if s2.n() < 15 || s1.n() < 15 || s3.start-s2.end > 4 || s2.start-s1.end > 4 {
		return "", false
	}
	f1, f2 := s1.hz(), s2.hz()
	if f1 < 880 || f1 > 1020 || f2 < 1340 || f2 > 1460 {
		return "", false
	}
	nearest := func(f float64, c ...float64) int {
		best := 0
		for i := range c {
			if math.Abs(f-c[i]) < math.Abs(f-c[best]) {
				best = i
			}
		}
		return best
	}
	a, b := nearest(f1, 913.8, 950, 985.2), nearest(f2, 1370.6, 1400, 1428.5)
	if a == 1 || b == 1 {
		return SITUnspecified, true
	}
	// Segment lengths: 274 ms short, 380 ms long; the block at each boundary
	// holds two tones and counts for neither.
	long1, long2 := s1.n() >= 32, s2.n() >= 32
	hi1, hi2 := a == 2, b == 2
	switch {
	case !hi1 && !long1 && !hi2 && !long2:
		return SITIntercept, true
	case hi1 && long1 && !hi2 && !long2:
		return SITVacant, true
	case hi1 && long1 && hi2 && long2, !hi1 && long1 && !hi2 && long2:
		return SITNoCircuit, true
	case !hi1 && !long1 && hi2 && long2, hi1 && !long1 && !hi2 && long2:
		return SITReorder, true
	}
	return SITUnspecified, true
}

// decide applies the time rules before a final verdict.
func (d *Detector) decide() {
	ms := d.blk * 10
	c := &d.cfg
	if d.firstSpeech >= 0 {
		span := (d.lastSpeechEnd - d.firstSpeech) * 10
		if span >= c.MachineGreetingMS {
			d.emit(Verdict{Kind: Machine, Reason: "long greeting"})
			return
		}
		need := c.HumanSilenceMS
		if span > c.ShortGreetingMS {
			need += (c.LongHumanSilenceMS - c.HumanSilenceMS) * (span - c.ShortGreetingMS) / max(1, c.MachineGreetingMS-c.ShortGreetingMS)
		}
		quiet := (d.blk - d.lastSpeechEnd) * 10
		if !d.inRun && !d.cur.active && quiet >= need {
			d.emit(Verdict{Kind: Human, Reason: "greeting then silence"})
			return
		}
	} else if ms >= c.InitialSilenceMS && !d.cur.active && !d.inRun {
		d.emit(Verdict{Kind: Silence, Reason: "no speech"})
		return
	}
	if ms >= c.MaxTimeMS {
		d.emit(Verdict{Kind: Unknown, Reason: "time limit"})
	}
}

// Classify runs c over samples in 20 ms frames, then over up to pad of
// silence while no final verdict has come (a recording that ends is a line
// gone quiet), and returns every verdict.
func Classify(c Classifier, samples []int16, pad time.Duration) []Verdict {
	const frame = 160
	var out []Verdict
	final := false
	for i := 0; i < len(samples); i += frame {
		if v, ok := c.Write(samples[i:min(i+frame, len(samples))]); ok {
			out = append(out, v)
		}
	}
	for _, v := range out {
		final = final || v.Kind != Machine
	}
	var zero [frame]int16
	for t := time.Duration(0); t < pad && !final; t += 20 * time.Millisecond {
		v, ok := c.Write(zero[:])
		if ok {
			out = append(out, v)
			final = v.Kind != Machine || len(out) > 1
		}
		if len(out) > 0 && out[0].Kind == Machine {
			break // the beep only comes with audio
		}
	}
	// Drain a verdict settled together with the last one.
	for range 2 {
		if v, ok := c.Write(nil); ok {
			out = append(out, v)
		}
	}
	return out
}

// highPass is a second-order Butterworth high-pass at 250 Hz (RBJ biquad):
// telephone speech lies above 300 Hz, while hum and rumble (brown noise)
// lie below and would mask pauses.
type highPass struct{ x1, x2, y1, y2 float64 }

var hpB0, hpB1, hpB2, hpA1, hpA2 = func() (b0, b1, b2, a1, a2 float64) {
	w := 2 * math.Pi * 250 / SampleRate
	alpha := math.Sin(w) / (2 * math.Sqrt2 / 2)
	cw := math.Cos(w)
	a0 := 1 + alpha
	return (1 + cw) / 2 / a0, -(1 + cw) / a0, (1 + cw) / 2 / a0, -2 * cw / a0, (1 - alpha) / a0
}()

func (h *highPass) filter(x []float64) {
	for i, v := range x {
		y := hpB0*v + hpB1*h.x1 + hpB2*h.x2 - hpA1*h.y1 - hpA2*h.y2
		if y > -1e-9 && y < 1e-9 {
			y = 0 // the decay of a step would reach subnormal floats, which are slow
		}
		h.x2, h.x1 = h.x1, v
		h.y2, h.y1 = h.y1, y
		x[i] = y
	}
}
