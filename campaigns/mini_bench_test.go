package campaigns

import (
	"fmt"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// BenchmarkMiniredisDemo adds the demo's 10,000 leads to miniredis (the
// demo's in-process Redis) and starts and finishes 100 attempts.
func BenchmarkMiniredisDemo(b *testing.B) {
	for b.Loop() {
		mr := miniredis.RunT(b)
		rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		s := NewStore(rdb)
		cfg := testConfig("demo")
		if err := s.SaveCampaign(ctx, cfg); err != nil {
			b.Fatal(err)
		}
		ls := make([]Lead, 10_000)
		for i := range ls {
			ls[i] = Lead{ExternalID: fmt.Sprint("D", i), Phone: fmt.Sprintf("+1%d555%04d", 201+i/10000, i%10000), Priority: i % 3,
				Data: map[string]string{"balance": "12.00"}}
		}
		t1 := time.Now()
		if res, err := s.AddLeads(ctx, cfg.ID, ls, t0); err != nil || res.Imported != len(ls) {
			b.Fatal(res.Rejected, err)
		}
		b.ReportMetric(float64(time.Since(t1).Milliseconds()), "ms-add10k")
		tok, _, _ := s.AcquireLease(ctx, cfg.ID, "x", time.Minute)
		t2 := time.Now()
		for range 100 {
			as, err := s.StartAttempts(ctx, cfg.ID, tok, t0, 1)
			if err != nil || len(as) != 1 {
				b.Fatal(err)
			}
			if err := s.FinishAttempt(ctx, cfg.ID, AttemptRecord{AttemptID: as[0].ID, Outcome: OutcomeBusy, EndedAt: t0}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(t2).Microseconds())/100, "us-start+finish")
		rdb.Close()
		mr.Close()
	}
}
