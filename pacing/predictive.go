package pacing

import (
	"math"
	"sync"
	"time"
)

// PredictiveOptions tune Predictive. Zero fields take the defaults.
type PredictiveOptions struct {
	// Priors seed the estimators.
	Priors Priors
	// Goal is the abandon rate the controller aims at, as a fraction of
	// Limits.AbandonTarget (default 0.8): the margin absorbs the noise of
	// a finite window.
	Goal float64
	// Gain is the controller's step, in standard deviations per live answer
	// (default 0.06).
	Gain float64
	// Safety is the starting margin in standard deviations (default 2).
	Safety float64
	// MinSafety and MaxSafety bound the margin (defaults −1 and 4).
	MinSafety, MaxSafety float64
	// GraceShare is the part of the grace counted in the horizon: an agent
	// freeing up within it still takes the call (default 0.5).
	GraceShare float64
	// WindowBoost is the extra margin, in standard deviations, per unit of
	// relative excess of the last ~20 minutes' abandon rate over the target
	// (default 1).
	WindowBoost float64
	// BudgetBoost is the extra margin when the campaign's window abandon
	// rate reaches the target, growing linearly from Goal × target
	// (default 1.5).
	BudgetBoost float64
	// MinLive is the fewest live answers in the window before the ceiling
	// fallback trusts the realised rate (default 100: until then it falls
	// back when one more abandon would pass target × 100, 3 at 3%).
	MinLive int
}

func (o PredictiveOptions) withDefaults() PredictiveOptions {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Goal, 0.8)
	def(&o.Gain, 0.06)
	def(&o.Safety, 2)
	def(&o.MinSafety, -1)
	def(&o.MaxSafety, 4)
	def(&o.GraceShare, 0.5)
	def(&o.WindowBoost, 1)
	def(&o.BudgetBoost, 1.5)
	if o.MinLive == 0 {
		o.MinLive = 100
	}
	return o
}

// Predictive dials ahead of agents freeing up.
//
// Forecast: at eight checkpoints after now (quantiles of the time a call
// launched now takes to become a live answer: ring + AMD), it compares the
// agents free by then — ready ones, and each busy one with the probability
// that its remaining talk and wrap-up end by then given how long it has
// been in them (from the recent talk and wrap-up samples, so heavy tails
// count) — with the live answers due by then: from each call in flight,
// given how long it has rung without a result, and from the new calls. It
// launches the most calls such that, at every checkpoint, expected live
// answers plus Safety standard deviations (binomial noise of agents and
// calls, and the estimation error of the live-answer rate) fit the
// expected free agents. Never fewer than progressive would (ready agents −
// calls in flight), never more than Limits.MaxRatio allows.
//
// Control: Safety moves after every live answer — up by Gain·(1−r) on an
// abandon, down by Gain·r on a connect — so the abandon rate settles at
// r = Goal × target; while the last ~20 minutes run over the target it
// gets an extra WindowBoost margin; as the campaign's window rate
// (Snapshot.Abandoned / LiveAnswers) climbs from Goal × target to the
// target the margin grows by up to BudgetBoost; and when one more abandon
// would take it over the target it falls back to progressive until it is
// back under.
//
// Learning: an Estimator per campaign (live-answer rate and outcome mix,
// ring, AMD, talk and wrap-up times) starting from Priors and forgetting
// in a few hundred observations, so a shifting answer rate is followed.
// Erlang-C gives the steady-state attempt rate reported in
// Decision.Forecast (a reference for supervisors: Erlang-C assumes Poisson
// arrivals, which a paced dialer does not have, so it is not a bound).
//
// Predictive is safe for concurrent use: Observe may run while Decide does.
type Predictive struct {
	limits Limits
	opts   PredictiveOptions

	mu      sync.Mutex // guards everything below
	est     *Estimator
	safety  float64
	gen     uint32 // generation of the memo tables
	builtAt time.Time
	// ts are the checkpoints (seconds from now) where the forecast compares
	// live answers to free agents; newBy[k] is P(a call launched now is a
	// live answer by ts[k] | live).
	ts, newBy [nPoints]float64
	wq        []float64 // wrap-up quantiles used in the handle-time forecast
	// talk and wrap-up samples, sorted, as of the last rebuild
	talkSorted, wrapSorted []float64
	talkMemo               []memo
	wrapMemo               []memo
	ringMemo               []memo
	meanTalk               float64
	steady                 float64
	steadyN                int
	steadyAt               time.Time

	// live answers and abandons, exponentially forgotten with a time
	// constant of recentTau: the short-window rate the controller guards.
	recentLive, recentAband float64
	recentAt                time.Time

	// per-Decide scratch
	free, freeVar, pend, pendVar [nPoints]float64
}

// nPoints is the number of forecast checkpoints.
const nPoints = 8

// checkpoint quantiles of a live answer's ring time
var pointQ = [nPoints]float64{0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95, 0.995}

type memo struct {
	gen uint32
	v   [nPoints]float64
}

const (
	// rebuildEvery is the shortest time between refreshes of the forecast
	// tables from the estimators.
	rebuildEvery = 30 * time.Second
	ringStep     = 0.25 // seconds per ring memo slot
	ringSlots    = 480
	busySlots    = 7200 // one-second slots for talk and wrap memos
)

// NewPredictive returns a predictive policy for a campaign's limits.
func NewPredictive(limits Limits, opts PredictiveOptions) *Predictive {
	opts = opts.withDefaults()
	return &Predictive{
		limits:   limits,
		opts:     opts,
		est:      NewEstimator(opts.Priors),
		safety:   opts.Safety,
		gen:      1,
		wq:       make([]float64, 5),
		talkMemo: make([]memo, busySlots),
		wrapMemo: make([]memo, busySlots),
		ringMemo: make([]memo, ringSlots),
		steadyN:  -1,
	}
}

var (
	_ Policy   = (*Predictive)(nil)
	_ Observer = (*Predictive)(nil)
)

// Observe implements Observer: estimators learn from results and handled
// calls; the controller from connects and abandons.
func (p *Predictive) Observe(o Observation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if o.Kind == ObserveConnect {
		p.decayRecentLocked(o.Now)
		p.recentLive++
		if o.Abandoned {
			p.recentAband++
		}
		r := p.opts.Goal * p.limits.target()
		if o.Abandoned {
			p.safety += p.opts.Gain * (1 - r)
		} else {
			p.safety -= p.opts.Gain * r
		}
		p.safety = min(max(p.safety, p.opts.MinSafety), p.opts.MaxSafety)
		return
	}
	p.est.Observe(o)
}

// recentTau is the time constant of the short-window abandon rate, and
// minRecentLive the (forgotten) count of live answers it needs to mean
// anything: teams under about ten agents have too few for one abandon not
// to look like a crisis.
const (
	recentTau     = 20 * time.Minute
	minRecentLive = 50
)

func (p *Predictive) decayRecentLocked(now time.Time) {
	if !p.recentAt.IsZero() {
		if dt := now.Sub(p.recentAt); dt > 0 {
			f := math.Exp(-dt.Seconds() / recentTau.Seconds())
			p.recentLive *= f
			p.recentAband *= f
		}
	}
	if now.After(p.recentAt) {
		p.recentAt = now
	}
}

// margin is the controller's margin plus a boost while the short-window
// abandon rate is over the target (so a bad hour does not break 5%).
func (p *Predictive) marginLocked(now time.Time) float64 {
	p.decayRecentLocked(now)
	z := p.safety
	if p.recentLive >= minRecentLive {
		if over := p.recentAband/p.recentLive/p.limits.target() - 1; over > 0 {
			z += p.opts.WindowBoost * over
		}
	}
	return z
}

// Safety is the controller's current margin in standard deviations.
func (p *Predictive) Safety() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.safety
}

// LiveRate is the estimated live-answer rate per attempt.
func (p *Predictive) LiveRate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.est.LiveRate()
}

// rebuildLocked refreshes the checkpoints and invalidates memo tables when
// enough has been learnt.
func (p *Predictive) rebuildLocked(now time.Time) {
	if !p.builtAt.IsZero() && (p.est.changes < 64 || now.Sub(p.builtAt) < rebuildEvery) {
		return
	}
	p.est.changes = 0
	p.builtAt = now
	p.gen++
	ring := p.est.ring.dist()
	amd := p.est.amd.dist().Mean()
	for k, q := range pointQ {
		p.ts[k] = ring.Quantile(q) + amd
		p.newBy[k] = q
	}
	p.talkSorted = append(p.talkSorted[:0], p.est.talk.sort()...)
	p.wrapSorted = append(p.wrapSorted[:0], p.est.wrap.sort()...)
	w := p.wrapSorted
	for i := range p.wq {
		p.wq[i] = w[(2*i+1)*len(w)/(2*len(p.wq))]
	}
	p.meanTalk = p.est.talk.mean()
	if now.Sub(p.steadyAt) >= 5*time.Minute {
		p.steadyN, p.steadyAt = -1, now
	}
}

// freeTalking is, per checkpoint, P(talk + wrap-up end by it | talking for
// e seconds).
func (p *Predictive) freeTalking(e float64) *[nPoints]float64 {
	i := min(max(int(e), 0), busySlots-1)
	m := &p.talkMemo[i]
	if m.gen == p.gen {
		return &m.v
	}
	e = float64(i)
	t := p.talkSorted
	base := countLE(t, e)
	left := len(t) - base
	g := p.opts.GraceShare * p.limits.grace().Seconds()
	for k, h := range p.ts {
		var v float64
		if left < 4 {
			// Beyond the samples: a memoryless guess with the mean talk time.
			v = 1 - math.Exp(-math.Max(0, h+g-p.est.wrap.mean())/math.Max(p.meanTalk, 1))
		} else {
			for _, w := range p.wq {
				if c := countLE(t, e+h+g-w) - base; c > 0 {
					v += float64(c)
				}
			}
			v /= float64(left * len(p.wq))
		}
		m.v[k] = v
	}
	m.gen = p.gen
	return &m.v
}

// freeWrapping is, per checkpoint, P(wrap-up ends by it | in wrap-up for e
// seconds).
func (p *Predictive) freeWrapping(e float64) *[nPoints]float64 {
	i := min(max(int(e), 0), busySlots-1)
	m := &p.wrapMemo[i]
	if m.gen == p.gen {
		return &m.v
	}
	e = float64(i)
	w := p.wrapSorted
	base := countLE(w, e)
	left := len(w) - base
	g := p.opts.GraceShare * p.limits.grace().Seconds()
	for k, h := range p.ts {
		if left < 4 {
			m.v[k] = 1 - math.Exp(-(h+g)/math.Max(p.est.wrap.mean(), 1))
		} else {
			m.v[k] = float64(countLE(w, e+h+g)-base) / float64(left)
		}
	}
	m.gen = p.gen
	return &m.v
}

// liveRinging is, per checkpoint, P(the call becomes a live answer by it |
// rung e seconds without a result).
func (p *Predictive) liveRinging(e float64) *[nPoints]float64 {
	i := min(max(int(e/ringStep), 0), ringSlots-1)
	m := &p.ringMemo[i]
	if m.gen == p.gen {
		return &m.v
	}
	e = float64(i) * ringStep
	q := p.est.liveGivenRinging(e)
	ring := p.est.ring.dist()
	amd := p.est.amd.dist().Mean()
	s0 := ring.Survival(e)
	for k, h := range p.ts {
		if s0 <= 1e-12 {
			m.v[k] = q
			continue
		}
		// P(answered by e + h − amd | not answered by e)
		by := (ring.CDF(e+h-amd) - ring.CDF(e)) / s0
		m.v[k] = q * math.Max(by, 0)
	}
	m.gen = p.gen
	return &m.v
}

// Decide implements Policy.
func (p *Predictive) Decide(s Snapshot) Decision {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.est.Advance(s.Now)
	p.rebuildLocked(s.Now)

	p.free, p.freeVar, p.pend, p.pendVar = [nPoints]float64{}, [nPoints]float64{}, [nPoints]float64{}, [nPoints]float64{}
	var ready, working int
	for i := range s.Agents {
		a := &s.Agents[i]
		var f *[nPoints]float64
		switch a.Status {
		case AgentReady:
			ready++
			working++
			for k := range p.free {
				p.free[k]++
			}
			continue
		case AgentTalking:
			f = p.freeTalking(s.Now.Sub(a.Since).Seconds())
		case AgentReserved:
			f = p.freeTalking(0)
		case AgentWrapUp:
			f = p.freeWrapping(s.Now.Sub(a.Since).Seconds())
		default:
			continue
		}
		working++
		for k, v := range f {
			p.free[k] += v
			p.freeVar[k] += v * (1 - v)
		}
	}
	answered := p.est.liveGivenAnswered()
	for i := range s.InFlight {
		c := &s.InFlight[i]
		switch c.Stage {
		case StageWaitingAgent:
			for k := range p.pend {
				p.pend[k]++
			}
		case StageAMD:
			for k := range p.pend {
				p.pend[k] += answered
				p.pendVar[k] += answered * (1 - answered)
			}
		default:
			for k, v := range p.liveRinging(s.Now.Sub(c.Launched).Seconds()) {
				p.pend[k] += v
				p.pendVar[k] += v * (1 - v)
			}
		}
	}
	live := p.est.LiveRate()
	// The live-answer rate is itself uncertain: its error moves every
	// pending and new call the same way.
	var mix float64
	for _, w := range p.est.mix {
		mix += w
	}
	relErr := 0.0
	if live > 0 && mix > 0 {
		relErr = math.Sqrt(live*(1-live)/mix) / live
	}
	last := nPoints - 1
	z := p.marginLocked(s.Now)
	// Budget: as the campaign's window rate climbs from Goal × target to
	// the target, the margin grows by up to BudgetBoost.
	if s.Abandoned > 0 {
		used := float64(s.Abandoned) / float64(max(s.LiveAnswers, p.opts.MinLive)) / p.limits.target()
		if used > p.opts.Goal {
			z += p.opts.BudgetBoost * min(1, (used-p.opts.Goal)/(1-p.opts.Goal))
		}
	}
	fc := Forecast{
		Horizon:     seconds(p.ts[last/2]),
		FreeAgents:  p.free[last],
		PendingLive: p.pend[last],
		LiveRate:    live,
		Safety:      z,
		SteadyRate:  p.steadyRateLocked(working, live),
	}
	floor := ready - len(s.InFlight)
	target := p.limits.target()
	if s.Abandoned > 0 && float64(s.Abandoned+1) > target*float64(max(s.LiveAnswers, p.opts.MinLive)) {
		return Decision{Launch: max(floor, 0), Reason: "ceiling", Forecast: fc}
	}
	n := math.MaxInt
	if live <= 0 || working == 0 {
		n = 0
	}
	for k := range p.ts {
		if n == 0 {
			break
		}
		n = min(n, solveLaunch(p.free[k]-p.pend[k], p.freeVar[k]+p.pendVar[k], live*p.newBy[k], p.pend[k]*relErr, live*relErr*p.newBy[k], z))
	}
	reason := "forecast"
	if n < floor {
		n, reason = floor, "ready_agents"
	}
	if p.limits.MaxRatio > 0 {
		if lim := int(p.limits.MaxRatio*float64(working)) - len(s.InFlight); n > lim {
			n, reason = max(lim, 0), "max_ratio"
		}
	}
	if n <= 0 {
		return Decision{Reason: "full", Forecast: fc}
	}
	return Decision{Launch: n, Reason: reason, Forecast: fc}
}

// solveLaunch is the largest n ≥ 0 with
// n·q + z·√(v + n·q(1−q) + (b + n·c)²) ≤ m: m free agents beyond the
// pending live answers, v their variance, q the chance a new call is a live
// answer by then, b + n·c the systematic error of the live-answer rate.
func solveLaunch(m, v, q, b, c, z float64) int {
	ok := func(n int) bool {
		x := float64(n)
		sys := b + x*c
		return x*q+z*math.Sqrt(v+x*q*(1-q)+sys*sys) <= m
	}
	if q <= 0 {
		if ok(0) {
			return math.MaxInt
		}
		return 0
	}
	if !ok(0) {
		return 0
	}
	hi := 1
	for ok(hi) {
		hi *= 2
		if hi > 1<<20 {
			return hi
		}
	}
	lo := hi / 2 // ok(lo), !ok(hi)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if ok(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// steadyRateLocked is Erlang-C's attempt rate for n working agents.
func (p *Predictive) steadyRateLocked(n int, live float64) float64 {
	if n == p.steadyN {
		return p.steady
	}
	p.steadyN = n
	aht := p.meanTalk + p.est.wrap.mean()
	if n == 0 || live <= 0 || aht <= 0 {
		p.steady = 0
		return 0
	}
	a := SteadyTraffic(n, p.limits.grace().Seconds()/aht, p.limits.target())
	p.steady = a / aht / live
	return p.steady
}
