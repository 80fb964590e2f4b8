package pacing

import (
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Priors are what an Estimator believes before the campaign's first calls.
// Zero fields take the defaults in DefaultPriors.
type Priors struct {
	// Outcome mix per attempt; the rest is no answer.
	Human, Machine, Fax, Busy, Invalid float64
	// Ring is the mean ring time of answered calls; Reject the time to a
	// busy or invalid signal; NoAnswer the ring timeout.
	Ring, Reject, NoAnswer time.Duration
	AMD                    time.Duration
	Talk, Wrap             time.Duration
}

// DefaultPriors are typical figures for a consumer collections list.
var DefaultPriors = Priors{
	Human: 0.25, Machine: 0.2, Fax: 0.01, Busy: 0.1, Invalid: 0.05,
	Ring: 12 * time.Second, Reject: 3 * time.Second, NoAnswer: 25 * time.Second,
	AMD:  2500 * time.Millisecond,
	Talk: 180 * time.Second, Wrap: 20 * time.Second,
}

func (p Priors) withDefaults() Priors {
	d := DefaultPriors
	if p.Human+p.Machine+p.Fax+p.Busy+p.Invalid > 0 {
		d.Human, d.Machine, d.Fax, d.Busy, d.Invalid = p.Human, p.Machine, p.Fax, p.Busy, p.Invalid
	}
	for _, f := range []struct{ dst, src *time.Duration }{
		{&d.Ring, &p.Ring}, {&d.Reject, &p.Reject}, {&d.NoAnswer, &p.NoAnswer},
		{&d.AMD, &p.AMD}, {&d.Talk, &p.Talk}, {&d.Wrap, &p.Wrap},
	} {
		if *f.src > 0 {
			*f.dst = *f.src
		}
	}
	return d
}

// Estimator learns a campaign's call statistics online from Observations:
// the outcome mix (so the live-answer rate), ring, reject and AMD times
// (log-normal fits with exponential forgetting) and talk and wrap-up times
// (the most recent samples, used as an empirical distribution so heavy
// tails are kept). It forgets at a rate set in observations, not seconds,
// so big and small campaigns both adapt as fast as their data allow.
// An Estimator is not safe for concurrent use; Predictive guards its own.
type Estimator struct {
	mix      [numOutcomes + 1]float64 // exponentially forgotten outcome counts
	mixDecay float64

	ring, reject, amd logFit
	noAnswer          float64 // mean ring time of no-answer outcomes, seconds

	talk, wrap samples
	// results waits for its cohort to mature: an attempt's result counts
	// only once every attempt launched at the same time has had time to
	// end, or early (quick) outcomes would bias the mix.
	results []pendingResult
	oldest  time.Time // earliest launch among results
	// changes counts observations since the derived tables were rebuilt.
	changes int
}

// outcome memory: half of an outcome count's weight is gone after this many
// attempts.
const mixHalfLife = 300

// NewEstimator returns an estimator starting from priors.
func NewEstimator(p Priors) *Estimator {
	p = p.withDefaults()
	e := &Estimator{mixDecay: math.Exp2(-1.0 / mixHalfLife)}
	const w = 40 // prior weight, in attempts
	na := 1 - p.Human - p.Machine - p.Fax - p.Busy - p.Invalid
	if na < 0 {
		na = 0
	}
	e.mix[OutcomeHuman] = w * p.Human
	e.mix[OutcomeMachine] = w * p.Machine
	e.mix[OutcomeFax] = w * p.Fax
	e.mix[OutcomeBusy] = w * p.Busy
	e.mix[OutcomeInvalid] = w * p.Invalid
	e.mix[OutcomeNoAnswer] = w * na
	e.ring = newLogFit(p.Ring.Seconds(), p.Ring.Seconds()/2, 10, 150)
	e.reject = newLogFit(p.Reject.Seconds(), p.Reject.Seconds()/2, 10, 150)
	e.amd = newLogFit(p.AMD.Seconds(), p.AMD.Seconds()/3, 10, 150)
	e.noAnswer = p.NoAnswer.Seconds()
	e.talk = newSamples(256, distuv.LogNormal{Mu: lnMu(p.Talk.Seconds(), p.Talk.Seconds()*0.7), Sigma: lnSigma(p.Talk.Seconds(), p.Talk.Seconds()*0.7)})
	e.wrap = newSamples(256, distuv.LogNormal{Mu: lnMu(p.Wrap.Seconds(), p.Wrap.Seconds()/2), Sigma: lnSigma(p.Wrap.Seconds(), p.Wrap.Seconds()/2)})
	return e
}

type pendingResult struct {
	launched time.Time
	o        Observation
}

// maturity is how long after launch every outcome of an attempt is known:
// the ring timeout plus time for AMD.
func (e *Estimator) maturity() time.Duration {
	return seconds(e.noAnswer + e.amd.dist().Quantile(0.99) + 1)
}

// Advance applies the results whose cohort has matured by now.
func (e *Estimator) Advance(now time.Time) {
	if len(e.results) == 0 {
		return
	}
	cut := now.Add(-e.maturity())
	if e.oldest.After(cut) {
		return
	}
	kept := e.results[:0]
	e.oldest = time.Time{}
	for _, r := range e.results {
		if r.launched.After(cut) {
			kept = append(kept, r)
			if e.oldest.IsZero() || r.launched.Before(e.oldest) {
				e.oldest = r.launched
			}
			continue
		}
		e.apply(r.o)
	}
	clear(e.results[len(kept):])
	e.results = kept
}

// Observe updates the estimates. Results take effect once their cohort has
// matured (see Advance, which Observe also calls with o.Now).
func (e *Estimator) Observe(o Observation) {
	switch o.Kind {
	case ObserveResult:
		if o.Outcome <= 0 || int(o.Outcome) > numOutcomes {
			return
		}
		l := o.Launched
		if l.IsZero() {
			l = o.Now.Add(-o.Ring - o.AMD)
		}
		if len(e.results) == 0 || l.Before(e.oldest) {
			e.oldest = l
		}
		e.results = append(e.results, pendingResult{launched: l, o: o})
	case ObserveHandled:
		e.talk.add(o.Talk.Seconds())
		e.wrap.add(o.Wrap.Seconds())
		e.changes++
	}
	e.Advance(o.Now)
}

func (e *Estimator) apply(o Observation) {
	{
		for i := range e.mix {
			e.mix[i] *= e.mixDecay
		}
		e.mix[o.Outcome]++
		ring := o.Ring.Seconds()
		switch {
		case o.Outcome.answered():
			e.ring.add(ring)
			if o.AMD > 0 {
				e.amd.add(o.AMD.Seconds())
			}
		case o.Outcome == OutcomeNoAnswer:
			e.noAnswer += 0.05 * (ring - e.noAnswer)
		default:
			e.reject.add(ring)
		}
	}
	e.changes++
}

// Rate is the estimated probability that an attempt ends in outcome o.
func (e *Estimator) Rate(o Outcome) float64 {
	if o <= 0 || int(o) > numOutcomes {
		return 0
	}
	var sum float64
	for _, w := range e.mix {
		sum += w
	}
	if sum == 0 {
		return 0
	}
	return e.mix[o] / sum
}

// LiveRate is the estimated probability that an attempt is a live answer.
func (e *Estimator) LiveRate() float64 { return e.Rate(OutcomeHuman) }

// RingTime is the fitted distribution of ring times of answered calls.
func (e *Estimator) RingTime() distuv.LogNormal { return e.ring.dist() }

// AMDTime is the fitted distribution of AMD verdict times.
func (e *Estimator) AMDTime() distuv.LogNormal { return e.amd.dist() }

// MeanTalk and MeanWrap are the means of the recent samples.
func (e *Estimator) MeanTalk() time.Duration { return seconds(e.talk.mean()) }
func (e *Estimator) MeanWrap() time.Duration { return seconds(e.wrap.mean()) }

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// liveGivenRinging is P(live answer | the call has rung for t seconds
// without a result).
func (e *Estimator) liveGivenRinging(t float64) float64 {
	h := e.Rate(OutcomeHuman)
	ans := h + e.Rate(OutcomeMachine) + e.Rate(OutcomeFax)
	rej := e.Rate(OutcomeBusy) + e.Rate(OutcomeInvalid) + e.Rate(OutcomeFailed)
	na := e.Rate(OutcomeNoAnswer)
	sAns := e.ring.dist().Survival(t)
	sRej := e.reject.dist().Survival(t)
	sNA := 0.0
	if t < e.noAnswer {
		sNA = 1
	}
	den := ans*sAns + rej*sRej + na*sNA
	if den <= 0 {
		return 0
	}
	return h * sAns / den
}

// liveGivenAnswered is P(live | answered, AMD still listening).
func (e *Estimator) liveGivenAnswered() float64 {
	h := e.Rate(OutcomeHuman)
	ans := h + e.Rate(OutcomeMachine) + e.Rate(OutcomeFax)
	if ans <= 0 {
		return 0
	}
	return h / ans
}

// logFit is a log-normal fitted by exponentially forgotten moments of log x.
type logFit struct {
	m, m2, w, decay float64
}

func lnSigma(mean, sd float64) float64 { return math.Sqrt(math.Log1p(sd * sd / (mean * mean))) }
func lnMu(mean, sd float64) float64 {
	s := lnSigma(mean, sd)
	return math.Log(mean) - s*s/2
}

func newLogFit(mean, sd, weight, halfLife float64) logFit {
	mu, s := lnMu(mean, sd), lnSigma(mean, sd)
	return logFit{m: mu, m2: s*s + mu*mu, w: weight, decay: math.Exp2(-1 / halfLife)}
}

func (f *logFit) add(x float64) {
	lx := math.Log(math.Max(x, 0.05))
	f.w = f.w*f.decay + 1
	a := 1 / f.w
	f.m += a * (lx - f.m)
	f.m2 += a * (lx*lx - f.m2)
}

func (f *logFit) dist() distuv.LogNormal {
	v := f.m2 - f.m*f.m
	if v < 1e-4 {
		v = 1e-4
	}
	return distuv.LogNormal{Mu: f.m, Sigma: math.Sqrt(v)}
}

// samples keeps the most recent n values (starting from quantiles of a
// prior) and a sorted copy for conditional probabilities.
type samples struct {
	ring   []float64
	next   int
	sorted []float64
	dirty  bool
}

func newSamples(n int, prior distuv.LogNormal) samples {
	s := samples{ring: make([]float64, n), sorted: make([]float64, n), dirty: true}
	for i := range s.ring {
		s.ring[i] = prior.Quantile((float64(i) + 0.5) / float64(n))
	}
	return s
}

func (s *samples) add(x float64) {
	if x < 0 || math.IsNaN(x) {
		return
	}
	s.ring[s.next] = x
	s.next = (s.next + 1) % len(s.ring)
	s.dirty = true
}

func (s *samples) sort() []float64 {
	if s.dirty {
		copy(s.sorted, s.ring)
		slices.Sort(s.sorted)
		s.dirty = false
	}
	return s.sorted
}

func (s *samples) mean() float64 { return stat.Mean(s.ring, nil) }

// countLE is the number of sorted values ≤ x.
func countLE(sorted []float64, x float64) int {
	lo, hi := 0, len(sorted)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if sorted[m] <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
