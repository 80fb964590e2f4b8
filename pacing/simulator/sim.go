package simulator

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/dialer/dialer/pacing"
)

// Result is one policy's run of a scenario.
type Result struct {
	Policy string `json:"policy"`
	// Settings are the policy's tuned settings, if any.
	Settings    string `json:"settings,omitempty"`
	Attempts    int    `json:"attempts"`
	LiveAnswers int    `json:"live_answers"`
	Connected   int    `json:"connected"`
	Abandoned   int    `json:"abandoned"`
	// AbandonRate is abandoned / live answers over the whole run.
	AbandonRate float64 `json:"abandon_rate"`
	// MaxWindowAbandonRate is the highest abandon rate over any one-hour
	// window ending at a live answer (the whole run if shorter than 1 h).
	MaxWindowAbandonRate float64 `json:"max_window_abandon_rate"`
	// Utilization is (talk + wrap-up) / logged-in time.
	Utilization float64 `json:"utilization"`
	// TalkOccupancy is talk / logged-in time.
	TalkOccupancy           float64 `json:"talk_occupancy"`
	IdleSecondsPerAgentHour float64 `json:"idle_seconds_per_agent_hour"`
	// Wait is an agent's idle time between calls.
	MeanWaitSeconds float64 `json:"mean_wait_seconds"`
	P90WaitSeconds  float64 `json:"p90_wait_seconds"`
}

// Spec names a policy and builds a fresh one for a run.
type Spec struct {
	Name     string
	Settings string
	New      func(pacing.Limits) pacing.Policy
}

// Limits are the pacing limits a scenario implies.
func (s *Scenario) Limits() pacing.Limits {
	return pacing.Limits{
		AbandonTarget: s.AbandonTarget,
		AbandonGrace:  s.AbandonGrace,
		PowerRatio:    s.PowerRatio,
		MaxRatio:      s.MaxRatio,
	}
}

// PolicyNames are the policies Spec knows, in report order.
var PolicyNames = []string{"progressive", "power", "vicidial", "predictive", "preview"}

// SpecFor returns the policy called name with the scenario's settings.
func SpecFor(name string, s *Scenario) (Spec, error) {
	switch name {
	case "preview", "progressive", "predictive":
		return Spec{Name: name, New: func(l pacing.Limits) pacing.Policy {
			p, _ := pacing.New(name, l)
			return p
		}}, nil
	case "power":
		r := s.PowerRatio
		return Spec{Name: name, Settings: fmt.Sprintf("ratio=%g", r), New: func(pacing.Limits) pacing.Policy {
			return pacing.Power{Ratio: r}
		}}, nil
	case "vicidial":
		return VICIdialSpec(pacing.VICIdialOptions{}), nil
	}
	return Spec{}, fmt.Errorf("%w: %q (want one of %s)", ErrUnknownPolicy, name, strings.Join(PolicyNames, ", "))
}

// VICIdialSpec is the vicidial baseline with the given settings.
func VICIdialSpec(o pacing.VICIdialOptions) Spec {
	m := "ADAPT_HARD_LIMIT"
	if o.Tapered {
		m = "ADAPT_TAPERED"
	}
	in, mx := o.Intensity, o.MaxLevel
	if in == 0 {
		in = 1
	}
	if mx == 0 {
		mx = 3
	}
	return Spec{
		Name:     "vicidial",
		Settings: fmt.Sprintf("intensity=%g target_diff=%g max_level=%g %s", in, o.TargetDiff, mx, m),
		New:      func(l pacing.Limits) pacing.Policy { return pacing.NewVICIdial(l, o) },
	}
}

// Run simulates one policy on the scenario. It is deterministic: the same
// scenario and policy give the same result, and every policy sees the same
// leads (each lead's outcome and durations are drawn from its own stream).
func Run(s *Scenario, spec Spec) Result {
	r := newRun(s, spec.New(s.Limits()))
	r.run()
	res := r.result()
	res.Policy, res.Settings = spec.Name, spec.Settings
	return res
}

// event kinds
const (
	evTick uint8 = iota
	evSchedule
	evAnswer
	evVerdict
	evEnd
	evAbandon
	evTalkEnd
	evWrapEnd
)

type event struct {
	t    float64
	seq  uint64
	kind uint8
	id   int32
	gen  uint32 // the call slot's generation, for evAbandon
}

type eventHeap []event

func (h eventHeap) less(i, j int) bool {
	return h[i].t < h[j].t || h[i].t == h[j].t && h[i].seq < h[j].seq
}

func (h *eventHeap) push(e event) {
	*h = append(*h, e)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !a.less(i, p) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

func (h *eventHeap) pop() event {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && a.less(r, l) {
			m = r
		}
		if !a.less(m, i) {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}

type call struct {
	outcome    pacing.Outcome
	stage      pacing.Stage
	since      float64
	launched   float64
	ring, amd  float64
	talk, wrap float64
	pos        int    // index in run.inflight, -1 when done
	gen        uint32 // incremented each time the slot is reused
	liveIdx    int
	waiting    bool
}

type agent struct {
	status     pacing.AgentStatus // 0: logged out
	since      float64
	loginAt    float64
	leaving    bool
	talk, wrap float64
	readySeq   uint64
}

type readyEntry struct {
	id  int32
	seq uint64
}

type run struct {
	s      *Scenario
	pol    pacing.Policy
	obs    pacing.Observer
	base   time.Time
	end    float64
	grace  float64
	events eventHeap
	seq    uint64

	calls    []call
	free     []int32 // reusable call slots
	inflight []int32
	waitQ    []int32 // calls waiting for an agent, oldest first
	agents   []agent
	readyQ   []readyEntry
	nready   int
	// leavingReady counts ready agents who log out once the calls in
	// flight no longer need them.
	leavingReady int
	settleAt     bool // a call ended: leavers may go
	nextLead     int
	readySeq     uint64

	// onLaunch, if set, sees every lead's drawn outcome (tests).
	onLaunch func(lead int, o pacing.Outcome, ring, talk float64)

	snapAgents []pacing.Agent
	snapCalls  []pacing.Call

	// results
	attempts, live, connected, abandoned int
	loggedIn, talkSum, wrapSum           float64
	waits                                []float64
	liveAt                               []float64
	liveAband                            []bool
}

func newRun(s *Scenario, pol pacing.Policy) *run {
	r := &run{
		s:     s,
		pol:   pol,
		base:  time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
		end:   s.Duration.Seconds(),
		grace: s.AbandonGrace.Seconds(),
	}
	r.obs, _ = pol.(pacing.Observer)
	return r
}

func (r *run) at(t float64) time.Time { return r.base.Add(time.Duration(t * 1e9)) }

func (r *run) schedule(t float64, kind uint8, id int32) {
	r.seq++
	r.events.push(event{t: t, seq: r.seq, kind: kind, id: id})
}

func (r *run) run() {
	for i := range r.s.Agents {
		r.schedule(r.s.Agents[i].At.Seconds(), evSchedule, int32(i))
	}
	r.schedule(0, evTick, 0)
	for len(r.events) > 0 {
		e := r.events.pop()
		if e.t >= r.end {
			break
		}
		if r.settleAt {
			r.settleAt = false
			r.settleLeavers(e.t)
		}
		switch e.kind {
		case evTick:
			r.tick(e.t)
			r.schedule(e.t+r.s.Tick.Seconds(), evTick, 0)
		case evSchedule:
			r.setAgents(e.t, r.s.Agents[e.id].Count)
		case evAnswer:
			c := &r.calls[e.id]
			c.stage, c.since = pacing.StageAMD, e.t
			r.schedule(e.t+c.amd, evVerdict, e.id)
		case evVerdict:
			r.verdict(e.t, e.id)
		case evEnd:
			c := &r.calls[e.id]
			r.observe(pacing.Observation{Now: r.at(e.t), Kind: pacing.ObserveResult, Outcome: c.outcome, Launched: r.at(c.launched), Ring: secs(e.t - c.launched)})
			r.done(e.id)
		case evAbandon:
			c := &r.calls[e.id]
			if c.waiting && c.gen == e.gen {
				c.waiting = false
				r.abandoned++
				r.liveAband[c.liveIdx] = true
				r.waitQ = slices.DeleteFunc(r.waitQ, func(x int32) bool { return x == e.id })
				r.observe(pacing.Observation{Now: r.at(e.t), Kind: pacing.ObserveConnect, Outcome: pacing.OutcomeHuman, Abandoned: true, Wait: secs(e.t - c.since)})
				r.done(e.id)
			}
		case evTalkEnd:
			a := &r.agents[e.id]
			r.talkSum += e.t - a.since
			a.status, a.since = pacing.AgentWrapUp, e.t
			r.schedule(e.t+a.wrap, evWrapEnd, e.id)
		case evWrapEnd:
			a := &r.agents[e.id]
			r.wrapSum += e.t - a.since
			r.observe(pacing.Observation{Now: r.at(e.t), Kind: pacing.ObserveHandled, Talk: secs(a.talk), Wrap: secs(a.wrap)})
			if a.leaving {
				r.logout(e.t, e.id)
			} else {
				r.becomeReady(e.t, e.id)
			}
		}
	}
	r.finish()
}

func secs(s float64) time.Duration { return time.Duration(s * 1e9) }

func (r *run) observe(o pacing.Observation) {
	if r.obs != nil {
		r.obs.Observe(o)
	}
}

func (r *run) tick(t float64) {
	r.settleLeavers(t)
	r.snapAgents = r.snapAgents[:0]
	ready := 0
	for i := range r.agents {
		a := &r.agents[i]
		if a.status == 0 {
			continue
		}
		st := a.status
		switch {
		case a.leaving:
			st = pacing.AgentPaused // logging out: will take no new call
		case st == pacing.AgentReady:
			ready++
		}
		r.snapAgents = append(r.snapAgents, pacing.Agent{Status: st, Since: r.at(a.since)})
	}
	r.snapCalls = r.snapCalls[:0]
	for _, id := range r.inflight {
		c := &r.calls[id]
		r.snapCalls = append(r.snapCalls, pacing.Call{Stage: c.stage, Since: r.at(c.since), Launched: r.at(c.launched)})
	}
	snap := pacing.Snapshot{
		Now:             r.at(t),
		Agents:          r.snapAgents,
		InFlight:        r.snapCalls,
		Limits:          r.s.Limits(),
		LiveAnswers:     r.live,
		Abandoned:       r.abandoned,
		PreviewRequests: max(0, ready-len(r.inflight)),
	}
	d := r.pol.Decide(snap)
	for range min(d.Launch, 100000) {
		r.launch(t)
	}
}

// uniform is the k-th uniform draw of a lead: a hash of (seed, lead, k), so
// every policy sees the same lead the same way.
func (r *run) uniform(lead, k int) float64 {
	h := mix64(r.s.Seed ^ mix64(uint64(lead)<<3|uint64(k)))
	return (float64(h>>11) + 0.5) / (1 << 53)
}

func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (r *run) launch(t float64) {
	lead := r.nextLead
	r.nextLead++
	r.attempts++
	var id int32
	if n := len(r.free); n > 0 {
		id = r.free[n-1]
		r.free = r.free[:n-1]
	} else {
		r.calls = append(r.calls, call{})
		id = int32(len(r.calls) - 1)
	}
	c := &r.calls[id]
	*c = call{stage: pacing.StageRinging, since: t, launched: t, pos: len(r.inflight), gen: c.gen + 1}
	r.inflight = append(r.inflight, id)

	at := time.Duration(t * 1e9)
	u := r.uniform(lead, 0)
	c.outcome = pacing.OutcomeNoAnswer
	for _, o := range []struct {
		o pacing.Outcome
		l []RateStep
	}{
		{pacing.OutcomeHuman, r.s.Human}, {pacing.OutcomeMachine, r.s.Machine}, {pacing.OutcomeFax, r.s.Fax},
		{pacing.OutcomeBusy, r.s.Busy}, {pacing.OutcomeInvalid, r.s.Invalid}, {pacing.OutcomeFailed, r.s.Failed},
	} {
		p := rateAt(o.l, at)
		if u < p {
			c.outcome = o.o
			break
		}
		u -= p
	}
	timeout := r.s.NoAnswerTimeout.Seconds()
	switch c.outcome {
	case pacing.OutcomeHuman, pacing.OutcomeMachine, pacing.OutcomeFax:
		c.ring = min(r.s.RingTime.Quantile(r.uniform(lead, 1)).Seconds(), timeout)
		c.amd = r.s.AMDTime.Quantile(r.uniform(lead, 2)).Seconds()
		if c.outcome == pacing.OutcomeHuman {
			c.talk = r.s.TalkTime.Quantile(r.uniform(lead, 3)).Seconds()
			c.wrap = r.s.WrapTime.Quantile(r.uniform(lead, 4)).Seconds()
		}
		r.schedule(t+c.ring, evAnswer, id)
	case pacing.OutcomeNoAnswer:
		r.schedule(t+timeout, evEnd, id)
	default:
		r.schedule(t+min(r.s.RejectTime.Quantile(r.uniform(lead, 5)).Seconds(), timeout), evEnd, id)
	}
	if r.onLaunch != nil {
		r.onLaunch(lead, c.outcome, c.ring, c.talk)
	}
}

// done removes a call from the calls in flight.
func (r *run) done(id int32) {
	c := &r.calls[id]
	last := r.inflight[len(r.inflight)-1]
	r.inflight[c.pos] = last
	r.calls[last].pos = c.pos
	r.inflight = r.inflight[:len(r.inflight)-1]
	c.pos = -1
	r.free = append(r.free, id)
	r.settleAt = true
}

func (r *run) verdict(t float64, id int32) {
	c := &r.calls[id]
	r.observe(pacing.Observation{Now: r.at(t), Kind: pacing.ObserveResult, Outcome: c.outcome, Launched: r.at(c.launched), Ring: secs(c.ring), AMD: secs(c.amd)})
	if c.outcome != pacing.OutcomeHuman {
		r.done(id)
		return
	}
	r.live++
	c.liveIdx = len(r.liveAt)
	r.liveAt = append(r.liveAt, t)
	r.liveAband = append(r.liveAband, false)
	c.stage, c.since = pacing.StageWaitingAgent, t
	if ag, ok := r.takeReady(); ok {
		r.connect(t, id, ag)
		return
	}
	c.waiting = true
	r.waitQ = append(r.waitQ, id)
	r.seq++
	r.events.push(event{t: t + r.grace, seq: r.seq, kind: evAbandon, id: id, gen: c.gen})
}

func (r *run) takeReady() (int32, bool) {
	for len(r.readyQ) > 0 {
		e := r.readyQ[0]
		r.readyQ = r.readyQ[1:]
		a := &r.agents[e.id]
		if a.status == pacing.AgentReady && a.readySeq == e.seq {
			r.nready--
			if a.leaving {
				r.leavingReady--
			}
			return e.id, true
		}
	}
	return 0, false
}

func (r *run) connect(t float64, cid, aid int32) {
	c := &r.calls[cid]
	a := &r.agents[aid]
	c.waiting = false
	r.connected++
	r.waits = append(r.waits, t-a.since)
	a.status, a.since = pacing.AgentTalking, t
	a.talk, a.wrap = c.talk, c.wrap
	r.observe(pacing.Observation{Now: r.at(t), Kind: pacing.ObserveConnect, Outcome: pacing.OutcomeHuman, Wait: secs(t - c.since)})
	r.done(cid)
	r.schedule(t+a.talk, evTalkEnd, aid)
}

func (r *run) becomeReady(t float64, aid int32) {
	a := &r.agents[aid]
	a.status, a.since = pacing.AgentReady, t
	for len(r.waitQ) > 0 {
		cid := r.waitQ[0]
		r.waitQ = r.waitQ[1:]
		if r.calls[cid].waiting {
			r.connect(t, cid, aid)
			return
		}
	}
	r.readySeq++
	a.readySeq = r.readySeq
	r.readyQ = append(r.readyQ, readyEntry{aid, r.readySeq})
	r.nready++
}

func (r *run) logout(t float64, aid int32) {
	a := &r.agents[aid]
	r.loggedIn += t - a.loginAt
	if a.status == pacing.AgentReady {
		r.nready--
	}
	*a = agent{}
}

func (r *run) setAgents(t float64, want int) {
	have := 0
	for i := range r.agents {
		if r.agents[i].status != 0 && !r.agents[i].leaving {
			have++
		}
	}
	for ; have < want; have++ {
		// Reuse a leaving agent, then a logged-out slot, then a new one.
		id := -1
		for i := range r.agents {
			if r.agents[i].leaving {
				r.agents[i].leaving = false
				if r.agents[i].status == pacing.AgentReady {
					r.leavingReady--
				}
				id = -2
				break
			}
		}
		if id == -2 {
			continue
		}
		for i := range r.agents {
			if r.agents[i].status == 0 {
				id = i
				break
			}
		}
		if id < 0 {
			r.agents = append(r.agents, agent{})
			id = len(r.agents) - 1
		}
		r.agents[id] = agent{loginAt: t}
		r.becomeReady(t, int32(id))
	}
	for ; have > want; have-- {
		// A ready agent whom no call in flight needs leaves now (the most
		// recently ready); so does, after its wrap-up, a busy agent; failing
		// both, a ready agent leaves as soon as the calls in flight no
		// longer need it (progressive's reserve is kept: it never abandons
		// because the team shrank).
		if r.nready > len(r.inflight) && r.logoutLastReady(t) {
			continue
		}
		if r.markLeaving(func(a *agent) bool { return a.status == pacing.AgentTalking || a.status == pacing.AgentWrapUp }) {
			continue
		}
		if r.markLeaving(func(a *agent) bool { return a.status == pacing.AgentReady }) {
			r.leavingReady++
		}
	}
}

func (r *run) logoutLastReady(t float64) bool {
	for i := len(r.readyQ) - 1; i >= 0; i-- {
		e := r.readyQ[i]
		if a := &r.agents[e.id]; a.status == pacing.AgentReady && a.readySeq == e.seq && !a.leaving {
			r.readyQ = slices.Delete(r.readyQ, i, i+1)
			r.logout(t, e.id)
			return true
		}
	}
	return false
}

func (r *run) markLeaving(ok func(*agent) bool) bool {
	for i := range r.agents {
		if a := &r.agents[i]; a.status != 0 && !a.leaving && ok(a) {
			a.leaving = true
			return true
		}
	}
	return false
}

// settleLeavers logs out ready agents marked leaving once the calls in
// flight no longer need them.
func (r *run) settleLeavers(t float64) {
	for r.leavingReady > 0 && r.nready > len(r.inflight) {
		found := false
		for i := range r.agents {
			if a := &r.agents[i]; a.leaving && a.status == pacing.AgentReady {
				r.logout(t, int32(i))
				r.leavingReady--
				found = true
				break
			}
		}
		if !found {
			r.leavingReady = 0
		}
	}
}

func (r *run) finish() {
	for i := range r.agents {
		a := &r.agents[i]
		switch a.status {
		case 0:
			continue
		case pacing.AgentTalking:
			r.talkSum += r.end - a.since
		case pacing.AgentWrapUp:
			r.wrapSum += r.end - a.since
		}
		r.loggedIn += r.end - a.loginAt
	}
}

func (r *run) result() Result {
	res := Result{
		Attempts:    r.attempts,
		LiveAnswers: r.live,
		Connected:   r.connected,
		Abandoned:   r.abandoned,
	}
	if r.live > 0 {
		res.AbandonRate = float64(r.abandoned) / float64(r.live)
	}
	if r.loggedIn > 0 {
		res.Utilization = (r.talkSum + r.wrapSum) / r.loggedIn
		res.TalkOccupancy = r.talkSum / r.loggedIn
		res.IdleSecondsPerAgentHour = (r.loggedIn - r.talkSum - r.wrapSum) / (r.loggedIn / 3600)
	}
	if len(r.waits) > 0 {
		var sum float64
		for _, w := range r.waits {
			sum += w
		}
		res.MeanWaitSeconds = sum / float64(len(r.waits))
		slices.Sort(r.waits)
		res.P90WaitSeconds = r.waits[int(math.Ceil(0.9*float64(len(r.waits))))-1]
	}
	res.MaxWindowAbandonRate = maxWindowRate(r.liveAt, r.liveAband, 3600, r.end)
	return res
}

// maxWindowRate is the highest abandoned/live over windows (t−w, t] ending
// at a live answer at t ≥ w; the whole run when it is shorter than w.
func maxWindowRate(at []float64, aband []bool, w, end float64) float64 {
	if len(at) == 0 {
		return 0
	}
	if end < w {
		n := 0
		for _, a := range aband {
			if a {
				n++
			}
		}
		return float64(n) / float64(len(at))
	}
	best := 0.0
	lo, ab := 0, 0
	for hi := range at {
		if aband[hi] {
			ab++
		}
		for at[lo] <= at[hi]-w {
			if aband[lo] {
				ab--
			}
			lo++
		}
		if at[hi] >= w {
			best = max(best, float64(ab)/float64(hi-lo+1))
		}
	}
	return best
}
