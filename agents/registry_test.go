package agents_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dialer/dialer/agents"
)

func TestStateMachine(t *testing.T) {
	r, _ := newRegistry(t)
	ctx := context.Background()
	const (
		IT = "invalid transition"
		LL = "lease lost"
		NA = "no agent"
	)
	type op struct {
		name string
		do   func(id string) (agents.Agent, error)
	}
	ops := map[string]op{
		"login": {"login", func(id string) (agents.Agent, error) {
			return r.Login(ctx, id, "c-"+id, "PJSIP/"+id, at(10))
		}},
		"ready":  {"ready", func(id string) (agents.Agent, error) { return r.Ready(ctx, id, at(10)) }},
		"pause":  {"pause", func(id string) (agents.Agent, error) { return r.Pause(ctx, id, "lunch", at(10)) }},
		"logout": {"logout", func(id string) (agents.Agent, error) { return r.Logout(ctx, id, at(10)) }},
		"reserve": {"reserve", func(id string) (agents.Agent, error) {
			return r.Reserve(ctx, "c-"+id, "new-"+id, time.Minute, at(10))
		}},
		"connect": {"connect", func(id string) (agents.Agent, error) { return r.Connect(ctx, id, "at-"+id, at(10)) }},
		"release": {"release", func(id string) (agents.Agent, error) { return r.Release(ctx, id, "at-"+id, at(10)) }},
		"endcall": {"endcall", func(id string) (agents.Agent, error) { return r.EndCall(ctx, id, "at-"+id, at(10)) }},
		"disposition": {"disposition", func(id string) (agents.Agent, error) {
			return r.Disposition(ctx, id, "paid", at(10))
		}},
	}
	// want: the state after the op, or the error it is refused with.
	table := map[agents.State]map[string]string{
		agents.StateOffline: {"login": "paused", "ready": IT, "pause": IT, "logout": IT, "reserve": NA,
			"connect": LL, "release": LL, "endcall": IT, "disposition": IT},
		agents.StatePaused: {"login": IT, "ready": "ready", "pause": "paused", "logout": "offline", "reserve": NA,
			"connect": LL, "release": LL, "endcall": IT, "disposition": IT},
		agents.StateReady: {"login": IT, "ready": "ready", "pause": "paused", "logout": "offline", "reserve": "reserved",
			"connect": LL, "release": LL, "endcall": IT, "disposition": IT},
		agents.StateReserved: {"login": IT, "ready": IT, "pause": "reserved", "logout": IT, "reserve": NA,
			"connect": "talking", "release": "ready", "endcall": IT, "disposition": IT},
		agents.StateTalking: {"login": IT, "ready": IT, "pause": "talking", "logout": IT, "reserve": NA,
			"connect": LL, "release": LL, "endcall": "wrapup", "disposition": IT},
		agents.StateWrapUp: {"login": IT, "ready": IT, "pause": "wrapup", "logout": "offline", "reserve": NA,
			"connect": LL, "release": LL, "endcall": "wrapup", "disposition": "ready"},
	}
	sentinel := map[string]error{IT: agents.ErrInvalidTransition, LL: agents.ErrLeaseLost, NA: agents.ErrNoAgent}
	n := 0
	for from, row := range table {
		for name, want := range row {
			n++
			id := fmt.Sprintf("a%02d-%s-%s", n, from, name)
			t.Run(string(from)+"/"+name, func(t *testing.T) {
				before := into(t, r, id, from)
				got, err := ops[name].do(id)
				after := must(r.Get(ctx, id)).of(t)
				if werr, refused := sentinel[want]; refused {
					if !errors.Is(err, werr) {
						t.Fatalf("%s from %s: err %v, want %v", name, from, err, werr)
					}
					if after != before {
						t.Fatalf("refused %s changed the agent:\n%+v\n%+v", name, before, after)
					}
					return
				}
				if err != nil {
					t.Fatalf("%s from %s: %v", name, from, err)
				}
				if after.State != agents.State(want) {
					t.Fatalf("%s from %s: state %s, want %s", name, from, after.State, want)
				}
				if name == "disposition" {
					// Disposition returns the agent before the change, with its call.
					if got.State != agents.StateWrapUp || got.AttemptID != "at-"+id {
						t.Fatalf("disposition returned %+v, want the wrap-up with attempt at-%s", got, id)
					}
				} else if got.State != after.State {
					t.Fatalf("%s returned state %s, stored %s", name, got.State, after.State)
				}
				wantSince := before.Since
				if after.State != from || (from == agents.StatePaused && name == "pause") {
					wantSince = at(10)
				}
				if !after.Since.Equal(wantSince) {
					t.Fatalf("%s from %s: since %v, want %v", name, from, after.Since, wantSince)
				}
			})
		}
	}
}

func TestTransitionErrorMessage(t *testing.T) {
	r, _ := newRegistry(t)
	ctx := context.Background()
	into(t, r, "a1", agents.StateTalking)
	_, err := r.Logout(ctx, "a1", at(10))
	if err == nil || err.Error() != "agents: cannot log out agent a1: state talking" {
		t.Fatalf("err %v", err)
	}
	var te *agents.TransitionError
	if !errors.As(err, &te) || te.State != agents.StateTalking || te.AgentID != "a1" {
		t.Fatalf("err %#v", err)
	}
	if _, err := r.Get(ctx, "nobody"); !errors.Is(err, agents.ErrNotFound) {
		t.Fatalf("get unknown: %v", err)
	}
	if _, err := r.Ready(ctx, "nobody", at(1)); !errors.Is(err, agents.ErrNotFound) {
		t.Fatalf("ready unknown: %v", err)
	}
}

func TestInvalidArguments(t *testing.T) {
	r, _ := newRegistry(t)
	ctx := context.Background()
	into(t, r, "w1", agents.StateWrapUp)
	cases := map[string]error{}
	_, cases["empty agent"] = r.Login(ctx, "", "c", "s", at(1))
	_, cases["brace agent"] = r.Login(ctx, "a{1}", "c", "s", at(1))
	_, cases["space campaign"] = r.Login(ctx, "a1", "c 1", "s", at(1))
	_, cases["long agent"] = r.Login(ctx, strings.Repeat("x", agents.MaxIDLen+1), "c", "s", at(1))
	_, cases["empty attempt"] = r.Reserve(ctx, "c", "", time.Minute, at(1))
	_, cases["zero lease"] = r.Reserve(ctx, "c", "at1", 0, at(1))
	_, cases["empty code"] = r.Disposition(ctx, "w1", "", at(6))
	_, cases["long code"] = r.Disposition(ctx, "w1", strings.Repeat("x", agents.MaxCodeLen+1), at(6))
	_, cases["control code"] = r.Disposition(ctx, "w1", "paid\n", at(6))
	_, cases["long reason"] = r.Pause(ctx, "w1", strings.Repeat("x", agents.MaxCodeLen+1), at(6))
	for name, err := range cases {
		if !errors.Is(err, agents.ErrInvalid) {
			t.Errorf("%s: err %v, want ErrInvalid", name, err)
		}
	}
	// Nothing changed: the wrap-up still ends with a good code.
	if a := must(r.Get(ctx, "w1")).of(t); a.State != agents.StateWrapUp || a.PendingPause != "" {
		t.Fatalf("after invalid calls: %+v", a)
	}
	long := strings.Repeat("x", agents.MaxCodeLen)
	if a := must(r.Disposition(ctx, "w1", long, at(6))).of(t); a.State != agents.StateWrapUp {
		t.Fatalf("disposition: %+v", a)
	}
	if a := must(r.Get(ctx, "w1")).of(t); a.State != agents.StateReady || a.Disposition != long {
		t.Fatalf("after disposition: %+v", a)
	}
}

func TestLongestIdleFirstAndReleaseKeepsPlace(t *testing.T) {
	r, _ := newRegistry(t)
	ctx := context.Background()
	const c = "camp"
	for i, id := range []string{"a3", "a1", "a2"} { // ready order a3, a1, a2
		must(r.Login(ctx, id, c, "s", at(0))).of(t)
		must(r.Ready(ctx, id, at(10+i))).of(t)
	}
	reserve := func(att string, now int) string {
		t.Helper()
		a := must(r.Reserve(ctx, c, att, time.Minute, at(now))).of(t)
		if a.State != agents.StateReserved || a.AttemptID != att || !a.LeaseUntil.Equal(at(now).Add(time.Minute)) {
			t.Fatalf("reserved %+v", a)
		}
		return a.ID
	}
	if id := reserve("x1", 20); id != "a3" {
		t.Fatalf("first reservation %s, want a3 (longest idle)", id)
	}
	// Released without a call: a3 keeps its place at the head.
	a := must(r.Release(ctx, "a3", "x1", at(21))).of(t)
	if a.State != agents.StateReady || !a.IdleSince.Equal(at(10)) || !a.Since.Equal(at(21)) {
		t.Fatalf("released %+v", a)
	}
	if id := reserve("x2", 22); id != "a3" {
		t.Fatalf("after release %s, want a3 again", id)
	}
	// A call: after its disposition a3 is idle since then: last in line.
	must(r.Connect(ctx, "a3", "x2", at(23))).of(t)
	must(r.EndCall(ctx, "a3", "x2", at(30))).of(t)
	must(r.Disposition(ctx, "a3", "paid", at(31))).of(t)
	var order []string
	for i := range 3 {
		order = append(order, reserve(fmt.Sprintf("y%d", i), 40))
	}
	if strings.Join(order, ",") != "a1,a2,a3" {
		t.Fatalf("order %v, want a1,a2,a3", order)
	}
	if _, err := r.Reserve(ctx, c, "y9", time.Minute, at(40)); !errors.Is(err, agents.ErrNoAgent) {
		t.Fatalf("reserve with none ready: %v", err)
	}
	a = must(r.Get(ctx, "a3")).of(t)
	if a.Calls != 1 || a.Disposition != "paid" {
		t.Fatalf("a3 %+v", a)
	}
}

func TestReserveRetrySameAttempt(t *testing.T) {
	r, _ := newRegistry(t)
	ctx := context.Background()
	for _, id := range []string{"a1", "a2"} {
		must(r.Login(ctx, id, "c", "s", at(0))).of(t)
		must(r.Ready(ctx, id, at(1))).of(t)
	}
	a := must(r.Reserve(ctx, "c", "x", time.Minute, at(2))).of(t)
	b := must(r.Reserve(ctx, "c", "x", time.Minute, at(3))).of(t)
	if a.ID != b.ID || !b.LeaseUntil.Equal(a.LeaseUntil) {
		t.Fatalf("retry reserved %+v, first %+v", b, a)
	}
	counts := must(r.Counts(ctx, "c")).of(t)
	if counts[agents.StateReserved] != 1 || counts[agents.StateReady] != 1 {
		t.Fatalf("counts %v", counts)
	}
	// Once released, the attempt may reserve again.
	must(r.Release(ctx, a.ID, "x", at(4))).of(t)
	c := must(r.Reserve(ctx, "c", "x", time.Minute, at(5))).of(t)
	if c.ID != a.ID {
		t.Fatalf("after release reserved %s, want %s (longest idle)", c.ID, a.ID)
	}
}

func TestLeaseExpiry(t *testing.T) {
	r, _ := newRegistry(t)
	ctx := context.Background()
	for i, id := range []string{"a1", "a2", "a3"} {
		must(r.Login(ctx, id, "c", "s", at(0))).of(t)
		must(r.Ready(ctx, id, at(1+i))).of(t)
	}
	must(r.Reserve(ctx, "c", "x1", 10*time.Second, at(10))).of(t) // a1 until 20
	must(r.Reserve(ctx, "c", "x2", 30*time.Second, at(10))).of(t) // a2 until 40
	// Before the lease ends nothing expires.
	if n := must(r.ExpireReservations(ctx, "c", at(19))).of(t); n != 0 {
		t.Fatalf("expired %d at 19s", n)
	}
	// At its end the engine has lost a1: Connect fails and a1 is ready again
	// with its old place.
	if _, err := r.Connect(ctx, "a1", "x1", at(20)); !errors.Is(err, agents.ErrLeaseLost) {
		t.Fatalf("connect after lease: %v", err)
	}
	a := must(r.Get(ctx, "a1")).of(t)
	if a.State != agents.StateReady || a.AttemptID != "" || !a.IdleSince.Equal(at(1)) {
		t.Fatalf("a1 after lapsed connect %+v", a)
	}
	// Lazily inside Reserve: a2's lease lapsed at 40; a2 (idle since 2s) is
	// ahead of a3 (3s) but behind a1 (1s).
	got := must(r.Reserve(ctx, "c", "x3", time.Minute, at(41))).of(t)
	if got.ID != "a1" {
		t.Fatalf("reserved %s, want a1", got.ID)
	}
	got = must(r.Reserve(ctx, "c", "x4", time.Minute, at(41))).of(t)
	if got.ID != "a2" {
		t.Fatalf("reserved %s, want a2 (its lapsed lease freed it)", got.ID)
	}
	// ExpireReservations counts exactly the lapsed ones.
	if n := must(r.ExpireReservations(ctx, "c", at(100))).of(t); n != 0 {
		t.Fatalf("expired %d before 101s", n)
	}
	if n := must(r.ExpireReservations(ctx, "c", at(101))).of(t); n != 2 {
		t.Fatalf("expired %d, want 2", n)
	}
	counts := must(r.Counts(ctx, "c")).of(t)
	if counts[agents.StateReady] != 3 || counts[agents.StateReserved] != 0 {
		t.Fatalf("counts %v", counts)
	}
	// A lapsed attempt can no longer release the agent reserved since.
	must(r.Reserve(ctx, "c", "x5", time.Minute, at(102))).of(t)
	if _, err := r.Release(ctx, "a1", "x3", at(103)); !errors.Is(err, agents.ErrLeaseLost) {
		t.Fatalf("release by lapsed attempt: %v", err)
	}
	if a := must(r.Get(ctx, "a1")).of(t); a.State != agents.StateReserved || a.AttemptID != "x5" {
		t.Fatalf("a1 %+v", a)
	}
}

func TestPendingPause(t *testing.T) {
	r, _ := newRegistry(t)
	ctx := context.Background()

	// Talking: the pause waits for the disposition.
	into(t, r, "t1", agents.StateTalking)
	a := must(r.Pause(ctx, "t1", "lunch", at(10))).of(t)
	if a.State != agents.StateTalking || a.PendingPause != "lunch" {
		t.Fatalf("pause while talking %+v", a)
	}
	must(r.EndCall(ctx, "t1", "at-t1", at(11))).of(t)
	if a := must(r.Get(ctx, "t1")).of(t); a.State != agents.StateWrapUp || a.PendingPause != "lunch" {
		t.Fatalf("wrapup %+v", a)
	}
	must(r.Disposition(ctx, "t1", "paid", at(12))).of(t)
	a = must(r.Get(ctx, "t1")).of(t)
	if a.State != agents.StatePaused || a.PauseReason != "lunch" || a.PendingPause != "" || !a.Since.Equal(at(12)) {
		t.Fatalf("after disposition %+v", a)
	}
	if _, err := r.Reserve(ctx, "c-t1", "n", time.Minute, at(13)); !errors.Is(err, agents.ErrNoAgent) {
		t.Fatalf("a paused agent was reserved: %v", err)
	}

	// Reserved: Release applies it.
	into(t, r, "r1", agents.StateReserved)
	must(r.Pause(ctx, "r1", "", at(10))).of(t)
	a = must(r.Release(ctx, "r1", "at-r1", at(11))).of(t)
	if a.State != agents.StatePaused || a.PauseReason != agents.DefaultPauseReason {
		t.Fatalf("released with pending pause %+v", a)
	}

	// Reserved, lease lapses: paused, not ready.
	into(t, r, "e1", agents.StateReserved) // lease until at(3)+1m
	must(r.Pause(ctx, "e1", "coaching", at(10))).of(t)
	if n := must(r.ExpireReservations(ctx, "c-e1", at(3+60))).of(t); n != 1 {
		t.Fatalf("expired %d", n)
	}
	if a := must(r.Get(ctx, "e1")).of(t); a.State != agents.StatePaused || a.PauseReason != "coaching" {
		t.Fatalf("lapsed with pending pause %+v", a)
	}

	// Ready during the call cancels the pending pause.
	into(t, r, "k1", agents.StateTalking)
	must(r.Pause(ctx, "k1", "lunch", at(10))).of(t)
	a = must(r.Ready(ctx, "k1", at(11))).of(t)
	if a.State != agents.StateTalking || a.PendingPause != "" {
		t.Fatalf("ready while talking %+v", a)
	}
	must(r.EndCall(ctx, "k1", "at-k1", at(12))).of(t)
	must(r.Disposition(ctx, "k1", "paid", at(13))).of(t)
	if a := must(r.Get(ctx, "k1")).of(t); a.State != agents.StateReady || !a.IdleSince.Equal(at(13)) {
		t.Fatalf("after cancelled pause %+v", a)
	}
}

func TestLoginElsewhere(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	r1 := agents.NewRegistry(srv.Client())
	r2 := agents.NewRegistry(srv.Client())

	must(r1.Login(ctx, "a1", "c1", "PJSIP/100", at(0))).of(t)
	must(r1.Ready(ctx, "a1", at(1))).of(t)
	if _, err := r2.Login(ctx, "a1", "c2", "PJSIP/100", at(2)); !errors.Is(err, agents.ErrInvalidTransition) {
		t.Fatalf("login elsewhere: %v", err)
	}
	if _, err := r2.Login(ctx, "a1", "c1", "PJSIP/100", at(2)); !errors.Is(err, agents.ErrInvalidTransition) {
		t.Fatalf("second login: %v", err)
	}
	// r2 moves it: logout, login to c2. r1 still has c1 cached.
	must(r2.Logout(ctx, "a1", at(3))).of(t)
	a := must(r2.Login(ctx, "a1", "c2", "PJSIP/200", at(4))).of(t)
	if a.Campaign != "c2" || a.State != agents.StatePaused || a.PauseReason != "login" || a.Station != "PJSIP/200" {
		t.Fatalf("re-login %+v", a)
	}
	a = must(r1.Ready(ctx, "a1", at(5))).of(t)
	if a.Campaign != "c2" || a.State != agents.StateReady {
		t.Fatalf("ready through a stale cache %+v", a)
	}
	if a := must(r1.Get(ctx, "a1")).of(t); a.Campaign != "c2" {
		t.Fatalf("get %+v", a)
	}
	if l := must(r1.List(ctx, "c1")).of(t); len(l) != 0 {
		t.Fatalf("c1 still lists %+v", l)
	}
	if l := must(r1.List(ctx, "c2")).of(t); len(l) != 1 || l[0].ID != "a1" {
		t.Fatalf("c2 lists %+v", l)
	}
	if _, err := r1.Reserve(ctx, "c1", "x", time.Minute, at(6)); !errors.Is(err, agents.ErrNoAgent) {
		t.Fatalf("reserve in old campaign: %v", err)
	}
	if got := must(r1.Reserve(ctx, "c2", "x", time.Minute, at(6))).of(t); got.ID != "a1" {
		t.Fatalf("reserve in c2: %+v", got)
	}
	// And back to c1 after logging out of c2.
	must(r1.Release(ctx, "a1", "x", at(7))).of(t)
	must(r1.Logout(ctx, "a1", at(8))).of(t)
	must(r2.Login(ctx, "a1", "c1", "PJSIP/100", at(9))).of(t)
	if c := must(r1.Counts(ctx, "c1")).of(t); c[agents.StatePaused] != 1 || c[agents.StateOffline] != 0 {
		t.Fatalf("c1 counts %v", c)
	}
	if c := must(r1.Counts(ctx, "c2")).of(t); c[agents.StatePaused] != 0 || c[agents.StateOffline] != 0 {
		t.Fatalf("c2 counts %v", c)
	}
}

func TestListAndCounts(t *testing.T) {
	r, _ := newRegistry(t)
	ctx := context.Background()
	for _, id := range []string{"b", "a", "d", "c", "e"} {
		must(r.Login(ctx, id, "c", "s", at(0))).of(t)
	}
	must(r.Ready(ctx, "a", at(1))).of(t)
	must(r.Ready(ctx, "b", at(2))).of(t)
	must(r.Ready(ctx, "c", at(2))).of(t)
	must(r.Reserve(ctx, "c", "x", time.Minute, at(3))).of(t) // a
	must(r.Reserve(ctx, "c", "y", time.Minute, at(3))).of(t) // b
	must(r.Connect(ctx, "b", "y", at(4))).of(t)
	must(r.Logout(ctx, "e", at(5))).of(t)
	must(r.Pause(ctx, "d", "training", at(5))).of(t)
	l := must(r.List(ctx, "c")).of(t)
	var got []string
	for _, a := range l {
		got = append(got, a.ID+":"+string(a.State))
	}
	if s := strings.Join(got, " "); s != "a:reserved b:talking c:ready d:paused" {
		t.Fatalf("list %s", s)
	}
	if l[0].AttemptID != "x" || !l[0].LeaseUntil.Equal(at(63)) || !l[1].Since.Equal(at(4)) || l[3].PauseReason != "training" {
		t.Fatalf("list details %+v", l)
	}
	want := map[agents.State]int{agents.StateOffline: 1, agents.StateReady: 1, agents.StatePaused: 1,
		agents.StateReserved: 1, agents.StateTalking: 1, agents.StateWrapUp: 0}
	if c := must(r.Counts(ctx, "c")).of(t); fmt.Sprint(c) != fmt.Sprint(want) {
		t.Fatalf("counts %v, want %v", c, want)
	}
	if l := must(r.List(ctx, "empty")).of(t); len(l) != 0 {
		t.Fatalf("empty campaign lists %v", l)
	}
}

func TestReleaseOrphans(t *testing.T) {
	r, _ := newRegistry(t)
	ctx := context.Background()
	for i, id := range []string{"a1", "a2", "a3", "a4", "a5"} {
		must(r.Login(ctx, id, "c", "s", at(0))).of(t)
		must(r.Ready(ctx, id, at(1+i))).of(t)
	}
	for _, att := range []string{"dead1", "live1", "dead2", "live2"} { // a1..a4
		must(r.Reserve(ctx, "c", att, time.Minute, at(10))).of(t)
	}
	must(r.Connect(ctx, "a3", "dead2", at(11))).of(t)
	must(r.Connect(ctx, "a4", "live2", at(11))).of(t)
	live := func(att string) bool { return strings.HasPrefix(att, "live") }
	if n := must(r.ReleaseOrphans(ctx, "c", live, at(12))).of(t); n != 2 {
		t.Fatalf("released %d, want 2", n)
	}
	want := map[string]agents.State{"a1": agents.StateReady, "a2": agents.StateReserved,
		"a3": agents.StateWrapUp, "a4": agents.StateTalking, "a5": agents.StateReady}
	for id, st := range want {
		if a := must(r.Get(ctx, id)).of(t); a.State != st {
			t.Errorf("%s: %s, want %s", id, a.State, st)
		}
	}
	if a := must(r.Get(ctx, "a1")).of(t); !a.IdleSince.Equal(at(1)) {
		t.Errorf("orphan lost its place: %+v", a)
	}
	if n := must(r.ReleaseOrphans(ctx, "c", live, at(13))).of(t); n != 0 {
		t.Fatalf("second pass released %d", n)
	}
}
