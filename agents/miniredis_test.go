package agents_test

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/dialer/dialer/agents"
	"github.com/redis/go-redis/v9"
)

// TestMiniredisFlow: the demo runs on miniredis (in-process, Lua through
// gopher-lua); a basic flow works there too.
func TestMiniredisFlow(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	r := agents.NewRegistry(rdb)
	ctx := context.Background()
	for i, id := range []string{"a2", "a1"} {
		must(r.Login(ctx, id, "demo", "sim/"+id, at(0))).of(t)
		must(r.Ready(ctx, id, at(1+i))).of(t)
	}
	a := must(r.Reserve(ctx, "demo", "x1", 5*time.Second, at(10))).of(t)
	if a.ID != "a2" || a.State != agents.StateReserved {
		t.Fatalf("reserved %+v", a)
	}
	must(r.Connect(ctx, "a2", "x1", at(11))).of(t)
	must(r.EndCall(ctx, "a2", "x1", at(20))).of(t)
	if b := must(r.Disposition(ctx, "a2", "paid", at(21))).of(t); b.AttemptID != "x1" {
		t.Fatalf("disposition returned %+v", b)
	}
	must(r.Reserve(ctx, "demo", "x2", 5*time.Second, at(22))).of(t) // a1
	if n := must(r.ExpireReservations(ctx, "demo", at(27))).of(t); n != 1 {
		t.Fatalf("expired %d", n)
	}
	l := must(r.List(ctx, "demo")).of(t)
	if len(l) != 2 || l[0].ID != "a1" || l[0].State != agents.StateReady || l[1].Calls != 1 {
		t.Fatalf("list %+v", l)
	}
	c := must(r.Counts(ctx, "demo")).of(t)
	if c[agents.StateReady] != 2 {
		t.Fatalf("counts %v", c)
	}
	must(r.Logout(ctx, "a1", at(30))).of(t)
	must(r.Login(ctx, "a1", "other", "sim/a1", at(31))).of(t)
	if a := must(r.Get(ctx, "a1")).of(t); a.Campaign != "other" {
		t.Fatalf("moved %+v", a)
	}
}
