package agents_test

import (
	"context"
	"testing"
	"time"

	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/test/redistest"
	"github.com/redis/go-redis/v9"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func newRegistry(t testing.TB) (*agents.Registry, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t)
	return agents.NewRegistry(srv.Client()), srv
}

type result[T any] struct {
	v   T
	err error
}

// must(f()).of(t) fails the test when f fails and returns its value.
func must[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) of(t testing.TB) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

// into brings a new agent id (in campaign "c-"+id, where it is alone) to
// state st, with attempt "at-"+id for the call states.
func into(t testing.TB, r *agents.Registry, id string, st agents.State) agents.Agent {
	t.Helper()
	ctx := context.Background()
	c := "c-" + id
	a := must(r.Login(ctx, id, c, "PJSIP/"+id, at(1))).of(t)
	switch st {
	case agents.StatePaused:
		return a
	case agents.StateOffline:
		return must(r.Logout(ctx, id, at(2))).of(t)
	}
	a = must(r.Ready(ctx, id, at(2))).of(t)
	if st == agents.StateReady {
		return a
	}
	a = must(r.Reserve(ctx, c, "at-"+id, time.Minute, at(3))).of(t)
	if a.ID != id {
		t.Fatalf("reserved %s, want %s", a.ID, id)
	}
	if st == agents.StateReserved {
		return a
	}
	a = must(r.Connect(ctx, id, "at-"+id, at(4))).of(t)
	if st == agents.StateTalking {
		return a
	}
	a = must(r.EndCall(ctx, id, "at-"+id, at(5))).of(t)
	if st == agents.StateWrapUp {
		return a
	}
	t.Fatalf("into: unknown state %s", st)
	return a
}

// countingHook counts the commands sent to Redis (a pipeline counts once).
type countingHook struct{ n *int64 }

func (h countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		*h.n++
		return next(ctx, cmd)
	}
}
func (h countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		*h.n++
		return next(ctx, cmds)
	}
}

func newServer(t testing.TB) *redistest.Server { return redistest.Start(t) }
