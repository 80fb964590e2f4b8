package pacing

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// feed sends n attempt results drawn with live-answer rate human, one per
// second from start, and returns the time after the last.
func feed(e *Estimator, rng *rand.Rand, start time.Time, n int, human float64) time.Time {
	ring := distuv.LogNormal{Mu: math.Log(10), Sigma: 0.4, Src: rng}
	now := start
	for range n {
		now = now.Add(time.Second)
		u := rng.Float64()
		o := Observation{Now: now, Kind: ObserveResult}
		switch {
		case u < human:
			o.Outcome, o.Ring, o.AMD = OutcomeHuman, seconds(ring.Rand()), 2*time.Second
		case u < human+0.2:
			o.Outcome, o.Ring, o.AMD = OutcomeMachine, seconds(ring.Rand()), 3*time.Second
		case u < human+0.3:
			o.Outcome, o.Ring = OutcomeBusy, 3*time.Second
		default:
			o.Outcome, o.Ring = OutcomeNoAnswer, 25*time.Second
		}
		e.Observe(o)
	}
	return now
}

func TestEstimatorConverges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	e := NewEstimator(Priors{})
	if got := e.LiveRate(); math.Abs(got-DefaultPriors.Human) > 1e-9 {
		t.Fatalf("prior live rate = %v, want %v", got, DefaultPriors.Human)
	}
	now := feed(e, rng, time.Unix(0, 0), 3000, 0.30)
	e.Advance(now.Add(time.Minute))
	if got := e.LiveRate(); math.Abs(got-0.30) > 0.03 {
		t.Errorf("live rate after 3000 attempts at 30%% = %.3f", got)
	}
	if got := e.RingTime().Median(); math.Abs(got-10) > 0.5 {
		t.Errorf("median ring time = %.2f s, want about 10", got)
	}
	// The answer rate drops: the estimate follows within a few hundred
	// attempts (its half-life is 300).
	now = feed(e, rng, now, 1200, 0.10)
	e.Advance(now.Add(time.Minute))
	if got := e.LiveRate(); math.Abs(got-0.10) > 0.03 {
		t.Errorf("live rate 1200 attempts after a drop to 10%% = %.3f", got)
	}

	// Talk and wrap-up: the empirical distribution takes over from the prior.
	talk := distuv.LogNormal{Mu: math.Log(100), Sigma: 0.5, Src: rng}
	for range 1000 {
		e.Observe(Observation{Now: now, Kind: ObserveHandled, Talk: seconds(talk.Rand()), Wrap: 10 * time.Second})
	}
	if got, want := e.MeanTalk().Seconds(), talk.Mean(); math.Abs(got-want)/want > 0.15 {
		t.Errorf("mean talk = %.1f s, want about %.1f", got, want)
	}
	if got := e.MeanWrap(); got != 10*time.Second {
		t.Errorf("mean wrap = %v, want 10s", got)
	}
}

// Quick outcomes (busy) arrive before slow ones (answers); counting them at
// once would bias the live rate low at the start. Results wait for their
// cohort to mature.
func TestEstimatorWaitsForCohort(t *testing.T) {
	e := NewEstimator(Priors{})
	t0 := time.Unix(0, 0)
	for i := range 100 {
		e.Observe(Observation{Now: t0.Add(3 * time.Second), Kind: ObserveResult, Outcome: OutcomeBusy, Ring: 3 * time.Second})
		_ = i
	}
	if got := e.LiveRate(); math.Abs(got-DefaultPriors.Human) > 1e-9 {
		t.Fatalf("live rate moved before the cohort matured: %v", got)
	}
	e.Advance(t0.Add(time.Minute))
	if got := e.LiveRate(); got >= DefaultPriors.Human/2 {
		t.Fatalf("live rate after 100 matured busy results = %v, want well under the prior", got)
	}
}

// A result sent late (after the conversation) names its launch time and
// still joins the right cohort.
func TestEstimatorLateResult(t *testing.T) {
	e := NewEstimator(Priors{})
	t0 := time.Unix(0, 0)
	for range 200 {
		e.Observe(Observation{Now: t0.Add(5 * time.Minute), Kind: ObserveResult, Outcome: OutcomeHuman, Launched: t0, Ring: 10 * time.Second})
	}
	if got := e.LiveRate(); got < 0.8 {
		t.Fatalf("200 late human results launched 5 minutes ago: live rate %v, want them counted", got)
	}
}
