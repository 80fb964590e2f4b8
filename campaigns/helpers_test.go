package campaigns

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dialer/dialer/test/redistest"
)

var ctx = context.Background()

// t0 is a Wednesday, 15:00 UTC (11:00 in New York, 16:00 in Madrid, Thursday
// 00:00 in Tokyo).
var t0 = time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC)

func testConfig(id string) Config {
	return Config{
		ID:           id,
		Name:         "Test " + id,
		CallerID:     "+12025550143",
		CallingHours: Hours{Start: "00:00", End: "24:00"},
	}
}

func newStore(t testing.TB, opts ...redistest.Option) (*Store, redis.UniversalClient, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t, opts...)
	rdb := srv.Client()
	return NewStore(rdb), rdb, srv
}

// setup stores cfg and n leads (+1202555 0000+i, external ids L0..), and
// takes the lease.
func setup(t testing.TB, s *Store, cfg Config, n int) int64 {
	t.Helper()
	if err := s.SaveCampaign(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		ls := make([]Lead, n)
		for i := range ls {
			ls[i] = Lead{ExternalID: fmt.Sprint("L", i), Phone: fmt.Sprintf("+1202555%04d", i)}
		}
		res, err := s.AddLeads(ctx, cfg.ID, ls, t0)
		if err != nil || res.Imported != n {
			t.Fatalf("add leads: %+v %v", res, err)
		}
	}
	tok, ok, err := s.AcquireLease(ctx, cfg.ID, "test", time.Minute)
	if err != nil || !ok {
		t.Fatalf("lease: %v %v", ok, err)
	}
	return tok
}

func start(t testing.TB, s *Store, id string, tok int64, now time.Time, n int) []Attempt {
	t.Helper()
	as, err := s.StartAttempts(ctx, id, tok, now, n)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func finish(t testing.TB, s *Store, id string, a Attempt, o Outcome, end time.Time) {
	t.Helper()
	err := s.FinishAttempt(ctx, id, AttemptRecord{AttemptID: a.ID, Outcome: o, StartedAt: a.StartedAt, EndedAt: end,
		LiveAnswer: o == OutcomeConnected || o == OutcomeAbandoned})
	if err != nil {
		t.Fatal(err)
	}
}

func leadIDs(as []Attempt) string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.Lead.ExternalID
	}
	return strings.Join(ids, ",")
}

func mustLead(t testing.TB, s *Store, cid, lid string) Lead {
	t.Helper()
	l, err := s.GetLead(ctx, cid, lid)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustStats(t testing.TB, s *Store, id string) Stats {
	t.Helper()
	st, err := s.Stats(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
