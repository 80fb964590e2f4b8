package campaigns

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dialer/dialer/test/redistest"
)

// tripCounter counts round trips to Redis: one per command or pipeline.
type tripCounter struct{ n atomic.Int64 }

func (c *tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { c.n.Add(1); return next(ctx, cmd) }
}
func (c *tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { c.n.Add(1); return next(ctx, cmds) }
}

// csv100k is a 100,000-row lead file: id, phone (national form), name,
// priority, timezone and two data columns.
func csv100k() []byte {
	var b bytes.Buffer
	b.WriteString("id,phone,name,priority,timezone,balance,account\n")
	areas := []int{201, 202, 203, 205, 206, 207, 208, 209, 210, 212}
	zones := []string{"", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"}
	for i := range 100_000 {
		fmt.Fprintf(&b, "C%06d,(%d) 555-%04d,Person %d,%d,%s,%d.%02d,ACC-%d\n",
			i, areas[i/10_000], i%10_000, i, i%3, zones[i%len(zones)], 100+i%5000, i%100, i)
	}
	return b.Bytes()
}

// BenchmarkImportCSV100k imports a 100,000-row CSV into a fresh campaign of
// a real redis-server per iteration.
func BenchmarkImportCSV100k(b *testing.B) {
	srv := redistest.Start(b)
	s := NewStore(srv.Client())
	data := csv100k()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		cfg := testConfig(fmt.Sprint("bench", i))
		i++
		if err := s.SaveCampaign(ctx, cfg); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := s.ImportCSV(ctx, cfg.ID, bytes.NewReader(data), t0)
		if err != nil || res.Imported != 100_000 || res.Rejected != 0 {
			b.Fatalf("%+v %v", res.Rejected, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/import")
}

// BenchmarkStartFinish takes one lead and finishes it (busy), per op, from a
// campaign of 10,000 leads of which half are in zones outside their calling
// hours.
func BenchmarkStartFinish(b *testing.B) {
	srv := redistest.Start(b)
	rdb := srv.Client()
	trips := &tripCounter{}
	rdb.AddHook(trips)
	s := NewStore(rdb)
	cfg := testConfig("sf")
	cfg.CallingHours = Hours{Start: "08:00", End: "21:00"}
	cfg.TimeZone = "America/New_York"
	cfg.RetryDelay.Busy = Duration(time.Millisecond)
	cfg.MaxAttempts = 100
	if err := s.SaveCampaign(ctx, cfg); err != nil {
		b.Fatal(err)
	}
	ls := make([]Lead, 10_000)
	for i := range ls {
		ls[i] = Lead{ExternalID: fmt.Sprint("L", i), Phone: fmt.Sprintf("+1202555%04d", i), Priority: i % 3}
		if i%2 == 1 {
			ls[i].TimeZone = "Asia/Tokyo" // Thursday 00:00 at t0: closed
		}
	}
	if _, err := s.AddLeads(ctx, cfg.ID, ls, t0.Add(-time.Hour)); err != nil {
		b.Fatal(err)
	}
	tok, _, err := s.AcquireLease(ctx, cfg.ID, "bench", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	now := t0
	b.ReportAllocs()
	trips.n.Store(0)
	for b.Loop() {
		now = now.Add(time.Millisecond)
		as, err := s.StartAttempts(ctx, cfg.ID, tok, now, 1)
		if err != nil || len(as) != 1 {
			b.Fatal(len(as), err)
		}
		if as[0].Lead.TimeZone != "" {
			b.Fatalf("dialed a closed zone: %+v", as[0].Lead)
		}
		err = s.FinishAttempt(ctx, cfg.ID, AttemptRecord{AttemptID: as[0].ID, Outcome: OutcomeBusy, EndedAt: now})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(trips.n.Load())/float64(b.N), "roundtrips/op")
}
