package agents_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/test/redistest"
	"github.com/redis/go-redis/v9"
)

// benchPool starts a real redis-server (or, with mini, an in-process
// miniredis as the demo uses) with n ready agents in campaign "b" and
// returns a registry whose round trips are counted in *rt.
func benchPool(b *testing.B, n int, mini bool) (*agents.Registry, *int64, *redis.Client) {
	b.Helper()
	var rdb *redis.Client
	if mini {
		m := miniredis.RunT(b)
		rdb = redis.NewClient(&redis.Options{Addr: m.Addr()})
		b.Cleanup(func() { rdb.Close() })
	} else {
		rdb = redistest.Start(b).Client()
	}
	rt := new(int64)
	rdb.AddHook(countingHook{rt})
	r := agents.NewRegistry(rdb)
	ctx := context.Background()
	for i := range n {
		id := fmt.Sprintf("ag%03d", i)
		must(r.Login(ctx, id, "b", "PJSIP/"+id, t0)).of(b)
		must(r.Ready(ctx, id, t0.Add(time.Duration(i)*time.Millisecond))).of(b)
	}
	return r, rt, rdb
}

// evalUS is redis-server's own time per EVALSHA (µs) since the last
// CONFIG RESETSTAT, from INFO commandstats.
func evalUS(b *testing.B, rdb *redis.Client) float64 {
	b.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(info) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_evalsha:"); ok {
			for kv := range strings.SplitSeq(rest, ",") {
				if v, ok := strings.CutPrefix(kv, "usec_per_call="); ok {
					f, _ := strconv.ParseFloat(v, 64)
					return f
				}
			}
		}
	}
	b.Fatal("no evalsha in INFO commandstats")
	return 0
}

// BenchmarkReserve: one reservation of the longest-idle of 50 ready agents
// (ns/op); the release that puts it back (keeping its place) is not timed.
func BenchmarkReserve(b *testing.B) {
	r, rt, rdb := benchPool(b, 50, false)
	ctx := context.Background()
	now := t0.Add(time.Minute)
	b.ReportAllocs()
	*rt = 0
	rdb.ConfigResetStat(ctx)
	for i := 0; b.Loop(); i++ {
		att := fmt.Sprintf("at%d", i)
		a, err := r.Reserve(ctx, "b", att, 10*time.Second, now)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if _, err := r.Release(ctx, a.ID, att, now); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(*rt)/float64(b.N)/2, "roundtrips/call")
	b.ReportMetric(evalUS(b, rdb), "redis-µs/call")
}

// BenchmarkReserveConnectEnd: the agent side of one connected attempt
// (Reserve, Connect, EndCall, Disposition) with 50 agents, on a real
// redis-server and on miniredis.
func BenchmarkReserveConnectEnd(b *testing.B) {
	for _, backend := range []string{"redis", "miniredis"} {
		b.Run(backend, func(b *testing.B) {
			r, rt, _ := benchPool(b, 50, backend == "miniredis")
			ctx := context.Background()
			now := t0.Add(time.Minute)
			b.ReportAllocs()
			*rt = 0
			for i := 0; b.Loop(); i++ {
				att := fmt.Sprintf("at%d", i)
				now = now.Add(time.Millisecond)
				a, err := r.Reserve(ctx, "b", att, 10*time.Second, now)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := r.Connect(ctx, a.ID, att, now); err != nil {
					b.Fatal(err)
				}
				if _, err := r.EndCall(ctx, a.ID, att, now); err != nil {
					b.Fatal(err)
				}
				if _, err := r.Disposition(ctx, a.ID, "paid", now); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(*rt)/float64(b.N), "roundtrips/attempt")
		})
	}
}

// BenchmarkList: the engine's per-tick snapshot of a campaign of n agents.
func BenchmarkList(b *testing.B) {
	for _, n := range []int{20, 200} {
		b.Run(fmt.Sprintf("agents=%d", n), func(b *testing.B) {
			r, rt, rdb := benchPool(b, n, false)
			ctx := context.Background()
			b.ReportAllocs()
			*rt = 0
			rdb.ConfigResetStat(ctx)
			for b.Loop() {
				l, err := r.List(ctx, "b")
				if err != nil || len(l) != n {
					b.Fatal(len(l), err)
				}
			}
			b.ReportMetric(float64(*rt)/float64(b.N), "roundtrips/op")
			b.ReportMetric(evalUS(b, rdb), "redis-µs/op")
		})
	}
}
