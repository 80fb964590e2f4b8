package agents

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dialer/dialer/test/redistest"
)

// TestLoginAfterAbandonedMove: an instance fenced the agent's record in c1 to
// move it to c2 and died before moving the home key. A later login to c1
// (stale token) recovers; so does a later login to c2; and the dead mover's
// own compare-and-set can no longer succeed.
func TestLoginAfterAbandonedMove(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	r := NewRegistry(srv.Client())
	if _, err := r.Login(ctx, "a1", "c1", "s", now); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Logout(ctx, "a1", now); err != nil {
		t.Fatal(err)
	}
	raw, token, home, err := r.readHome(ctx, "a1")
	if err != nil || home != "c1" || token != 1 {
		t.Fatalf("home %q %d %q %v", raw, token, home, err)
	}
	// The dead mover's first step.
	if rp, err := r.exec(ctx, "c1", "a1", "fence", now, "a1", token+1); err != nil || !rp.ok {
		t.Fatalf("fence: %+v %v", rp, err)
	}
	// A login into c1 with the old token is stale inside the script...
	if rp, err := r.exec(ctx, "c1", "a1", "login", now, "a1", "c1", "s", token); err != nil || rp.kind != "stale" {
		t.Fatalf("stale login: %+v %v", rp, err)
	}
	// ...and Login recovers by raising the home's token.
	a, err := NewRegistry(srv.Client()).Login(ctx, "a1", "c1", "s", now)
	if err != nil || a.State != StatePaused || a.Campaign != "c1" {
		t.Fatalf("login after abandoned move: %+v %v", a, err)
	}
	// The dead mover, come back, cannot move the home any more.
	if ok, err := r.casHome(ctx, "a1", raw, token+1, "c2"); err != nil || ok {
		t.Fatalf("stale compare-and-set succeeded: %v %v", ok, err)
	}
	if _, err := r.Login(ctx, "a1", "c2", "s", now); !errors.Is(err, ErrInvalidTransition) {
		t.Fatalf("login elsewhere while logged in: %v", err)
	}

	// Same abandoned move, then a login into the target campaign.
	if _, err := r.Logout(ctx, "a1", now); err != nil {
		t.Fatal(err)
	}
	_, token, _, _ = r.readHome(ctx, "a1")
	if rp, err := r.exec(ctx, "c1", "a1", "fence", now, "a1", token+1); err != nil || !rp.ok {
		t.Fatalf("fence: %+v %v", rp, err)
	}
	if a, err := r.Login(ctx, "a1", "c2", "s", now); err != nil || a.Campaign != "c2" {
		t.Fatalf("login to c2 after abandoned move: %+v %v", a, err)
	}
	if _, _, home, _ := r.readHome(ctx, "a1"); home != "c2" {
		t.Fatalf("home %s", home)
	}
	if l, err := r.List(ctx, "c1"); err != nil || len(l) != 0 {
		t.Fatalf("c1 lists %+v %v", l, err)
	}
}
