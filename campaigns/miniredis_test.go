package campaigns

import (
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// TestMiniredisFlow runs a basic flow on miniredis, the demo's in-process
// Redis, to keep the scripts within what it supports.
func TestMiniredisFlow(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	s := NewStore(rdb)
	cfg := testConfig("mini")
	cfg.RetryDelay.Busy = Duration(time.Minute)
	if err := s.SaveCampaign(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	res, err := s.ImportCSV(ctx, cfg.ID, strings.NewReader("id,phone,priority,timezone\na,+12025550101,1,\nb,+12025550102,2,Europe/Madrid\nc,bad,0,\n"), t0)
	if err != nil || res.Imported != 2 || res.Rejected != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if err := s.SetState(ctx, cfg.ID, StateRunning); err != nil {
		t.Fatal(err)
	}
	tok, ok, err := s.AcquireLease(ctx, cfg.ID, "demo", time.Minute)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	as := start(t, s, cfg.ID, tok, t0, 5)
	if leadIDs(as) != "b,a" || as[0].ID != "mini-1" || as[0].Number != "+12025550102" {
		t.Fatalf("started %+v", as)
	}
	finish(t, s, cfg.ID, as[0], OutcomeConnected, t0.Add(time.Minute))
	finish(t, s, cfg.ID, as[1], OutcomeBusy, t0.Add(time.Minute))
	if l := mustLead(t, s, cfg.ID, "x-a"); l.Status != LeadPending || !l.NextAt.Equal(t0.Add(2*time.Minute)) || l.Attempts != 1 {
		t.Errorf("lead a %+v", l)
	}
	as = start(t, s, cfg.ID, tok, t0.Add(2*time.Minute), 5)
	if leadIDs(as) != "a" || as[0].Seq != 2 {
		t.Fatalf("retry %+v", as)
	}
	rec, err := s.RecoverInFlight(ctx, cfg.ID, tok, t0.Add(3*time.Minute))
	if err != nil || len(rec) != 1 {
		t.Fatalf("recover %v %v", rec, err)
	}
	st := mustStats(t, s, cfg.ID)
	if st.Attempts != 2 || st.Connected != 1 || st.LiveAnswers != 1 || st.Leads[LeadCompleted] != 1 || st.Leads[LeadPending] != 1 {
		t.Errorf("stats %+v", st)
	}
	live, ab, err := s.AbandonWindow(ctx, cfg.ID, t0.Add(time.Hour), time.Hour)
	if err != nil || live != 1 || ab != 0 {
		t.Errorf("window %d %d %v", live, ab, err)
	}
	log, err := s.AttemptLog(ctx, cfg.ID, "", 10)
	if err != nil || len(log) != 3 || log[2].Outcome != OutcomeInterrupted {
		t.Errorf("log %+v %v", log, err)
	}
	if page, err := s.AttemptLog(ctx, cfg.ID, log[0].StreamID, 10); err != nil || len(page) != 2 {
		t.Errorf("log after: %d %v", len(page), err)
	}
	if err := s.RecordDisposition(ctx, cfg.ID, as[0].ID, "agent", "paid", t0); err != nil {
		t.Error(err)
	}
}
