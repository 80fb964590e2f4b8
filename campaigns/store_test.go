package campaigns

import (
	"bytes"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCampaignCRUD(t *testing.T) {
	s, rdb, _ := newStore(t)
	if _, err := s.GetCampaign(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get missing: %v", err)
	}
	if _, err := s.GetCampaign(ctx, "../etc"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get bad id: %v", err)
	}
	b := testConfig("b")
	a := testConfig("a")
	a.CallerID = "202 555 0143"
	for _, c := range []Config{b, a} {
		if err := s.SaveCampaign(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetCampaign(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	want := a
	if err := want.Normalize(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || got.CallerID != "+12025550143" {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	list, err := s.ListCampaigns(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "a" || list[1].ID != "b" {
		t.Fatalf("list: %v %v", list, err)
	}
	// An invalid update changes nothing.
	keys, _ := rdb.Keys(ctx, "*").Result()
	bad := a
	bad.Name = "renamed"
	bad.RingTimeout = Duration(5 * time.Second)
	if err := s.SaveCampaign(ctx, bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("invalid save: %v", err)
	}
	if got, _ := s.GetCampaign(ctx, "a"); got.Name != a.Name {
		t.Errorf("invalid save changed the name to %q", got.Name)
	}
	if keys2, _ := rdb.Keys(ctx, "*").Result(); len(keys2) != len(keys) {
		t.Errorf("invalid save changed keys: %v -> %v", keys, keys2)
	}
	// A valid update replaces it.
	a.Name = "renamed"
	if err := s.SaveCampaign(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetCampaign(ctx, "a"); got.Name != "renamed" {
		t.Errorf("update: %q", got.Name)
	}
}

func TestState(t *testing.T) {
	s, _, _ := newStore(t)
	if err := s.SetState(ctx, "x", StateRunning); !errors.Is(err, ErrNotFound) {
		t.Errorf("set state of missing campaign: %v", err)
	}
	if _, err := s.GetState(ctx, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get state of missing campaign: %v", err)
	}
	if err := s.SaveCampaign(ctx, testConfig("x")); err != nil {
		t.Fatal(err)
	}
	if st, err := s.GetState(ctx, "x"); err != nil || st != StateStopped {
		t.Errorf("new campaign: %v %v", st, err)
	}
	for _, st := range []State{StateRunning, StatePaused, StateStopped, StateRunning} {
		if err := s.SetState(ctx, "x", st); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetState(ctx, "x"); err != nil || got != st {
			t.Errorf("got %v %v, want %v", got, err, st)
		}
	}
	if err := s.SetState(ctx, "x", "flying"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad state: %v", err)
	}
	// Saving the config again keeps the state.
	if err := s.SaveCampaign(ctx, testConfig("x")); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetState(ctx, "x"); got != StateRunning {
		t.Errorf("state after save: %v", got)
	}
}

func TestLeaseAndFencing(t *testing.T) {
	s, rdb, _ := newStore(t)
	cfg := testConfig("lease")
	if err := s.SaveCampaign(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AcquireLease(ctx, "nope", "a", time.Second); !errors.Is(err, ErrNotFound) {
		t.Errorf("lease on missing campaign: %v", err)
	}
	tokA, ok, err := s.AcquireLease(ctx, cfg.ID, "a", time.Minute)
	if err != nil || !ok || tokA != 1 {
		t.Fatalf("a: %v %v %v", tokA, ok, err)
	}
	if tok, ok, _ := s.AcquireLease(ctx, cfg.ID, "b", time.Minute); ok || tok != 0 {
		t.Errorf("b took a held lease: %v %v", tok, ok)
	}
	if tok, ok, _ := s.AcquireLease(ctx, cfg.ID, "a", time.Minute); !ok || tok != tokA {
		t.Errorf("re-acquire by a: %v %v", tok, ok)
	}
	if ok, _ := s.RenewLease(ctx, cfg.ID, "a", tokA, time.Minute); !ok {
		t.Error("renew by a failed")
	}
	if ok, _ := s.RenewLease(ctx, cfg.ID, "b", tokA, time.Minute); ok {
		t.Error("renew by b succeeded")
	}
	// The lease carries its TTL in Redis; a lapse is the key going away.
	if ttl := rdb.PTTL(ctx, prefix(cfg.ID)+":lease").Val(); ttl <= 50*time.Second || ttl > time.Minute {
		t.Errorf("lease TTL %v, want about 1m", ttl)
	}
	rdb.Del(ctx, prefix(cfg.ID)+":lease")
	tokB, ok, err := s.AcquireLease(ctx, cfg.ID, "b", time.Minute)
	if !ok || tokB != tokA+1 {
		t.Fatalf("b after lapse: %v %v %v", tokB, ok, err)
	}
	if ok, _ := s.RenewLease(ctx, cfg.ID, "a", tokA, time.Minute); ok {
		t.Error("a renewed a lost lease")
	}
	// The stale token is fenced off from every state change it could make.
	if _, err := s.StartAttempts(ctx, cfg.ID, tokA, t0, 1); !errors.Is(err, ErrFenced) {
		t.Errorf("start with stale token: %v", err)
	}
	if _, err := s.RecoverInFlight(ctx, cfg.ID, tokA, t0); !errors.Is(err, ErrFenced) {
		t.Errorf("recover with stale token: %v", err)
	}
	if _, err := s.StartAttempts(ctx, cfg.ID, tokB, t0, 1); err != nil {
		t.Errorf("start with current token: %v", err)
	}
	// Releasing with the stale token does nothing; with the right one frees it.
	if err := s.ReleaseLease(ctx, cfg.ID, "a", tokA); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.AcquireLease(ctx, cfg.ID, "c", time.Minute); ok {
		t.Error("c took b's lease after a's stale release")
	}
	if err := s.ReleaseLease(ctx, cfg.ID, "b", tokB); err != nil {
		t.Fatal(err)
	}
	tokC, ok, _ := s.AcquireLease(ctx, cfg.ID, "c", time.Minute)
	if !ok || tokC != tokB+1 {
		t.Errorf("c after release: %v %v", tokC, ok)
	}
	// A lease that lapsed with nobody taking it is taken back by a renew.
	rdb.Del(ctx, prefix(cfg.ID)+":lease")
	if ok, _ := s.RenewLease(ctx, cfg.ID, "c", tokC, time.Minute); !ok {
		t.Error("renew of a lapsed, untaken lease failed")
	}
	if _, ok, _ := s.AcquireLease(ctx, cfg.ID, "d", time.Minute); ok {
		t.Error("d took c's renewed lease")
	}
}

func TestMaskPhone(t *testing.T) {
	cases := map[string]string{
		"+12025550143": "+1202*****43",
		"+34911234567": "+3491*****67",
		"+4930123":     "+4930*23",
		"12345":        "***45",
		"1":            "*",
		"":             "",
	}
	for in, want := range cases {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("dial", "phone", Phone("+12025550143"), "lead", Lead{ID: "x-1", Phone: "+12025550143"})
	if strings.Contains(buf.String(), "5550143") || !strings.Contains(buf.String(), "phone=+1202*****43") ||
		!strings.Contains(buf.String(), "lead.phone=+1202*****43") {
		t.Errorf("log leaks or lacks the masked number: %s", buf.String())
	}
}
