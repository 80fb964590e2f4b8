package dialer_test

import (
	"context"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"

	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/dialer"
	"github.com/dialer/dialer/internal/clock"
	"github.com/dialer/dialer/telephony/sim"
	"github.com/dialer/dialer/test/redistest"
)

// roundTrips counts commands and pipelines sent to Redis.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmd)
	}
}
func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmds)
	}
}

// quantile estimates a quantile of a Prometheus histogram the way
// histogram_quantile does (linear within the bucket).
func quantile(h *dto.Histogram, q float64) float64 {
	total := float64(h.GetSampleCount())
	if total == 0 {
		return 0
	}
	rank := q * total
	prevBound, prevCount := 0.0, 0.0
	for _, b := range h.GetBucket() {
		c := float64(b.GetCumulativeCount())
		if c >= rank {
			if c == prevCount {
				return b.GetUpperBound()
			}
			return prevBound + (b.GetUpperBound()-prevBound)*(rank-prevCount)/(c-prevCount)
		}
		prevBound, prevCount = b.GetUpperBound(), c
	}
	return prevBound
}

func histogram(b *testing.B, reg *prometheus.Registry, name string) *dto.Histogram {
	mfs, err := reg.Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) > 0 {
			return mf.GetMetric()[0].GetHistogram()
		}
	}
	return &dto.Histogram{}
}

// BenchmarkEngine runs one campaign on the simulated network (calls of a few
// milliseconds, so the engine and Redis are the bottleneck) against a real
// redis-server, with b.N leads and 100 simulated agents, and reports
// attempts/s, Redis round trips per attempt (engine and simulated agents,
// plus this benchmark's own polling), the p99 of the pacing decision (from
// the engine's histogram) and of answer-to-connect inside the engine (from
// the attempt log: answered event to bridged).
func BenchmarkEngine(b *testing.B) {
	for _, agentsN := range []int{20, 100} {
		b.Run(fmt.Sprintf("agents=%d", agentsN), func(b *testing.B) { benchEngine(b, agentsN) })
	}
}

func benchEngine(b *testing.B, nAgents int) {
	srv := redistest.Start(b)
	leads := max(b.N, 200)
	rt := &roundTrips{}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 64})
	defer rdb.Close()
	store := campaigns.NewStore(rdb)
	reg := agents.NewRegistry(rdb)
	netCfg := sim.DefaultConfig()
	netCfg.Human, netCfg.Machine, netCfg.Busy, netCfg.Invalid, netCfg.Fax, netCfg.Congestion = 0.6, 0, 0.3, 0.05, 0, 0.05
	netCfg.PostDial = sim.Dist{Kind: "constant", Mean: time.Millisecond}
	netCfg.RingTime = sim.Dist{Kind: "uniform", Min: 2 * time.Millisecond, Max: 10 * time.Millisecond}
	netCfg.TalkTime = sim.Dist{Kind: "uniform", Min: 5 * time.Millisecond, Max: 20 * time.Millisecond}
	netCfg.WrapTime = sim.Dist{Kind: "constant", Mean: time.Millisecond}
	netw, err := sim.New(netCfg, clock.Real)
	if err != nil {
		b.Fatal(err)
	}
	defer netw.Close()
	cfg := testCampaign("bench")
	cfg.MaxAttempts = 1
	ctx := context.Background()
	if err := store.SaveCampaign(ctx, cfg); err != nil {
		b.Fatal(err)
	}
	ls := make([]campaigns.Lead, leads)
	for i := range ls {
		ls[i] = campaigns.Lead{ExternalID: fmt.Sprint("B", i), Phone: fmt.Sprintf("+1%03d555%04d", 201+(i/10000)%700, i%10000)}
	}
	if res, err := store.AddLeads(ctx, cfg.ID, ls, time.Now()); err != nil || res.Imported+res.Updated != leads {
		b.Fatalf("leads: %+v %v", res, err)
	}
	now := time.Now()
	for i := range nAgents {
		id := fmt.Sprintf("b%03d", i)
		reg.Login(ctx, id, cfg.ID, "sim/"+id, now)
		reg.Ready(ctx, id, now)
	}
	sa := dialer.NewSimAgents(reg, store, clock.Real, netw.WrapTime, 1, nil)
	defer sa.Close()
	promReg := prometheus.NewRegistry()
	eng, err := dialer.New(dialer.Options{
		Store: store, Agents: reg, Driver: netw, Registerer: promReg,
		InstanceID: "bench", Tick: 10 * time.Millisecond, Supervise: 100 * time.Millisecond,
		OnWrapUp: sa.WrapUp,
	})
	if err != nil {
		b.Fatal(err)
	}
	sa.Wake = eng.Wake
	rdb.AddHook(rt)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	b.ResetTimer()
	start := time.Now()
	go func() { done <- eng.Run(runCtx) }()
	store.SetState(ctx, cfg.ID, campaigns.StateRunning)
	for {
		st, err := store.Stats(ctx, cfg.ID)
		if err == nil && st.Leads[campaigns.LeadPending] == 0 && st.InFlight == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	st, _ := store.Stats(ctx, cfg.ID)
	// Round trips of the engine and its simulated agents, less the polling
	// of this benchmark (one Stats call per 20 ms, a few commands each).
	b.ReportMetric(float64(st.Attempts)/elapsed.Seconds(), "attempts/s")
	b.ReportMetric(float64(rt.n.Load())/float64(st.Attempts), "roundtrips/attempt")
	b.ReportMetric(quantile(histogram(b, promReg, "dialer_pacing_decision_seconds"), 0.99)*1e3, "p99-decision-ms")
	log, _ := store.AttemptLog(ctx, cfg.ID, "", int64(leads)+10)
	var waits []time.Duration
	for _, r := range log {
		if !r.ConnectedAt.IsZero() {
			waits = append(waits, r.ConnectedAt.Sub(r.AnsweredAt))
		}
	}
	if len(waits) > 0 {
		sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
		b.ReportMetric(float64(waits[len(waits)*99/100].Microseconds())/1e3, "p99-connect-ms")
	}
}
