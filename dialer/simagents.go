package dialer

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/internal/clock"
)

// SimAgents are simulated agents for the demo and load tests: they log in,
// go ready, and after each call spend a sampled wrap-up time before they
// record a disposition and go ready again. Talk time is the simulated
// network's (the customer hangs up).
type SimAgents struct {
	reg   *agents.Registry
	store *campaigns.Store
	clk   clock.Clock
	log   *slog.Logger
	wrap  func() time.Duration
	// Wake, if set, is called when an agent goes ready (Engine.Wake).
	Wake func(campaign string)

	mu  sync.Mutex // guards rng
	rng *rand.Rand

	wg      sync.WaitGroup
	stopped chan struct{}
	stop    sync.Once
}

// NewSimAgents returns simulated agents; wrap samples a wrap-up time.
func NewSimAgents(reg *agents.Registry, store *campaigns.Store, clk clock.Clock, wrap func() time.Duration, seed uint64, log *slog.Logger) *SimAgents {
	if clk == nil {
		clk = clock.Real
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SimAgents{
		reg: reg, store: store, clk: clk, log: log, wrap: wrap,
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		stopped: make(chan struct{}),
	}
}

// Login logs n agents (sim-001 …) into the campaign and makes them ready.
func (s *SimAgents) Login(ctx context.Context, campaign string, n int) ([]string, error) {
	ids := make([]string, 0, n)
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("sim-%03d", i)
		now := s.clk.Now()
		a, err := s.reg.Get(ctx, id)
		if err == nil && a.State != agents.StateOffline {
			// Still logged in from an earlier run (Redis kept it).
			ids = append(ids, id)
			continue
		}
		if _, err := s.reg.Login(ctx, id, campaign, "sim/"+id, now); err != nil {
			return ids, fmt.Errorf("login %s: %w", id, err)
		}
		if _, err := s.reg.Ready(ctx, id, now); err != nil {
			return ids, fmt.Errorf("ready %s: %w", id, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

var simDispositions = []string{"promise_to_pay", "paid", "callback", "refused", "wrong_person"}

// WrapUp is the engine's OnWrapUp hook: the agent finishes wrap-up after a
// sampled time, records a disposition and goes ready.
func (s *SimAgents) WrapUp(campaign, agentID string) {
	s.mu.Lock()
	code := simDispositions[s.rng.IntN(len(simDispositions))]
	s.mu.Unlock()
	d := s.wrap()
	s.wg.Go(func() {
		t := s.clk.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.stopped:
			return
		}
		ctx := context.Background()
		now := s.clk.Now()
		before, err := s.reg.Disposition(ctx, agentID, code, now)
		if err != nil {
			s.log.Warn("sim agent disposition", "agent", agentID, "err", err)
			return
		}
		if err := s.store.RecordDisposition(ctx, campaign, before.AttemptID, agentID, code, now); err != nil {
			s.log.Warn("sim agent record disposition", "agent", agentID, "err", err)
		}
		if s.Wake != nil {
			s.Wake(campaign)
		}
	})
}

// Close stops pending wrap-ups and waits for them. Safe to call twice.
func (s *SimAgents) Close() {
	s.stop.Do(func() { close(s.stopped) })
	s.wg.Wait()
}
