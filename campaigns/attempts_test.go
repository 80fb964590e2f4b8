package campaigns

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dialer/dialer/test/redistest"
)

func TestPriorityOrder(t *testing.T) {
	s, _, _ := newStore(t)
	cfg := testConfig("prio")
	tok := setup(t, s, cfg, 0)
	add := func(at time.Time, ls ...Lead) {
		t.Helper()
		if res, err := s.AddLeads(ctx, cfg.ID, ls, at); err != nil || res.Rejected > 0 {
			t.Fatalf("%+v %v", res, err)
		}
	}
	add(t0.Add(-time.Minute), Lead{ExternalID: "low-old", Phone: "+12025550101", Priority: 0})
	add(t0.Add(-2*time.Minute), Lead{ExternalID: "high-older", Phone: "+12025550102", Priority: 5})
	add(t0.Add(-time.Minute), Lead{ExternalID: "high-old", Phone: "+12025550103", Priority: 5})
	add(t0.Add(time.Minute), Lead{ExternalID: "top-future", Phone: "+12025550104", Priority: 9})
	add(t0, Lead{ExternalID: "mid-now", Phone: "+12025550105", Priority: 1, TimeZone: "Europe/Madrid"})
	add(t0.Add(-time.Hour), Lead{ExternalID: "neg", Phone: "+12025550106", Priority: -3})

	if as := start(t, s, cfg.ID, tok, t0, 0); len(as) != 0 {
		t.Errorf("n=0 started %d", len(as))
	}
	got := start(t, s, cfg.ID, tok, t0, 2)
	if ids := leadIDs(got); ids != "high-older,high-old" {
		t.Errorf("first two: %s", ids)
	}
	got = start(t, s, cfg.ID, tok, t0, 10)
	if ids := leadIDs(got); ids != "mid-now,low-old,neg" {
		t.Errorf("rest: %s (top-future is not due yet)", ids)
	}
	got = start(t, s, cfg.ID, tok, t0.Add(time.Minute), 10)
	if ids := leadIDs(got); ids != "top-future" {
		t.Errorf("when due: %s", ids)
	}
	// Attempt ids are unique, sequential, and each attempt is in flight.
	fl, err := s.InFlight(ctx, cfg.ID)
	if err != nil || len(fl) != 6 {
		t.Fatalf("in flight: %d %v", len(fl), err)
	}
	for i, a := range fl {
		if i > 0 && !fl[i-1].StartedAt.After(a.StartedAt) && fl[i-1].ID >= a.ID {
			t.Errorf("in flight order: %s before %s", fl[i-1].ID, a.ID)
		}
		if a.Lead.Status != LeadDialing || a.Seq != 1 || a.Lead.Attempts != 1 || a.Number != a.Lead.Phone || a.CampaignID != cfg.ID {
			t.Errorf("in flight %+v", a)
		}
	}
	if got[0].ID != "prio-6" || !got[0].StartedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("attempt %+v", got[0])
	}
}

func TestCallingHoursByZone(t *testing.T) {
	s, _, _ := newStore(t)
	cfg := testConfig("tz")
	cfg.TimeZone = "America/New_York"
	cfg.CallingHours = Hours{Start: "08:00", End: "21:00", Days: []string{"mon", "tue", "wed", "thu", "fri"}}
	tok := setup(t, s, cfg, 0)
	zones := map[string]string{"ny": "", "madrid": "Europe/Madrid", "tokyo": "Asia/Tokyo", "la": "America/Los_Angeles"}
	var ls []Lead
	i := 0
	for name, tz := range zones {
		for k := range 3 {
			i++
			ls = append(ls, Lead{ExternalID: fmt.Sprintf("%s%d", name, k), Phone: fmt.Sprintf("+1202555%04d", i), TimeZone: tz})
		}
	}
	if _, err := s.AddLeads(ctx, cfg.ID, ls, t0.Add(-10*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Each step takes every lead open at that instant and finishes it as
	// busy (retry in 10 minutes), so that later steps see it again.
	// Zones on these dates: New York EDT (UTC-4), Los Angeles PDT (UTC-7),
	// Madrid CET (UTC+1), Tokyo JST (UTC+9).
	steps := []struct {
		at   time.Time
		open []string
	}{
		{t0.Add(-8 * time.Hour), []string{"madrid", "tokyo"}},      // Wed 07:00 UTC: NY 03, LA 00, Madrid 08, Tokyo 16
		{t0, []string{"la", "madrid", "ny"}},                       // Wed 15:00 UTC: NY 11, LA 08, Madrid 16, Tokyo Thu 00
		{t0.Add(7 * time.Hour), []string{"la", "ny"}},              // Wed 22:00 UTC: NY 18, LA 15, Madrid 23, Tokyo Thu 07
		{t0.Add(18 * time.Hour), []string{"madrid", "tokyo"}},      // Thu 09:00 UTC: NY 05, LA 02, Madrid 10, Tokyo 18
		{t0.Add(3*24*time.Hour + 4*time.Hour), nil},                // Sat 19:00 UTC: Saturday everywhere, Sunday in Tokyo
		{t0.Add(4*24*time.Hour + 14*time.Hour), []string{"tokyo"}}, // Mon 05:00 UTC: NY 01, LA Sun 22, Madrid 06, Tokyo 14
	}
	for _, st := range steps {
		as := start(t, s, cfg.ID, tok, st.at, 100)
		var got []string
		for _, a := range as {
			z := a.Lead.ExternalID[:len(a.Lead.ExternalID)-1]
			if !slices.Contains(got, z) {
				got = append(got, z)
			}
			finish(t, s, cfg.ID, a, OutcomeBusy, st.at)
		}
		slices.Sort(got)
		if !reflect.DeepEqual(got, st.open) || len(as) != 3*len(st.open) {
			t.Errorf("at %s: dialed zones %v (%d leads), want %v", st.at.Format(time.RFC1123), got, len(as), st.open)
		}
	}
}

func TestRetryRules(t *testing.T) {
	s, _, _ := newStore(t)
	cfg := testConfig("retry")
	cfg.MaxAttempts = 3
	cfg.RetryDelay = RetryDelays{Busy: Duration(time.Minute), NoAnswer: Duration(2 * time.Minute),
		Machine: Duration(3 * time.Minute), Failed: Duration(4 * time.Minute), Abandoned: Duration(72 * time.Hour)}
	tok := setup(t, s, cfg, 0)
	end := t0.Add(30 * time.Second)
	cases := []struct {
		o        Outcome
		status   LeadStatus
		attempts int
		next     time.Time
	}{
		{OutcomeConnected, LeadCompleted, 1, time.Time{}},
		{OutcomeMachineDone, LeadCompleted, 1, time.Time{}},
		{OutcomeMessageLeft, LeadCompleted, 1, time.Time{}},
		{OutcomeInvalid, LeadInvalid, 1, time.Time{}},
		{OutcomeFax, LeadInvalid, 1, time.Time{}},
		{OutcomeBusy, LeadPending, 1, end.Add(time.Minute)},
		{OutcomeNoAnswer, LeadPending, 1, end.Add(2 * time.Minute)},
		{OutcomeMachine, LeadPending, 1, end.Add(3 * time.Minute)},
		{OutcomeFailed, LeadPending, 1, end.Add(4 * time.Minute)},
		{OutcomeCongestion, LeadPending, 1, end.Add(4 * time.Minute)},
		{OutcomeRejected, LeadPending, 1, end.Add(4 * time.Minute)},
		{OutcomeAbandoned, LeadPending, 1, end.Add(72 * time.Hour)},
		{OutcomeInterrupted, LeadPending, 0, end},
		{OutcomeCanceled, LeadPending, 0, end},
	}
	for i, tc := range cases {
		if _, err := s.AddLeads(ctx, cfg.ID, []Lead{{ExternalID: string(tc.o), Phone: fmt.Sprintf("+1202555%04d", i)}}, t0); err != nil {
			t.Fatal(err)
		}
		as := start(t, s, cfg.ID, tok, t0, 5)
		if len(as) != 1 || as[0].Lead.ExternalID != string(tc.o) {
			t.Fatalf("%s: started %s", tc.o, leadIDs(as))
		}
		finish(t, s, cfg.ID, as[0], tc.o, end)
		l := mustLead(t, s, cfg.ID, as[0].Lead.ID)
		if l.Status != tc.status || l.Attempts != tc.attempts || !l.NextAt.Equal(tc.next) || l.LastOutcome != tc.o {
			t.Errorf("%s: lead %+v, want %s attempts=%d next=%s", tc.o, l, tc.status, tc.attempts, tc.next)
		}
		// Finishing it again is a no-op.
		err := s.FinishAttempt(ctx, cfg.ID, AttemptRecord{AttemptID: as[0].ID, Outcome: OutcomeConnected, EndedAt: end})
		if !errors.Is(err, ErrNotInFlight) {
			t.Errorf("%s: second finish: %v", tc.o, err)
		}
		if l2 := mustLead(t, s, cfg.ID, l.ID); !reflect.DeepEqual(l, l2) {
			t.Errorf("%s: second finish changed the lead: %+v", tc.o, l2)
		}
		// Park it so that later cases start only their own lead.
		if tc.status == LeadPending {
			if as := start(t, s, cfg.ID, tok, tc.next, 5); len(as) != 1 || as[0].Lead.ID != l.ID {
				t.Fatalf("%s: not eligible at %s: %s", tc.o, tc.next, leadIDs(as))
			} else if as[0].Seq != tc.attempts+1 {
				t.Errorf("%s: next seq %d", tc.o, as[0].Seq)
			}
		}
	}
	st := mustStats(t, s, cfg.ID)
	// Counted: all but interrupted and canceled. Live: connected and abandoned.
	if st.Attempts != 12 || st.LiveAnswers != 2 || st.Connected != 1 || st.Abandoned != 1 || st.AbandonRate != 0.5 || st.InFlight != 9 {
		t.Errorf("stats %+v", st)
	}
	if err := s.FinishAttempt(ctx, cfg.ID, AttemptRecord{AttemptID: "retry-1", Outcome: "exploded"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad outcome: %v", err)
	}
}

func TestExhaustion(t *testing.T) {
	s, _, _ := newStore(t)
	cfg := testConfig("exh")
	cfg.MaxAttempts = 3
	cfg.RetryDelay.NoAnswer = Duration(time.Minute)
	tok := setup(t, s, cfg, 2)
	now := t0
	for attempt := 1; attempt <= 3; attempt++ {
		as := start(t, s, cfg.ID, tok, now, 10)
		if len(as) != 2 {
			t.Fatalf("attempt %d: started %d", attempt, len(as))
		}
		for _, a := range as {
			want := attempt
			if a.Lead.ExternalID == "L1" && attempt == 3 {
				want = 2 // its second attempt was canceled
			}
			if a.Seq != want {
				t.Errorf("%s: seq %d, want %d", a.Lead.ExternalID, a.Seq, want)
			}
			if a.Lead.ExternalID == "L1" && attempt == 2 {
				// An interrupted attempt does not count against the lead.
				finish(t, s, cfg.ID, a, OutcomeCanceled, now)
				continue
			}
			finish(t, s, cfg.ID, a, OutcomeNoAnswer, now)
		}
		now = now.Add(time.Minute)
	}
	if l := mustLead(t, s, cfg.ID, "x-L0"); l.Status != LeadExhausted || l.Attempts != 3 {
		t.Errorf("L0 %+v", l)
	}
	l1 := mustLead(t, s, cfg.ID, "x-L1")
	if l1.Status != LeadPending || l1.Attempts != 2 {
		t.Errorf("L1 %+v", l1)
	}
	// Lowering max_attempts exhausts pending leads that reached it when they
	// come up, instead of dialing them.
	cfg.MaxAttempts = 2
	if err := s.SaveCampaign(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if as := start(t, s, cfg.ID, tok, now.Add(time.Hour), 10); len(as) != 0 {
		t.Errorf("dialed %s past max_attempts", leadIDs(as))
	}
	st := mustStats(t, s, cfg.ID)
	if st.Leads[LeadExhausted] != 2 || st.Leads[LeadPending] != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestConcurrentStart: two engines (own clients) taking leads as fast as
// they can never get the same lead, and together get every lead once.
func TestConcurrentStart(t *testing.T) {
	srv := redistest.Start(t)
	s1, s2 := NewStore(srv.Client()), NewStore(srv.Client())
	cfg := testConfig("conc")
	const leads = 600
	tok := setup(t, s1, cfg, leads)
	var mu sync.Mutex
	seen := map[string]string{} // lead -> attempt
	var dup []string
	var wg sync.WaitGroup
	for w, s := range []*Store{s1, s2, s1, s2} {
		wg.Go(func() {
			for {
				as, err := s.StartAttempts(ctx, cfg.ID, tok, t0, 1+w*3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(as) == 0 {
					return
				}
				mu.Lock()
				for _, a := range as {
					if prev, ok := seen[a.Lead.ID]; ok {
						dup = append(dup, a.Lead.ID+" in "+prev+" and "+a.ID)
					}
					seen[a.Lead.ID] = a.ID
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(dup) > 0 || len(seen) != leads {
		t.Errorf("%d leads taken, duplicates: %v", len(seen), dup)
	}
	if st := mustStats(t, s1, cfg.ID); st.InFlight != leads || st.Leads[LeadDialing] != leads || st.Leads[LeadPending] != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestRecoverInFlight(t *testing.T) {
	s, rdb, _ := newStore(t)
	cfg := testConfig("rec")
	tokA := setup(t, s, cfg, 5)
	as := start(t, s, cfg.ID, tokA, t0, 5)
	finish(t, s, cfg.ID, as[0], OutcomeConnected, t0.Add(time.Minute))
	// Owner A dies; its lease lapses; B takes over.
	rdb.Del(ctx, prefix(cfg.ID)+":lease")
	tokB, ok, err := s.AcquireLease(ctx, cfg.ID, "b", time.Minute)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	now := t0.Add(2 * time.Minute)
	rec, err := s.RecoverInFlight(ctx, cfg.ID, tokB, now)
	if err != nil || len(rec) != 4 {
		t.Fatalf("recovered %d %v", len(rec), err)
	}
	for i, r := range rec {
		want := as[i+1]
		if r.ID != want.ID || r.Lead.ID != want.Lead.ID || r.Seq != 1 || r.Number != want.Number || !r.StartedAt.Equal(t0) {
			t.Errorf("recovered %+v, want %+v", r, want)
		}
		if r.Lead.Status != LeadPending || r.Lead.Attempts != 0 || !r.Lead.NextAt.Equal(now) {
			t.Errorf("lead after recovery %+v", r.Lead)
		}
	}
	if again, err := s.RecoverInFlight(ctx, cfg.ID, tokB, now); err != nil || len(again) != 0 {
		t.Errorf("second recovery: %d %v", len(again), err)
	}
	// A's late results are ignored; A cannot start anything.
	err = s.FinishAttempt(ctx, cfg.ID, AttemptRecord{AttemptID: as[1].ID, Outcome: OutcomeConnected, EndedAt: now})
	if !errors.Is(err, ErrNotInFlight) {
		t.Errorf("late finish: %v", err)
	}
	if _, err := s.StartAttempts(ctx, cfg.ID, tokA, now, 5); !errors.Is(err, ErrFenced) {
		t.Errorf("A start: %v", err)
	}
	log, err := s.AttemptLog(ctx, cfg.ID, "", 100)
	if err != nil || len(log) != 5 {
		t.Fatalf("log %d %v", len(log), err)
	}
	for _, r := range log[1:] {
		if r.Outcome != OutcomeInterrupted || !r.EndedAt.Equal(now) || !r.StartedAt.Equal(t0) || r.Seq != 1 || r.Number == "" {
			t.Errorf("interrupted record %+v", r)
		}
	}
	if fl, err := s.InFlight(ctx, cfg.ID); err != nil || len(fl) != 0 {
		t.Errorf("in flight after recovery: %v %v", fl, err)
	}
	if _, err := s.StartAttempts(ctx, "nope", tokB, now, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("start on missing campaign: %v", err)
	}
	if _, err := s.Stats(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("stats of missing campaign: %v", err)
	}
	if _, err := s.GetLead(ctx, cfg.ID, "x-nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing lead: %v", err)
	}
	// B redials them, with fresh attempt ids.
	bs := start(t, s, cfg.ID, tokB, now, 10)
	if len(bs) != 4 || bs[0].ID != "rec-6" || bs[0].Seq != 1 {
		t.Errorf("B started %d: %+v", len(bs), bs)
	}
	st := mustStats(t, s, cfg.ID)
	if st.Attempts != 1 || st.InFlight != 4 || st.Leads[LeadDialing] != 4 || st.Leads[LeadCompleted] != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestRedisRestartLosesNoLead kills Redis (AOF, fsync always) mid-flow and
// checks that every lead, attempt, counter and the attempt sequence survive.
func TestRedisRestartLosesNoLead(t *testing.T) {
	s, _, srv := newStore(t, redistest.WithAOF())
	cfg := testConfig("aof")
	cfg.RetryDelay.Busy = Duration(time.Minute)
	const leads = 200
	tok := setup(t, s, cfg, leads)
	as := start(t, s, cfg.ID, tok, t0, 50)
	outcomes := []Outcome{OutcomeConnected, OutcomeBusy, OutcomeInvalid, OutcomeAbandoned}
	for i, a := range as[:20] {
		finish(t, s, cfg.ID, a, outcomes[i%4], t0.Add(time.Minute))
	}
	before := mustStats(t, s, cfg.ID)
	beforeLog, _ := s.AttemptLog(ctx, cfg.ID, "", 1000)

	srv.Restart()

	after := mustStats(t, s, cfg.ID) // the client reconnects
	if !reflect.DeepEqual(before, after) {
		t.Errorf("stats before %+v\nafter %+v", before, after)
	}
	afterLog, _ := s.AttemptLog(ctx, cfg.ID, "", 1000)
	if !reflect.DeepEqual(beforeLog, afterLog) {
		t.Errorf("attempt log changed across restart")
	}
	// The engine continues: finish the in-flight attempts, start the rest.
	for _, a := range as[20:] {
		finish(t, s, cfg.ID, a, OutcomeNoAnswer, t0.Add(time.Minute))
	}
	rest := start(t, s, cfg.ID, tok, t0.Add(time.Minute), 1000)
	if len(rest) != leads-50 {
		t.Errorf("after restart started %d, want %d", len(rest), leads-50)
	}
	if rest[0].ID != "aof-51" {
		t.Errorf("attempt sequence restarted: %s", rest[0].ID)
	}
	st := mustStats(t, s, cfg.ID)
	var total int64
	for _, n := range st.Leads {
		total += n
	}
	if total != leads || st.Leads[LeadDialing] != leads-50 || st.Attempts != 50 {
		t.Errorf("stats %+v", st)
	}
}

func TestAbandonWindowAndLog(t *testing.T) {
	s, _, _ := newStore(t)
	cfg := testConfig("ab")
	tok := setup(t, s, cfg, 0)
	for i := range 8 {
		if _, err := s.AddLeads(ctx, cfg.ID, []Lead{{ExternalID: fmt.Sprint("L", i), Phone: fmt.Sprintf("+1202555%04d", i)}}, t0.Add(-49*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	as := start(t, s, cfg.ID, tok, t0.Add(-48*time.Hour), 8)
	// Live answers at various ages before t0; abandons among them.
	ends := []struct {
		age time.Duration
		o   Outcome
	}{
		{47 * time.Hour, OutcomeConnected}, {47 * time.Hour, OutcomeAbandoned},
		{90 * time.Minute, OutcomeConnected}, {30 * time.Minute, OutcomeAbandoned},
		{10 * time.Minute, OutcomeConnected}, {time.Minute, OutcomeConnected},
		{time.Minute, OutcomeBusy}, {0, OutcomeMachine},
	}
	for i, e := range ends {
		rec := AttemptRecord{AttemptID: as[i].ID, Outcome: e.o, LiveAnswer: e.o == OutcomeConnected,
			AgentID: "agent-7", Cause: "normal", AMDResult: "human", AMDMillis: 1234,
			StartedAt: as[i].StartedAt, RingingAt: t0.Add(-e.age - 20*time.Second),
			AnsweredAt: t0.Add(-e.age - 10*time.Second), EndedAt: t0.Add(-e.age)}
		if e.o == OutcomeConnected {
			rec.ConnectedAt = t0.Add(-e.age - 9*time.Second)
		}
		if err := s.FinishAttempt(ctx, cfg.ID, rec); err != nil {
			t.Fatal(err)
		}
	}
	windows := []struct {
		w        time.Duration
		live, ab int64
	}{
		{5 * time.Minute, 1, 0},
		{time.Hour, 3, 1},
		{24 * time.Hour, 4, 1},
		{30 * 24 * time.Hour, 6, 2},
	}
	for _, w := range windows {
		live, ab, err := s.AbandonWindow(ctx, cfg.ID, t0, w.w)
		if err != nil || live != w.live || ab != w.ab {
			t.Errorf("window %s: live %d abandoned %d (%v), want %d %d", w.w, live, ab, err, w.live, w.ab)
		}
	}
	if _, _, err := s.AbandonWindow(ctx, cfg.ID, t0, 40*24*time.Hour); !errors.Is(err, ErrInvalid) {
		t.Errorf("40-day window: %v", err)
	}
	// The log pages with "after" and round-trips every field.
	var all []AttemptRecord
	after := ""
	for {
		page, err := s.AttemptLog(ctx, cfg.ID, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		after = page[len(page)-1].StreamID
	}
	if len(all) != 8 {
		t.Fatalf("paged %d records", len(all))
	}
	r := all[2]
	want := AttemptRecord{StreamID: r.StreamID, AttemptID: as[2].ID, LeadID: as[2].Lead.ID, Number: as[2].Number, Seq: 1,
		AgentID: "agent-7", Outcome: OutcomeConnected, Cause: "normal", LiveAnswer: true, AMDResult: "human", AMDMillis: 1234,
		StartedAt: t0.Add(-48 * time.Hour), RingingAt: t0.Add(-90*time.Minute - 20*time.Second),
		AnsweredAt: t0.Add(-90*time.Minute - 10*time.Second), ConnectedAt: t0.Add(-90*time.Minute - 9*time.Second),
		EndedAt: t0.Add(-90 * time.Minute)}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("record\n got %+v\nwant %+v", r, want)
	}
	if !all[1].Abandoned || !all[1].LiveAnswer {
		t.Errorf("abandoned record %+v", all[1])
	}
	if _, err := s.AttemptLog(ctx, "nope", "", 3); !errors.Is(err, ErrNotFound) {
		t.Errorf("log of missing campaign: %v", err)
	}
	if _, err := s.AttemptLog(ctx, cfg.ID, "garbage", 3); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad after: %v", err)
	}
}

func TestRecordDisposition(t *testing.T) {
	s, rdb, _ := newStore(t)
	cfg := testConfig("disp")
	setup(t, s, cfg, 0)
	if err := s.RecordDisposition(ctx, cfg.ID, "disp-1", "agent-1", "promise_to_pay", t0); err != nil {
		t.Fatal(err)
	}
	msgs, err := rdb.XRange(ctx, prefix(cfg.ID)+":dispositions", "-", "+").Result()
	if err != nil || len(msgs) != 1 || msgs[0].Values["code"] != "promise_to_pay" || msgs[0].Values["attempt"] != "disp-1" ||
		msgs[0].Values["agent"] != "agent-1" || msgs[0].Values["at"] != "2026-03-11T15:00:00Z" {
		t.Errorf("%v %v", msgs, err)
	}
	if err := s.RecordDisposition(ctx, "nope", "x", "a", "paid", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing campaign: %v", err)
	}
	if err := s.RecordDisposition(ctx, cfg.ID, "x", "a", " ", t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty code: %v", err)
	}
}

// A connection counts once: when it is bridged (MarkConnected), not again
// when the attempt ends; an attempt not in flight cannot be marked.
func TestMarkConnectedCountsOnce(t *testing.T) {
	s, _, _ := newStore(t)
	cfg := testConfig("conn")
	tok := setup(t, s, cfg, 2)
	atts, err := s.StartAttempts(ctx, cfg.ID, tok, t0, 2)
	if err != nil || len(atts) != 2 {
		t.Fatalf("start: %v %v", atts, err)
	}
	if err := s.MarkConnected(ctx, cfg.ID, atts[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkConnected(ctx, cfg.ID, atts[0].ID); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(ctx, cfg.ID); st.Connected != 1 || st.LiveAnswers != 1 {
		t.Fatalf("after marking: connected %d, live %d, want 1 and 1", st.Connected, st.LiveAnswers)
	}
	for _, a := range atts {
		rec := AttemptRecord{AttemptID: a.ID, LeadID: a.Lead.ID, Outcome: OutcomeConnected, LiveAnswer: true, EndedAt: t0.Add(time.Minute)}
		if err := s.FinishAttempt(ctx, cfg.ID, rec); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := s.Stats(ctx, cfg.ID); st.Connected != 2 || st.LiveAnswers != 2 {
		t.Errorf("after finishing: connected %d, live %d, want 2 and 2 (one marked, one not)", st.Connected, st.LiveAnswers)
	}
	if live, _, err := s.AbandonWindow(ctx, cfg.ID, t0.Add(2*time.Minute), time.Hour); err != nil || live != 2 {
		t.Errorf("abandon window live = %d (%v), want 2", live, err)
	}
	if err := s.MarkConnected(ctx, cfg.ID, atts[0].ID); !errors.Is(err, ErrNotInFlight) {
		t.Errorf("mark after finish: %v, want ErrNotInFlight", err)
	}
}
