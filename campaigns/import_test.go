package campaigns

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestImportCSVBadRows(t *testing.T) {
	s, _, _ := newStore(t)
	cfg := testConfig("imp")
	if err := s.SaveCampaign(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	csv := "\ufeffid,Phone,name,priority,timezone,balance,Due Date\n" +
		"A1,(202) 555-0101,Ana García,2,America/Chicago,120.50,2026-04-01\n" + // row 2: good, national form
		"A2,,Luis,1,,10,\n" + // row 3: no phone
		"A3,+1555,José,1,,10,\n" + // row 4: invalid number
		"A4,+34 911 23 45 67,María,high,,10,\n" + // row 5: bad priority
		"A5,+442079460958,\"Smith, John\",0,Mars/Base,10,\n" + // row 6: bad zone
		"A6,+12025550106,Pedro,0\n" + // row 7: short row
		"\"A7\",\"+1 202 555 0107\",\"Multi\nline\",5,,7,\n" + // row 8: good, quoted multi-line
		",+12025550108,No Id,,,,\n" // row 9: good, no external id
	res, err := s.ImportCSV(ctx, cfg.ID, strings.NewReader(csv), t0)
	if err != nil {
		t.Fatal(err)
	}
	wantErrs := []RowError{
		{3, "phone: missing"},
		{4, "phone: not a valid number (default region US)"},
		{5, `priority: "high" is not a whole number`},
		{6, `timezone: "Mars/Base" is not an IANA time zone`},
		{7, "has 4 fields, the header has 7"},
	}
	if res.Imported != 3 || res.Updated != 0 || res.Rejected != 5 || !reflect.DeepEqual(res.Errors, wantErrs) {
		t.Errorf("result %+v\nwant errors %+v", res, wantErrs)
	}
	l := mustLead(t, s, cfg.ID, "x-A1")
	want := Lead{ID: "x-A1", ExternalID: "A1", Phone: "+12025550101", Name: "Ana García", Priority: 2,
		TimeZone: "America/Chicago", Data: map[string]string{"balance": "120.50", "Due Date": "2026-04-01"},
		Status: LeadPending, NextAt: t0}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("lead\n got %+v\nwant %+v", l, want)
	}
	if l := mustLead(t, s, cfg.ID, "x-A7"); l.Name != "Multi\nline" || l.Priority != 5 {
		t.Errorf("quoted lead: %+v", l)
	}
	if l := mustLead(t, s, cfg.ID, leadID("", "+12025550108")); l.Name != "No Id" || l.ExternalID != "" {
		t.Errorf("lead without id: %+v", l)
	}
	st := mustStats(t, s, cfg.ID)
	if st.Leads[LeadPending] != 3 {
		t.Errorf("stats: %+v", st)
	}
}

func TestImportCSVSemicolons(t *testing.T) {
	s, _, _ := newStore(t)
	cfg := testConfig("semi")
	cfg.DefaultRegion = "ES"
	if err := s.SaveCampaign(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	res, err := s.ImportCSV(ctx, cfg.ID, strings.NewReader("id;phone;importe\nE1;911 23 45 67;12,50\n"), t0)
	if err != nil || res.Imported != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if l := mustLead(t, s, cfg.ID, "x-E1"); l.Phone != "+34911234567" || l.Data["importe"] != "12,50" {
		t.Errorf("lead %+v", l)
	}
}

func TestImportCSVMalformedChangesNothing(t *testing.T) {
	s, rdb, _ := newStore(t)
	cfg := testConfig("bad")
	if err := s.SaveCampaign(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	keysBefore, _ := rdb.Keys(ctx, "*").Result()
	cases := []struct {
		name string
		r    io.Reader
		want string
	}{
		{"empty", strings.NewReader(""), "empty file"},
		{"no phone column", strings.NewReader("id,name\n1,Ana\n"), "no phone column"},
		{"duplicate column", strings.NewReader("phone,name,Name\n+12025550101,a,b\n"), `column "Name" appears twice`},
		{"bad quote late", strings.NewReader("phone,name\n+12025550101,Ana\n+12025550102,\"Lu\"is\n"), "row 3"},
		{"read error", io.MultiReader(strings.NewReader("phone,name\n+12025550101,Ana\n"), iotest.ErrReader(errors.New("disk on fire"))), "disk on fire"},
	}
	for _, tc := range cases {
		res, err := s.ImportCSV(ctx, cfg.ID, tc.r, t0)
		if !errors.Is(err, ErrBadCSV) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %+v %v, want ErrBadCSV with %q", tc.name, res, err, tc.want)
		}
	}
	keysAfter, _ := rdb.Keys(ctx, "*").Result()
	if len(keysAfter) != len(keysBefore) {
		t.Errorf("keys changed: %v -> %v", keysBefore, keysAfter)
	}
	if _, err := s.ImportCSV(ctx, "nope", strings.NewReader("phone\n+12025550101\n"), t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown campaign: %v", err)
	}
	if _, err := s.AddLeads(ctx, "nope", []Lead{{Phone: "+12025550101"}}, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown campaign: %v", err)
	}
}

// TestReimport: the same external id (or the same number without one)
// updates the lead; its status and history stay unless it was invalid and
// its number changed.
func TestReimport(t *testing.T) {
	s, _, _ := newStore(t)
	cfg := testConfig("re")
	tok := setup(t, s, cfg, 0)
	first := "id,phone,name,priority,note\n" +
		"P,+12025550101,Pending Person,1,a\n" +
		"D,+12025550102,Dialing Person,1,b\n" +
		"C,+12025550103,Completed Person,1,c\n" +
		"I,+12025550104,Invalid Person,1,d\n" +
		",+12025550105,No Id,1,e\n"
	res, err := s.ImportCSV(ctx, cfg.ID, strings.NewReader(first), t0)
	if err != nil || res.Imported != 5 {
		t.Fatalf("%+v %v", res, err)
	}
	// Dial everyone; finish C as connected, I as invalid; D stays dialing.
	as := start(t, s, cfg.ID, tok, t0, 10)
	if len(as) != 5 {
		t.Fatalf("started %d", len(as))
	}
	var back []Attempt
	for _, a := range as {
		switch a.Lead.ExternalID {
		case "C":
			finish(t, s, cfg.ID, a, OutcomeConnected, t0.Add(time.Minute))
		case "I":
			finish(t, s, cfg.ID, a, OutcomeInvalid, t0.Add(time.Minute))
		case "P", "":
			back = append(back, a)
			finish(t, s, cfg.ID, a, OutcomeBusy, t0.Add(time.Minute)) // pending again, due t0+11m
		}
	}
	second := "id,phone,name,priority,note\n" +
		"P,+12025550101,Pending Renamed,9,A\n" +
		"D,+12025550112,Dialing Renamed,9,B\n" +
		"C,+12025550103,Completed Renamed,9,C\n" +
		"I,+12025550114,Invalid New Number,9,D\n" +
		",+12025550105,No Id Renamed,9,E\n" +
		"NEW,+12025550106,New,0,F\n"
	t1 := t0.Add(time.Hour)
	res, err = s.ImportCSV(ctx, cfg.ID, strings.NewReader(second), t1)
	if err != nil || res.Imported != 1 || res.Updated != 5 || res.Rejected != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	check := func(id string, name, phone string, status LeadStatus, attempts int, next time.Time) {
		t.Helper()
		l := mustLead(t, s, cfg.ID, id)
		if l.Name != name || l.Phone != phone || l.Status != status || l.Attempts != attempts || !l.NextAt.Equal(next) || l.Priority != 9 && id != "x-NEW" {
			t.Errorf("%s: got %+v, want %s %s %s attempts=%d next=%v", id, l, name, phone, status, attempts, next)
		}
	}
	retryAt := t0.Add(time.Minute + 10*time.Minute)
	check("x-P", "Pending Renamed", "+12025550101", LeadPending, 1, retryAt)
	check("x-D", "Dialing Renamed", "+12025550112", LeadDialing, 1, time.Time{})
	check("x-C", "Completed Renamed", "+12025550103", LeadCompleted, 1, time.Time{})
	check("x-I", "Invalid New Number", "+12025550114", LeadPending, 1, t1)
	check(leadID("", "+12025550105"), "No Id Renamed", "+12025550105", LeadPending, 1, retryAt)
	check("x-NEW", "New", "+12025550106", LeadPending, 0, t1)
	st := mustStats(t, s, cfg.ID)
	want := map[LeadStatus]int64{LeadPending: 4, LeadDialing: 1, LeadCompleted: 1, LeadExhausted: 0, LeadInvalid: 0}
	if !reflect.DeepEqual(st.Leads, want) {
		t.Errorf("leads by status %v, want %v", st.Leads, want)
	}
	// The renamed pending leads moved to priority 9 but kept their due time:
	// at t1 the new number of I (due t1) and P, No Id (due t0+11m) are
	// eligible; priority 9 first, earliest due first; NEW (priority 0) last.
	as = start(t, s, cfg.ID, tok, t1, 10)
	if got := leadIDs(as); got != ",P,I,NEW" { // equal due times: by lead id ("p-…" < "x-P")
		t.Errorf("order after re-import: %s", got)
	}
	if as[2].Number != "+12025550114" {
		t.Errorf("dialed old number %s", as[2].Number)
	}
}

func TestAddLeads(t *testing.T) {
	s, _, _ := newStore(t)
	cfg := testConfig("add")
	if err := s.SaveCampaign(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	res, err := s.AddLeads(ctx, cfg.ID, []Lead{
		{ExternalID: "a", Phone: "202-555-0101", Priority: 3, Data: map[string]string{"k": "v"}, Status: LeadCompleted, Attempts: 9},
		{ExternalID: "b", Phone: "nope"},
		{ExternalID: "c", Phone: "+12025550103", TimeZone: "Nowhere/Land"},
		{ExternalID: "d", Phone: "+12025550104", Priority: MaxPriority + 1},
		{ExternalID: "a", Phone: "+12025550101", Name: "again"},
	}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 1 || res.Updated != 1 || res.Rejected != 3 || res.Errors[0].Row != 2 || res.Errors[1].Row != 3 || res.Errors[2].Row != 4 {
		t.Errorf("%+v", res)
	}
	l := mustLead(t, s, cfg.ID, "x-a")
	if l.Status != LeadPending || l.Attempts != 0 || l.Name != "again" || l.Phone != "+12025550101" || l.Data != nil {
		t.Errorf("%+v", l)
	}
}

func TestLeadIDs(t *testing.T) {
	if leadID("ACC-001", "+1") != "x-ACC-001" {
		t.Error("plain external id should be kept")
	}
	a, b := leadID("with space", "+1"), leadID("with space", "+2")
	if a != b || !strings.HasPrefix(a, "h-") || len(a) != 18 {
		t.Errorf("hashed external id: %s %s", a, b)
	}
	p := leadID("", "+12025550101")
	if p == leadID("", "+12025550102") || strings.Contains(p, "5550101") || p != leadID("", "+12025550101") {
		t.Errorf("phone id %s", p)
	}
}
