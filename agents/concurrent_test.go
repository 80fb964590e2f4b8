package agents_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dialer/dialer/agents"
)

// TestConcurrentReserveTwoInstances: two registries on two separate clients
// (two engine instances) and many goroutines reserve the agents of one
// campaign, connect or release them, while other goroutines pause them and
// make them ready. No agent is ever reserved for two attempts at once, every
// reservation is the agent's stored state while it is held, and the totals
// add up exactly.
func TestConcurrentReserveTwoInstances(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	regs := []*agents.Registry{agents.NewRegistry(srv.Client()), agents.NewRegistry(srv.Client())}
	const (
		campaign = "c"
		nAgents  = 12
		perReg   = 8 // workers per registry
		rounds   = 120
	)
	var clockMS atomic.Int64
	clockMS.Store(t0.UnixMilli())
	now := func() time.Time { return time.UnixMilli(clockMS.Add(1)) }
	for i := range nAgents {
		id := fmt.Sprintf("ag%02d", i)
		must(regs[i%2].Login(ctx, id, campaign, "PJSIP/"+id, now())).of(t)
		must(regs[(i+1)%2].Ready(ctx, id, now())).of(t)
	}

	var (
		mu       sync.Mutex
		holder   = map[string]hold{}   // agent → live attempt holding it (per our own books)
		seq      int                   // counts records in holder
		reserved = map[string]string{} // attempt → agent, every reservation ever made
	)
	var reservations, releases, connects, deadOnes, noAgent, churn, expired atomic.Int64

	var workers sync.WaitGroup
	for w := range 2 * perReg {
		reg, other := regs[w%2], regs[(w+1)%2]
		rng := rand.New(rand.NewPCG(uint64(w), 7))
		workers.Go(func() {
			for i := range rounds {
				att := fmt.Sprintf("w%02d-%03d", w, i)
				// One reservation in ten belongs to an engine that dies at
				// once: its lease (1 ms) lapses and nobody releases it.
				dies := rng.IntN(10) == 0
				lease := time.Hour
				if dies {
					lease = time.Millisecond
				}
				mu.Lock()
				start := seq
				mu.Unlock()
				a, err := reg.Reserve(ctx, campaign, att, lease, now())
				if errors.Is(err, agents.ErrNoAgent) {
					noAgent.Add(1)
					continue
				}
				if err != nil {
					t.Errorf("reserve %s: %v", att, err)
					return
				}
				reservations.Add(1)
				mu.Lock()
				// A live holder (1 h lease) holds its agent from before it
				// is recorded until after it is deleted. A live reservation
				// holds until released, so any holder seen now overlaps it.
				// A dying one may have lapsed already: only a holder
				// recorded before its Reserve was sent overlaps it for sure.
				if h, ok := holder[a.ID]; ok && (!dies || h.seq <= start) {
					t.Errorf("agent %s reserved for %s while held by %s", a.ID, att, h.att)
				}
				if !dies {
					seq++
					holder[a.ID] = hold{att, seq}
				}
				if prev, dup := reserved[att]; dup {
					t.Errorf("attempt %s reserved twice (%s, %s)", att, prev, a.ID)
				}
				reserved[att] = a.ID
				mu.Unlock()
				if a.State != agents.StateReserved || a.AttemptID != att {
					t.Errorf("reserve returned %+v for %s", a, att)
				}
				if dies {
					// Its lease has lapsed by any later time: connecting
					// now is refused, whoever holds the agent.
					deadOnes.Add(1)
					if _, err := other.Connect(ctx, a.ID, att, now()); !errors.Is(err, agents.ErrLeaseLost) {
						t.Errorf("connect on lapsed lease %s/%s: %v", a.ID, att, err)
					}
					continue
				}
				// The other instance sees the same reservation.
				if g, err := other.Get(ctx, a.ID); err != nil || g.State != agents.StateReserved || g.AttemptID != att {
					t.Errorf("agent %s reserved for %s, stored %+v (%v)", a.ID, att, g, err)
				}
				if rng.IntN(2) == 0 {
					mu.Lock()
					delete(holder, a.ID)
					mu.Unlock()
					if _, err := other.Release(ctx, a.ID, att, now()); err != nil {
						t.Errorf("release %s/%s: %v", a.ID, att, err)
					}
					releases.Add(1)
					continue
				}
				if _, err := reg.Connect(ctx, a.ID, att, now()); err != nil {
					t.Errorf("connect %s/%s: %v", a.ID, att, err)
				}
				if _, err := other.EndCall(ctx, a.ID, att, now()); err != nil {
					t.Errorf("end call %s/%s: %v", a.ID, att, err)
				}
				connects.Add(1)
				mu.Lock()
				delete(holder, a.ID)
				mu.Unlock()
				if b, err := reg.Disposition(ctx, a.ID, "paid", now()); err != nil || b.AttemptID != att {
					t.Errorf("disposition %s/%s: %+v %v", a.ID, att, b, err)
				}
			}
		})
	}
	// Supervisors and agents pausing and coming back meanwhile, and each
	// instance sweeping lapsed reservations.
	stop := make(chan struct{})
	var churners sync.WaitGroup
	for _, reg := range regs {
		churners.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n, err := reg.ExpireReservations(ctx, campaign, now())
				if err != nil {
					t.Errorf("expire: %v", err)
				}
				expired.Add(int64(n))
			}
		})
	}
	for c := range 2 {
		reg := regs[c]
		rng := rand.New(rand.NewPCG(uint64(c), 99))
		churners.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("ag%02d", rng.IntN(nAgents))
				if _, err := reg.Pause(ctx, id, "break", now()); err != nil {
					t.Errorf("pause %s: %v", id, err)
				}
				// Refused only when the other churner cancelled our pending
				// pause while the agent is busy.
				if _, err := reg.Ready(ctx, id, now()); err != nil && !errors.Is(err, agents.ErrInvalidTransition) {
					t.Errorf("ready %s: %v", id, err)
				}
				churn.Add(1)
			}
		})
	}
	workers.Wait()
	close(stop)
	churners.Wait()

	t.Logf("reservations %d (released %d, connected %d, lapsed %d; %d swept by ExpireReservations), no agent %d times, pause/ready cycles %d",
		reservations.Load(), releases.Load(), connects.Load(), deadOnes.Load(), expired.Load(), noAgent.Load(), churn.Load())
	if got := reservations.Load(); got != releases.Load()+connects.Load()+deadOnes.Load() || int(got) != len(reserved) {
		t.Fatalf("reservations %d ≠ releases %d + connects %d + lapsed %d (distinct attempts %d)",
			got, releases.Load(), connects.Load(), deadOnes.Load(), len(reserved))
	}
	if expired.Load() > deadOnes.Load() {
		t.Fatalf("%d reservations expired, only %d lapsed", expired.Load(), deadOnes.Load())
	}
	if reservations.Load()+noAgent.Load() != 2*perReg*rounds {
		t.Fatalf("%d reservations + %d no-agent ≠ %d calls", reservations.Load(), noAgent.Load(), 2*perReg*rounds)
	}
	if reservations.Load() < 2*perReg*rounds/4 {
		t.Fatalf("only %d reservations: the test did not exercise much", reservations.Load())
	}
	list := must(regs[0].List(ctx, campaign)).of(t)
	if len(list) != nAgents {
		t.Fatalf("%d agents listed, want %d", len(list), nAgents)
	}
	calls := 0
	for _, a := range list {
		calls += a.Calls
		if a.State != agents.StateReady && a.State != agents.StatePaused {
			t.Errorf("agent left %s: %+v", a.State, a)
		}
	}
	if calls != int(connects.Load()) {
		t.Fatalf("agents count %d calls, %d were connected", calls, connects.Load())
	}
	// Everyone ready again: every agent can be reserved exactly once more.
	for _, a := range list {
		if a.State == agents.StatePaused {
			must(regs[1].Ready(ctx, a.ID, now())).of(t)
		}
	}
	seen := map[string]bool{}
	for i := range nAgents {
		a := must(regs[i%2].Reserve(ctx, campaign, fmt.Sprintf("final-%d", i), time.Hour, now())).of(t)
		if seen[a.ID] {
			t.Fatalf("%s reserved twice at the end", a.ID)
		}
		seen[a.ID] = true
	}
	if _, err := regs[0].Reserve(ctx, campaign, "final-x", time.Hour, now()); !errors.Is(err, agents.ErrNoAgent) {
		t.Fatalf("a 13th reservation: %v", err)
	}
}

type hold struct {
	att string
	seq int
}

// TestConcurrentLoginsOneAgent: logins of the same agent into several
// campaigns at once, from four registries: exactly one wins and the agent is
// listed in that campaign only.
func TestConcurrentLoginsOneAgent(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	regs := make([]*agents.Registry, 4)
	for i := range regs {
		regs[i] = agents.NewRegistry(srv.Client())
	}
	camps := []string{"c0", "c1", "c2"}
	for round := range 30 {
		id := fmt.Sprintf("m%02d", round)
		if round%2 == 1 {
			// Start from an agent logged out of some campaign, so that the
			// logins race to move its home.
			must(regs[0].Login(ctx, id, camps[round%3], "s", at(round))).of(t)
			must(regs[0].Logout(ctx, id, at(round))).of(t)
		}
		var wins atomic.Int64
		winner := make(chan string, 8)
		var wg sync.WaitGroup
		for g := range 8 {
			c := camps[g%3]
			reg := regs[g%4]
			wg.Go(func() {
				_, err := reg.Login(ctx, id, c, "s", at(round))
				switch {
				case err == nil:
					wins.Add(1)
					winner <- c
				case !errors.Is(err, agents.ErrInvalidTransition):
					t.Errorf("login %s into %s: %v", id, c, err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("round %d: %d logins of %s succeeded, want 1", round, wins.Load(), id)
		}
		won := <-winner
		for i, c := range camps {
			listed := false
			for _, a := range must(regs[i].List(ctx, c)).of(t) {
				listed = listed || a.ID == id
			}
			if listed != (c == won) {
				t.Fatalf("round %d: %s listed in %s: %v (won %s)", round, id, c, listed, won)
			}
		}
		if a := must(regs[3].Get(ctx, id)).of(t); a.Campaign != won || a.State != agents.StatePaused {
			t.Fatalf("round %d: %+v, won %s", round, a, won)
		}
	}
}
