package pacing

import (
	"errors"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// team returns a snapshot with ready agents and busy ones talking for
// 0..busy-1 minutes.
func team(ready, busy int) Snapshot {
	s := Snapshot{Now: t0.Add(time.Hour), Limits: Limits{AbandonTarget: 0.03}}
	for range ready {
		s.Agents = append(s.Agents, Agent{Status: AgentReady, Since: s.Now.Add(-5 * time.Second)})
	}
	for i := range busy {
		s.Agents = append(s.Agents, Agent{Status: AgentTalking, Since: s.Now.Add(-time.Duration(i%6) * time.Minute)})
	}
	return s
}

func ringing(s *Snapshot, n int, age time.Duration) {
	for range n {
		s.InFlight = append(s.InFlight, Call{Stage: StageRinging, Since: s.Now.Add(-age), Launched: s.Now.Add(-age)})
	}
}

func TestProgressivePowerPreview(t *testing.T) {
	s := team(4, 10)
	ringing(&s, 1, time.Second)
	if d := (Progressive{}).Decide(s); d.Launch != 3 {
		t.Errorf("progressive: launch %d, want 3 (4 ready − 1 in flight)", d.Launch)
	}
	if d := (Power{Ratio: 2.5}).Decide(s); d.Launch != 9 {
		t.Errorf("power 2.5: launch %d, want 9 (10 − 1)", d.Launch)
	}
	ringing(&s, 5, time.Second)
	if d := (Progressive{}).Decide(s); d.Launch != 0 || d.Reason != "full" {
		t.Errorf("progressive over ready agents: %+v", d)
	}
	if d := (Preview{}).Decide(Snapshot{PreviewRequests: 2}); d.Launch != 2 {
		t.Errorf("preview: launch %d, want 2", d.Launch)
	}
	if d := (Preview{}).Decide(team(5, 0)); d.Launch != 0 {
		t.Errorf("preview without requests launched %d", d.Launch)
	}
}

func TestNew(t *testing.T) {
	for _, m := range Modes {
		p, err := New(m, Limits{AbandonTarget: 0.03})
		if err != nil || p == nil {
			t.Fatalf("New(%q): %v", m, err)
		}
	}
	if _, err := New("turbo", Limits{}); !errors.Is(err, ErrUnknownMode) {
		t.Errorf("New(turbo) error = %v, want ErrUnknownMode", err)
	}
	if _, err := New("predictive", Limits{AbandonTarget: 2}); !errors.Is(err, ErrInvalidLimits) {
		t.Errorf("New with target 2: error = %v, want ErrInvalidLimits", err)
	}
	p, _ := New("power", Limits{PowerRatio: 1.5})
	if p.(Power).Ratio != 1.5 {
		t.Errorf("power ratio not taken from limits: %+v", p)
	}
}

func TestPredictiveDialsAhead(t *testing.T) {
	p := NewPredictive(Limits{AbandonTarget: 0.03}, PredictiveOptions{})
	// 2 ready, 98 talking: agents free up about every 2 s, so predictive
	// dials beyond the ready agents.
	s := team(2, 98)
	d := p.Decide(s)
	if d.Launch <= 2 || d.Reason != "forecast" {
		t.Fatalf("decision %+v: want more than the 2 ready agents, by forecast", d)
	}
	if d.Forecast.FreeAgents <= 2 || d.Forecast.SteadyRate <= 0 || d.Forecast.Horizon <= 0 {
		t.Errorf("forecast not filled: %+v", d.Forecast)
	}
	// With those calls in flight, it waits.
	ringing(&s, d.Launch, 0)
	if d2 := p.Decide(s); d2.Launch > d.Launch/4 {
		t.Errorf("second decision launches %d after %d in flight", d2.Launch, d.Launch)
	}
	// MaxRatio bounds calls in flight per working agent.
	free := NewPredictive(Limits{AbandonTarget: 0.03}, PredictiveOptions{Safety: 0.5}).Decide(team(2, 98)).Launch
	if free < 5 {
		t.Fatalf("margin 0.5 launches only %d", free)
	}
	q := NewPredictive(Limits{AbandonTarget: 0.03, MaxRatio: 0.04}, PredictiveOptions{Safety: 0.5})
	if d := q.Decide(team(2, 98)); d.Launch != 4 || d.Reason != "max_ratio" {
		t.Errorf("max ratio 0.04 × 100 agents: %+v, want 4 by max_ratio", d)
	}
}

// At the ceiling the campaign falls back to progressive until it is back
// under; the controller's margin grows with abandons and shrinks with
// connects, within its bounds.
func TestPredictiveControllerAtCeiling(t *testing.T) {
	lim := Limits{AbandonTarget: 0.03}
	p := NewPredictive(lim, PredictiveOptions{})
	s := team(3, 97)
	ringing(&s, 1, time.Second)
	s.LiveAnswers, s.Abandoned = 1000, 30 // exactly at 3%
	d := p.Decide(s)
	if d.Reason != "ceiling" || d.Launch != 2 {
		t.Fatalf("at the ceiling: %+v, want progressive (3 ready − 1 in flight) by ceiling", d)
	}
	s.Abandoned = 28 // back under
	near := p.Decide(s)
	if near.Reason == "ceiling" || near.Launch < 2 {
		t.Fatalf("under the ceiling: %+v, want predictive again", near)
	}
	// Near the ceiling the margin is wider than at the goal rate.
	s.Abandoned = 20
	if far := p.Decide(s); far.Forecast.Safety >= near.Forecast.Safety || far.Launch <= near.Launch {
		t.Errorf("at 2%%: margin %.2f launch %d; at 2.8%%: margin %.2f launch %d",
			far.Forecast.Safety, far.Launch, near.Forecast.Safety, near.Launch)
	}
	// 29 in 1000: the 30th abandon would make exactly 3%, still allowed.
	s.Abandoned = 29
	if d := p.Decide(s); d.Reason == "ceiling" {
		t.Errorf("29 abandons in 1000 fell back: %+v", d)
	}
	// Few live answers: one abandon does not stop predictive...
	s.LiveAnswers, s.Abandoned = 10, 1
	if d := p.Decide(s); d.Reason == "ceiling" {
		t.Errorf("1 abandon in 10 live answers fell back: %+v", d)
	}
	// ...nor two; three do (a fourth would pass 3 in 100).
	s.Abandoned = 2
	if d := p.Decide(s); d.Reason == "ceiling" {
		t.Errorf("2 abandons in 10 live answers fell back: %+v", d)
	}
	s.Abandoned = 3
	if d := p.Decide(s); d.Reason != "ceiling" {
		t.Errorf("3 abandons in 10 live answers did not fall back: %+v", d)
	}

	z0 := p.Safety()
	p.Observe(Observation{Now: s.Now, Kind: ObserveConnect, Abandoned: true})
	z1 := p.Safety()
	if z1 <= z0 {
		t.Fatalf("an abandon did not raise the margin: %v → %v", z0, z1)
	}
	for range 1000 {
		p.Observe(Observation{Now: s.Now, Kind: ObserveConnect})
	}
	if z2 := p.Safety(); z2 >= z1 {
		t.Fatalf("1000 connects did not lower the margin: %v → %v", z1, z2)
	}
	for range 10000 {
		p.Observe(Observation{Now: s.Now, Kind: ObserveConnect, Abandoned: true})
	}
	if z := p.Safety(); z != 4 {
		t.Errorf("margin after many abandons = %v, want the bound 4", z)
	}
	// A larger margin never launches more.
	s = team(2, 98)
	hi := p.Decide(s).Launch
	lo := NewPredictive(lim, PredictiveOptions{Safety: 0.5}).Decide(s).Launch
	if hi > lo {
		t.Errorf("margin 4 launches %d, margin 0.5 launches %d", hi, lo)
	}
	// The controller settles where abandons = Goal × target: equal
	// numbers of steps up and down at that rate cancel.
	q := NewPredictive(lim, PredictiveOptions{})
	z := q.Safety()
	for i := range 10000 {
		q.Observe(Observation{Now: s.Now, Kind: ObserveConnect, Abandoned: i%1000 < 24})
	}
	if math := q.Safety() - z; math > 1e-6 || math < -1e-6 {
		t.Errorf("margin drifted by %v at the goal rate 2.4%%", math)
	}
}

// A bad short window (many abandons in the last minutes) widens the margin
// at once, before the long-run controller has moved much.
func TestPredictiveShortWindowBoost(t *testing.T) {
	lim := Limits{AbandonTarget: 0.03}
	calm := NewPredictive(lim, PredictiveOptions{Gain: 1e-9})
	hot := NewPredictive(lim, PredictiveOptions{Gain: 1e-9})
	s := team(10, 190)
	for i := range 100 {
		at := s.Now.Add(-time.Duration(100-i) * 6 * time.Second)
		calm.Observe(Observation{Now: at, Kind: ObserveConnect})
		hot.Observe(Observation{Now: at, Kind: ObserveConnect, Abandoned: i%10 == 0})
	}
	dc, dh := calm.Decide(s), hot.Decide(s)
	if dh.Forecast.Safety <= dc.Forecast.Safety+0.5 {
		t.Errorf("10%% abandons in the last 10 minutes: margin %.2f vs %.2f when calm", dh.Forecast.Safety, dc.Forecast.Safety)
	}
	if dh.Launch >= dc.Launch {
		t.Errorf("hot window launches %d, calm %d", dh.Launch, dc.Launch)
	}
}

func TestPredictiveNoAgents(t *testing.T) {
	p := NewPredictive(Limits{AbandonTarget: 0.03}, PredictiveOptions{Safety: -1})
	s := team(0, 0)
	s.Agents = append(s.Agents, Agent{Status: AgentPaused, Since: s.Now})
	if d := p.Decide(s); d.Launch != 0 {
		t.Errorf("no working agents: %+v", d)
	}
}

// Observe runs on call goroutines while the campaign loop decides.
func TestPredictiveConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPredictive(Limits{AbandonTarget: 0.03}, PredictiveOptions{})
		s := team(5, 45)
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 500 {
					now := s.Now.Add(time.Duration(i) * time.Second)
					p.Observe(Observation{Now: now, Kind: ObserveResult, Outcome: Outcome(1 + (i+g)%7), Ring: 10 * time.Second})
					p.Observe(Observation{Now: now, Kind: ObserveConnect, Abandoned: i%40 == 0})
					p.Observe(Observation{Now: now, Kind: ObserveHandled, Talk: 100 * time.Second, Wrap: 10 * time.Second})
				}
			})
		}
		wg.Go(func() {
			snap := s
			for range 200 {
				snap.Now = snap.Now.Add(time.Second)
				if d := p.Decide(snap); d.Launch < 0 {
					t.Errorf("negative launch %+v", d)
				}
			}
		})
		wg.Wait()
		if r := p.LiveRate(); r <= 0 || r >= 1 {
			t.Errorf("live rate %v", r)
		}
	})
}

func TestVICIdialLevel(t *testing.T) {
	v := NewVICIdial(Limits{AbandonTarget: 0.03}, VICIdialOptions{})
	s := team(5, 15)
	// Level 1.0 is progressive.
	if d := v.Decide(s); d.Launch != 5 {
		t.Fatalf("level 1: launch %d, want 5 (ready agents)", d.Launch)
	}
	// Agents stay idle: every 15 s the level rises.
	for i := 1; i <= 60; i++ {
		s.Now = s.Now.Add(time.Second)
		v.Decide(s)
	}
	if l := v.Level(); l <= 1 || l > 3 {
		t.Fatalf("level after a minute of idle agents = %v, want in (1, 3]", l)
	}
	// Over the drop limit, ADAPT_HARD_LIMIT resets to 1.0.
	s.LiveAnswers, s.Abandoned = 100, 5
	for range 15 {
		s.Now = s.Now.Add(time.Second)
		v.Decide(s)
	}
	if l := v.Level(); l != 1 {
		t.Errorf("level over the drop limit = %v, want 1", l)
	}
	// Calls waiting for agents pull the level down.
	w := NewVICIdial(Limits{AbandonTarget: 0.03}, VICIdialOptions{})
	w.level = 2
	s = team(0, 20)
	for range 3 {
		s.InFlight = append(s.InFlight, Call{Stage: StageWaitingAgent, Since: s.Now, Launched: s.Now})
	}
	for range 16 {
		s.Now = s.Now.Add(time.Second)
		w.Decide(s)
	}
	if l := w.Level(); l >= 2 {
		t.Errorf("level with calls waiting = %v, want under 2", l)
	}
}

// pacing is pure: it imports nothing of this module and no network,
// process or storage packages.
func TestPacingDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == "github.com/dialer/dialer/pacing":
		case strings.HasPrefix(dep, "github.com/dialer/dialer"),
			dep == "net" || strings.HasPrefix(dep, "net/"),
			dep == "os/exec", strings.HasPrefix(dep, "database/"),
			strings.Contains(dep, "redis"), strings.Contains(dep, "prometheus"):
			t.Errorf("pacing depends on %s", dep)
		case strings.Contains(dep, ".") && !strings.HasPrefix(dep, "gonum.org/"):
			t.Errorf("pacing depends on third-party %s", dep)
		}
	}
}

func benchmarkDecide(b *testing.B, agents int) {
	p := NewPredictive(Limits{AbandonTarget: 0.03}, PredictiveOptions{})
	s := team(agents/20, agents-agents/20)
	ringing(&s, agents/4, 5*time.Second)
	b.ReportAllocs()
	for b.Loop() {
		s.Now = s.Now.Add(time.Second)
		p.Decide(s)
	}
}

func BenchmarkPredictiveDecide100(b *testing.B) { benchmarkDecide(b, 100) }
func BenchmarkPredictiveDecide500(b *testing.B) { benchmarkDecide(b, 500) }
