package dialer_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/dialer"
	"github.com/dialer/dialer/internal/clock"
	"github.com/dialer/dialer/telephony/sim"
	"github.com/dialer/dialer/test/redistest"
)

// fastNet is a simulated network with the call times divided by ~100, so a
// test sees hundreds of calls in a few seconds of real time.
func fastNet(seed int64) sim.Config {
	c := sim.DefaultConfig()
	c.Seed = seed
	c.PostDial = sim.Dist{Kind: "constant", Mean: 10 * time.Millisecond}
	c.RingTime = sim.Dist{Kind: "uniform", Min: 30 * time.Millisecond, Max: 200 * time.Millisecond}
	c.Patience = sim.Dist{Kind: "constant", Mean: 10 * time.Second}
	c.TalkTime = sim.Dist{Kind: "uniform", Min: 50 * time.Millisecond, Max: 300 * time.Millisecond}
	c.WrapTime = sim.Dist{Kind: "constant", Mean: 30 * time.Millisecond}
	c.Greeting = sim.Dist{Kind: "constant", Mean: 2 * time.Second}
	// No "no answer": those ring for the campaign's ring timeout (≥ 15 s by
	// law), too long for a test in real time; no machines or fax either:
	// without AMD they would hold an agent until they hang up.
	c.Human, c.Machine, c.Busy, c.Invalid, c.Fax, c.Congestion = 0.7, 0, 0.15, 0.05, 0, 0.1
	return c
}

func testCampaign(id string) campaigns.Config {
	c := campaigns.Config{
		ID:           id,
		Name:         "Test " + id,
		Mode:         "progressive",
		CallerID:     "+12025550143",
		MaxAttempts:  3,
		CallingHours: campaigns.Hours{Start: "00:00", End: "23:59"},
		RetryDelay: campaigns.RetryDelays{
			Busy:      campaigns.Duration(50 * time.Millisecond),
			NoAnswer:  campaigns.Duration(50 * time.Millisecond),
			Machine:   campaigns.Duration(50 * time.Millisecond),
			Failed:    campaigns.Duration(50 * time.Millisecond),
			Abandoned: campaigns.Duration(50 * time.Millisecond),
		},
	}
	return c
}

// testLogger logs to stderr when DIALER_TEST_LOG is set (debugging).
func testLogger() *slog.Logger {
	if os.Getenv("DIALER_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// instance is one engine process: its own Redis client, driver and agents.
type instance struct {
	rdb    *redis.Client
	store  *campaigns.Store
	reg    *agents.Registry
	net    *sim.Network
	eng    *dialer.Engine
	sa     *dialer.SimAgents
	cancel context.CancelFunc
	done   chan error
}

func startInstance(t *testing.T, addr, name string, netCfg sim.Config, leaseTTL time.Duration) *instance {
	t.Helper()
	in := &instance{rdb: redis.NewClient(&redis.Options{Addr: addr})}
	in.store = campaigns.NewStore(in.rdb)
	in.reg = agents.NewRegistry(in.rdb)
	var err error
	in.net, err = sim.New(netCfg, clock.Real)
	if err != nil {
		t.Fatal(err)
	}
	in.sa = dialer.NewSimAgents(in.reg, in.store, clock.Real, in.net.WrapTime, 1, nil)
	in.eng, err = dialer.New(dialer.Options{
		Store: in.store, Agents: in.reg, Driver: in.net,
		Registerer: prometheus.NewRegistry(),
		InstanceID: name,
		Logger:     testLogger(),
		Tick:       20 * time.Millisecond,
		Supervise:  50 * time.Millisecond,
		LeaseTTL:   leaseTTL,
		Grace:      300 * time.Millisecond,
		OnWrapUp:   in.sa.WrapUp,
	})
	if err != nil {
		t.Fatal(err)
	}
	in.sa.Wake = in.eng.Wake
	ctx, cancel := context.WithCancel(context.Background())
	in.cancel = cancel
	in.done = make(chan error, 1)
	go func() { in.done <- in.eng.Run(ctx) }()
	t.Cleanup(in.stop)
	return in
}

// stop shuts the instance down cleanly.
func (in *instance) stop() {
	if in.cancel == nil {
		return
	}
	in.cancel()
	<-in.done
	in.cancel = nil
	in.sa.Close()
	in.net.Close()
	in.rdb.Close()
}

// crash stops the instance the way a killed process does: its Redis
// connection goes first, so it can neither record nor release anything.
func (in *instance) crash() {
	in.rdb.Close()
	in.cancel()
	<-in.done
	in.cancel = nil
	in.sa.Close()
	in.net.Close()
}

func seed(t *testing.T, store *campaigns.Store, reg *agents.Registry, cfg campaigns.Config, leads, nAgents int) {
	t.Helper()
	ctx := context.Background()
	if err := store.SaveCampaign(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	ls := make([]campaigns.Lead, leads)
	for i := range ls {
		ls[i] = campaigns.Lead{ExternalID: fmt.Sprint("L", i), Phone: fmt.Sprintf("+1202555%04d", i)}
	}
	res, err := store.AddLeads(ctx, cfg.ID, ls, time.Now())
	if err != nil || res.Imported != leads {
		t.Fatalf("add leads: %+v %v", res, err)
	}
	now := time.Now()
	for i := range nAgents {
		id := fmt.Sprintf("%s-a%02d", cfg.ID, i)
		if _, err := reg.Login(ctx, id, cfg.ID, "sim/"+id, now); err != nil {
			t.Fatal(err)
		}
		if _, err := reg.Ready(ctx, id, now); err != nil {
			t.Fatal(err)
		}
	}
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func stats(t *testing.T, store *campaigns.Store, id string) campaigns.Stats {
	t.Helper()
	st, err := store.Stats(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// checkLedger asserts that every lead is accounted for, none is left
// dialing, and no attempt id appears twice in the attempt log, and that no
// lead had two attempts at once.
func checkLedger(t *testing.T, store *campaigns.Store, id string, leads int) []campaigns.AttemptRecord {
	t.Helper()
	st := stats(t, store, id)
	var total int64
	for status, n := range st.Leads {
		total += n
		if status == campaigns.LeadDialing && n > 0 {
			t.Errorf("%d leads left dialing", n)
		}
	}
	if total != int64(leads) {
		t.Errorf("leads by status %v sum to %d, want %d", st.Leads, total, leads)
	}
	log, err := store.AttemptLog(context.Background(), id, "", 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	byLead := map[string][]campaigns.AttemptRecord{}
	for _, r := range log {
		if seen[r.AttemptID] {
			t.Errorf("attempt %s logged twice", r.AttemptID)
		}
		seen[r.AttemptID] = true
		byLead[r.LeadID] = append(byLead[r.LeadID], r)
	}
	for lead, rs := range byLead {
		for i := range rs {
			for j := i + 1; j < len(rs); j++ {
				a, b := rs[i], rs[j]
				if a.Outcome == campaigns.OutcomeInterrupted || b.Outcome == campaigns.OutcomeInterrupted {
					continue // the dead owner's record has no end of its own
				}
				if a.StartedAt.Before(b.EndedAt) && b.StartedAt.Before(a.EndedAt) {
					t.Errorf("lead %s dialed twice at once: %s and %s", lead, a.AttemptID, b.AttemptID)
				}
			}
		}
	}
	return log
}

func TestProgressiveConnectsWithoutAbandons(t *testing.T) {
	srv := redistest.Start(t)
	cfg := testCampaign("prog")
	netCfg := fastNet(1)
	in := startInstance(t, srv.Addr(), "e1", netCfg, time.Second)
	seed(t, in.store, in.reg, cfg, 150, 4)
	if err := in.store.SetState(context.Background(), cfg.ID, campaigns.StateRunning); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "40 connected calls", 30*time.Second, func() bool { return stats(t, in.store, cfg.ID).Connected >= 40 })
	in.stop()
	check := campaigns.NewStore(srv.Client())
	st := stats(t, check, cfg.ID)
	if st.Abandoned != 0 {
		t.Errorf("progressive 1:1 abandoned %d calls", st.Abandoned)
	}
	log := checkLedger(t, check, cfg.ID, 150)
	connected := 0
	for _, r := range log {
		if r.Outcome == campaigns.OutcomeConnected {
			connected++
			if r.AgentID == "" || r.ConnectedAt.IsZero() || r.AnsweredAt.IsZero() {
				t.Errorf("connected attempt %s lacks agent or times: %+v", r.AttemptID, r)
			}
			if r.ConnectedAt.Sub(r.AnsweredAt) > 300*time.Millisecond {
				t.Errorf("attempt %s waited %v for an agent", r.AttemptID, r.ConnectedAt.Sub(r.AnsweredAt))
			}
		}
	}
	if int64(connected) != st.Connected {
		t.Errorf("log has %d connected, stats say %d", connected, st.Connected)
	}
}

func TestAbandonsWhenNoAgentIsFree(t *testing.T) {
	srv := redistest.Start(t)
	cfg := testCampaign("pow")
	cfg.Mode = "power"
	cfg.PowerRatio = 4
	netCfg := fastNet(2)
	netCfg.Human, netCfg.Machine, netCfg.Busy, netCfg.Invalid, netCfg.Fax, netCfg.Congestion = 1, 0, 0, 0, 0, 0
	netCfg.TalkTime = sim.Dist{Kind: "constant", Mean: 2 * time.Second}
	in := startInstance(t, srv.Addr(), "e1", netCfg, time.Second)
	seed(t, in.store, in.reg, cfg, 40, 1)
	in.store.SetState(context.Background(), cfg.ID, campaigns.StateRunning)
	waitFor(t, "abandons", 20*time.Second, func() bool { return stats(t, in.store, cfg.ID).Abandoned >= 3 })
	in.stop()
	log := checkLedger(t, campaigns.NewStore(srv.Client()), cfg.ID, 40)
	for _, r := range log {
		if r.Outcome != campaigns.OutcomeAbandoned {
			continue
		}
		if !r.Abandoned || !r.LiveAnswer || r.AgentID != "" {
			t.Errorf("abandoned record %+v", r)
		}
		if wait := r.EndedAt.Sub(r.AnsweredAt); wait < 300*time.Millisecond {
			t.Errorf("attempt %s abandoned after %v, before the grace", r.AttemptID, wait)
		}
	}
	st := stats(t, campaigns.NewStore(srv.Client()), cfg.ID)
	if st.AbandonRate <= 0 || st.AbandonRate > 1 {
		t.Errorf("abandon rate %v", st.AbandonRate)
	}
}

// A killed engine's campaign is taken over by another instance once the
// lease lapses; what it left in flight is recovered, and no attempt is
// dialed twice.
func TestCrashedEngineIsTakenOver(t *testing.T) {
	srv := redistest.Start(t)
	cfg := testCampaign("crash")
	netCfg := fastNet(3)
	netCfg.TalkTime = sim.Dist{Kind: "uniform", Min: 200 * time.Millisecond, Max: 800 * time.Millisecond}
	a := startInstance(t, srv.Addr(), "engine-a", netCfg, 500*time.Millisecond)
	seed(t, a.store, a.reg, cfg, 120, 5)
	a.store.SetState(context.Background(), cfg.ID, campaigns.StateRunning)
	waitFor(t, "calls in flight on engine a", 10*time.Second, func() bool {
		st := stats(t, a.store, cfg.ID)
		return st.Attempts >= 10 && st.InFlight >= 2
	})
	b := startInstance(t, srv.Addr(), "engine-b", fastNet(4), 500*time.Millisecond)
	if owned := b.eng.Owned(); len(owned) != 0 {
		t.Fatalf("standby owns %v while engine a runs", owned)
	}
	a.crash()
	waitFor(t, "engine b to take over", 10*time.Second, func() bool { return len(b.eng.Owned()) == 1 })
	// The agents whose calls died with engine a end up in wrap-up (their
	// simulated selves died with it too): they record a disposition, as
	// people at their softphones would.
	stopPeople := make(chan struct{})
	peopleDone := make(chan struct{})
	go func() {
		defer close(peopleDone)
		for {
			select {
			case <-stopPeople:
				return
			case <-time.After(50 * time.Millisecond):
			}
			list, _ := b.reg.List(context.Background(), cfg.ID)
			for _, ag := range list {
				if ag.State == agents.StateWrapUp && time.Since(ag.Since) > 200*time.Millisecond {
					b.reg.Disposition(context.Background(), ag.ID, "callback", time.Now())
				}
			}
		}
	}()
	defer func() { close(stopPeople); <-peopleDone }()
	before := stats(t, b.store, cfg.ID).Attempts
	waitFor(t, "engine b to dial", 10*time.Second, func() bool { return stats(t, b.store, cfg.ID).Attempts > before+10 })
	b.stop()
	check := campaigns.NewStore(srv.Client())
	log := checkLedger(t, check, cfg.ID, 120)
	interrupted := 0
	for _, r := range log {
		if r.Outcome == campaigns.OutcomeInterrupted {
			interrupted++
		}
	}
	if interrupted == 0 {
		t.Errorf("no attempt recovered as interrupted; the crash left nothing in flight?")
	}
	agentsLeft, err := agents.NewRegistry(srv.Client()).List(context.Background(), cfg.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ag := range agentsLeft {
		if ag.State == agents.StateReserved || ag.State == agents.StateTalking {
			t.Errorf("agent %s left %s after takeover and stop", ag.ID, ag.State)
		}
	}
}

// Two instances on one Redis: one owns the campaign, the other stands by;
// a clean stop hands the campaign over at once.
func TestTwoInstancesOneOwner(t *testing.T) {
	srv := redistest.Start(t)
	cfg := testCampaign("two")
	a := startInstance(t, srv.Addr(), "engine-a", fastNet(5), 2*time.Second)
	seed(t, a.store, a.reg, cfg, 100, 4)
	a.store.SetState(context.Background(), cfg.ID, campaigns.StateRunning)
	b := startInstance(t, srv.Addr(), "engine-b", fastNet(6), 2*time.Second)
	waitFor(t, "an owner", 10*time.Second, func() bool { return len(a.eng.Owned())+len(b.eng.Owned()) == 1 })
	waitFor(t, "attempts", 10*time.Second, func() bool { return stats(t, a.store, cfg.ID).Attempts >= 20 })
	if len(a.eng.Owned())+len(b.eng.Owned()) != 1 {
		t.Fatalf("owners: a %v, b %v", a.eng.Owned(), b.eng.Owned())
	}
	owner, standby := a, b
	if len(b.eng.Owned()) == 1 {
		owner, standby = b, a
	}
	owner.stop()
	waitFor(t, "standby to take over", 5*time.Second, func() bool { return len(standby.eng.Owned()) == 1 })
	n := stats(t, standby.store, cfg.ID).Attempts
	waitFor(t, "standby to dial", 10*time.Second, func() bool { return stats(t, standby.store, cfg.ID).Attempts > n+5 })
	standby.stop()
	log := checkLedger(t, campaigns.NewStore(srv.Client()), cfg.ID, 100)
	for _, r := range log {
		if r.Outcome == campaigns.OutcomeInterrupted {
			t.Errorf("clean handover left attempt %s interrupted", r.AttemptID)
		}
	}
}

// Redis goes down and comes back (with AOF) during a campaign: the engine
// rides it out, and no lead is lost or left dialing.
func TestRedisRestartLosesNoLead(t *testing.T) {
	srv := redistest.Start(t, redistest.WithAOF())
	cfg := testCampaign("aof")
	in := startInstance(t, srv.Addr(), "e1", fastNet(7), 5*time.Second)
	seed(t, in.store, in.reg, cfg, 200, 5)
	in.store.SetState(context.Background(), cfg.ID, campaigns.StateRunning)
	waitFor(t, "attempts", 10*time.Second, func() bool { return stats(t, in.store, cfg.ID).Attempts >= 20 })
	// Down for three seconds, with calls in progress: their records wait
	// for Redis to come back.
	srv.Stop()
	time.Sleep(3 * time.Second)
	srv.Restart()
	var after int64
	waitFor(t, "attempts after the restart", 20*time.Second, func() bool {
		st, err := in.store.Stats(context.Background(), cfg.ID)
		if err != nil {
			return false
		}
		if after == 0 {
			after = st.Attempts
		}
		return st.Attempts >= after+20
	})
	in.stop()
	checkLedger(t, campaigns.NewStore(srv.Client()), cfg.ID, 200)
	list, err := agents.NewRegistry(srv.Client()).List(context.Background(), cfg.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ag := range list {
		if ag.State == agents.StateReserved || ag.State == agents.StateTalking {
			t.Errorf("agent %s left %s by the outage", ag.ID, ag.State)
		}
	}
}

// A clean stop hangs up calls not answered yet and leaves every lead
// eligible, completed or scheduled: none dialing.
func TestShutdownReleasesCallsInFlight(t *testing.T) {
	srv := redistest.Start(t)
	cfg := testCampaign("stop")
	netCfg := fastNet(8)
	netCfg.RingTime = sim.Dist{Kind: "uniform", Min: 500 * time.Millisecond, Max: time.Second}
	in := startInstance(t, srv.Addr(), "e1", netCfg, time.Second)
	seed(t, in.store, in.reg, cfg, 60, 6)
	in.store.SetState(context.Background(), cfg.ID, campaigns.StateRunning)
	waitFor(t, "calls ringing", 10*time.Second, func() bool { return stats(t, in.store, cfg.ID).InFlight >= 3 })
	in.stop()
	st := stats(t, campaigns.NewStore(srv.Client()), cfg.ID)
	if st.InFlight != 0 {
		t.Errorf("%d attempts still in flight after a clean stop", st.InFlight)
	}
	log := checkLedger(t, campaigns.NewStore(srv.Client()), cfg.ID, 60)
	canceled := 0
	for _, r := range log {
		if r.Outcome == campaigns.OutcomeCanceled {
			canceled++
		}
	}
	if canceled == 0 {
		t.Errorf("no ringing call was cancelled at shutdown")
	}
}

// With AMD on, the engine listens to each answered call (the simulated
// network's synthetic audio) and connects only people: machines and fax are
// hung up, and the verdict and its time are in the attempt log. It runs in
// virtual time (synctest): audio is paced by the clock, and a loaded
// machine must not make frames late.
func TestAMDConnectsPeopleOnly(t *testing.T) {
	srv := redistest.Start(t)
	cfg := testCampaign("amd")
	cfg.AMD = campaigns.AMDPolicy{Enabled: true, OnMachine: "retry"}
	netCfg := sim.DefaultConfig()
	netCfg.Seed = 9
	netCfg.Human, netCfg.Machine, netCfg.Busy, netCfg.Invalid, netCfg.Fax, netCfg.Congestion = 0.5, 0.35, 0, 0, 0.15, 0
	runVirtual(t, srv.Addr(), cfg, netCfg, 8, 40, 10*time.Minute, func(t *testing.T, store *campaigns.Store, net *sim.Network) {
		log := checkLedger(t, store, cfg.ID, 40)
		right, total := 0, 0
		for _, r := range log {
			truth, ok := net.Truth(r.AttemptID)
			if !ok || r.AnsweredAt.IsZero() || r.Outcome == campaigns.OutcomeCanceled {
				continue
			}
			total++
			if r.AMDResult == "" {
				t.Errorf("answered attempt %s has no AMD result", r.AttemptID)
			}
			switch truth {
			case sim.Human:
				if r.Outcome == campaigns.OutcomeConnected && r.AMDResult == "human" && r.AMDMillis > 0 {
					right++
				}
			case sim.Machine:
				if r.Outcome == campaigns.OutcomeMachine && !r.LiveAnswer {
					right++
				}
			case sim.Fax:
				if r.Outcome == campaigns.OutcomeFax {
					right++
				}
			}
		}
		if total < 30 {
			t.Fatalf("only %d answered attempts", total)
		}
		if float64(right) < 0.9*float64(total) {
			t.Errorf("AMD acted right on %d of %d answered calls", right, total)
		}
		t.Logf("AMD acted right on %d of %d answered calls", right, total)
	})
}

// Preview: nothing is dialed until an agent asks; the lead's call then goes
// to that agent.
func TestPreviewDialsForTheAgentWhoAsked(t *testing.T) {
	srv := redistest.Start(t)
	cfg := testCampaign("prev")
	cfg.Mode = "preview"
	netCfg := fastNet(10)
	netCfg.Human, netCfg.Busy, netCfg.Invalid, netCfg.Congestion = 1, 0, 0, 0
	in := startInstance(t, srv.Addr(), "e1", netCfg, time.Second)
	seed(t, in.store, in.reg, cfg, 10, 3)
	in.store.SetState(context.Background(), cfg.ID, campaigns.StateRunning)
	waitFor(t, "the campaign to be owned", 5*time.Second, func() bool { return len(in.eng.Owned()) == 1 })
	time.Sleep(300 * time.Millisecond) // several ticks: preview must not dial by itself
	if st := stats(t, in.store, cfg.ID); st.Attempts != 0 || st.InFlight != 0 {
		t.Fatalf("preview dialed without a request: %+v", st)
	}
	ctx := context.Background()
	agent := cfg.ID + "-a01"
	at, err := in.eng.PreviewNext(ctx, agent)
	if err != nil {
		t.Fatal(err)
	}
	if at.Lead.Phone == "" || at.ID == "" {
		t.Fatalf("attempt without lead: %+v", at)
	}
	if _, err := in.eng.PreviewNext(ctx, agent); !errors.Is(err, agents.ErrInvalidTransition) {
		t.Errorf("second request while reserved: %v, want ErrInvalidTransition", err)
	}
	waitFor(t, "the preview call to connect", 10*time.Second, func() bool { return stats(t, in.store, cfg.ID).Connected == 1 })
	waitFor(t, "the attempt to end", 10*time.Second, func() bool { return stats(t, in.store, cfg.ID).InFlight == 0 })
	log, _ := in.store.AttemptLog(ctx, cfg.ID, "", 10)
	if len(log) != 1 || log[0].AttemptID != at.ID || log[0].AgentID != agent || log[0].Outcome != campaigns.OutcomeConnected {
		t.Fatalf("log = %+v, want one connected attempt %s by %s", log, at.ID, agent)
	}
	if _, err := in.eng.PreviewNext(ctx, "ghost"); !errors.Is(err, agents.ErrNotFound) {
		t.Errorf("unknown agent: %v", err)
	}
	// A progressive campaign refuses preview requests.
	cfg2 := testCampaign("prog2")
	seed(t, in.store, in.reg, cfg2, 1, 1)
	in.store.SetState(ctx, cfg2.ID, campaigns.StatePaused)
	in.store.SetState(ctx, cfg2.ID, campaigns.StateRunning)
	waitFor(t, "the second campaign to be owned", 5*time.Second, func() bool { return len(in.eng.Owned()) == 2 })
	in.store.SetState(ctx, cfg2.ID, campaigns.StatePaused)
	if _, err := in.eng.PreviewNext(ctx, cfg2.ID+"-a00"); !errors.Is(err, dialer.ErrNotPreview) {
		t.Errorf("preview on a progressive campaign: %v", err)
	}
}

// The campaign's AMD policy on machines: leave a message after the beep
// (and close the lead), or hang up and never call the lead again. Virtual
// time, like TestAMDConnectsPeopleOnly.
func TestAMDMachinePolicies(t *testing.T) {
	for _, tc := range []struct {
		policy string
		want   campaigns.Outcome
		plays  bool
	}{
		{campaigns.OnMachineMessage, campaigns.OutcomeMessageLeft, true},
		{campaigns.OnMachineHangup, campaigns.OutcomeMachineDone, false},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			srv := redistest.Start(t)
			cfg := testCampaign("vm")
			cfg.AMD = campaigns.AMDPolicy{Enabled: true, OnMachine: tc.policy, Message: "collections-callback"}
			netCfg := sim.DefaultConfig()
			netCfg.Seed = 12
			netCfg.Human, netCfg.Machine, netCfg.Busy, netCfg.Invalid, netCfg.Fax, netCfg.Congestion = 0, 1, 0, 0, 0, 0
			runVirtual(t, srv.Addr(), cfg, netCfg, 4, 4, 5*time.Minute, func(t *testing.T, store *campaigns.Store, net *sim.Network) {
				log := checkLedger(t, store, cfg.ID, 4)
				if len(log) != 4 {
					t.Fatalf("%d attempts for 4 machines", len(log))
				}
				for _, r := range log {
					if r.Outcome != tc.want || r.AMDResult != "machine" || r.LiveAnswer {
						t.Errorf("record %+v, want outcome %s after a machine verdict", r, tc.want)
					}
				}
				if plays := net.Stats().Plays; (plays == 4) != tc.plays {
					t.Errorf("%d messages played for 4 machines", plays)
				}
			})
		})
	}
}
