package agents

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/redis/go-redis/v9"
)

// State is an agent's state.
type State string

// The states of an agent.
const (
	StateOffline  State = "offline"
	StateReady    State = "ready"
	StatePaused   State = "paused"
	StateReserved State = "reserved"
	StateTalking  State = "talking"
	StateWrapUp   State = "wrapup"
)

// States lists every state, in the order of the state machine.
var States = []State{StateOffline, StatePaused, StateReady, StateReserved, StateTalking, StateWrapUp}

// Agent is an agent's session as stored.
type Agent struct {
	ID       string `json:"id"`
	Campaign string `json:"campaign"`
	Station  string `json:"station,omitempty"`
	State    State  `json:"state"`
	// Since is when the agent entered State.
	Since time.Time `json:"since"`
	// IdleSince is when the agent became ready; a Release or an expired
	// lease keeps it, so the agent keeps its place in the ready queue. Zero
	// unless ready or reserved.
	IdleSince    time.Time `json:"idle_since,omitzero"`
	PauseReason  string    `json:"pause_reason,omitempty"`
	PendingPause string    `json:"pending_pause,omitempty"`
	// AttemptID is the call the agent is reserved for, talking on or
	// wrapping up.
	AttemptID string `json:"attempt_id,omitempty"`
	// LeaseUntil is when a reservation lapses (reserved only).
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	// Calls counts the calls connected to the agent in this session.
	Calls int `json:"calls"`
	// Disposition is the last code recorded by the agent.
	Disposition string `json:"disposition,omitempty"`
}

// Limits on identifiers and codes.
const (
	MaxIDLen   = 128 // agent, campaign and attempt ids
	MaxCodeLen = 64  // disposition codes and pause reasons
)

// DefaultPauseReason is used when Pause is given an empty reason.
const DefaultPauseReason = "pause"

//go:embed pool.lua
var poolSource string

var (
	poolScript = redis.NewScript(poolSource)
	// casScript: KEYS[1] the agent's home key; ARGV[1] expected value (""
	// for absent), ARGV[2] new value. Returns 1 when it was set.
	casScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur then cur = '' end
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`)
)

// Registry is the agents' state in Redis. Safe for concurrent use.
type Registry struct {
	rdb         redis.UniversalClient
	log         *slog.Logger
	prefix      string
	expireLimit int

	home sync.Map // agent id → campaign: a hint, verified by every script
}

// Option configures a Registry.
type Option func(*Registry)

// WithLogger sets the logger (nil: discard).
func WithLogger(l *slog.Logger) Option { return func(r *Registry) { r.log = l } }

// WithPrefix sets the prefix of every key (default "dialer:").
func WithPrefix(p string) Option { return func(r *Registry) { r.prefix = p } }

// WithExpireBatch bounds how many lapsed reservations one Reserve call sends
// back to ready (default 64), so that the script stays short.
func WithExpireBatch(n int) Option {
	return func(r *Registry) {
		if n > 0 {
			r.expireLimit = n
		}
	}
}

// NewRegistry returns a registry on rdb.
func NewRegistry(rdb redis.UniversalClient, opts ...Option) *Registry {
	r := &Registry{rdb: rdb, prefix: "dialer:", expireLimit: 64}
	for _, o := range opts {
		o(r)
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

func (r *Registry) pool(campaign string) string { return r.prefix + "{p:" + campaign + "}:" }

func (r *Registry) homeKey(agentID string) string { return r.prefix + "agent:{a:" + agentID + "}" }

// keys are the pool's keys in the order pool.lua expects, and the record
// key prefix.
func (r *Registry) keys(campaign, agentID string) ([]string, string) {
	p := r.pool(campaign)
	k := []string{p + "ready", p + "leases", p + "holds", p + "members", p + "known"}
	if agentID != "" {
		k = append(k, p+"agent:"+agentID)
	}
	return k, p + "agent:"
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(s string) time.Time {
	n, _ := strconv.ParseInt(s, 10, 64)
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}

// checkID accepts printable ids without spaces and braces (they go into
// hash tags) of at most MaxIDLen bytes.
func checkID(kind, id string) error {
	if id == "" || len(id) > MaxIDLen {
		return fmt.Errorf("%w: %s id %q: want 1 to %d characters", ErrInvalid, kind, id, MaxIDLen)
	}
	for _, c := range id {
		if c == '{' || c == '}' || c == '|' || unicode.IsSpace(c) || !unicode.IsPrint(c) {
			return fmt.Errorf("%w: %s id %q: character %q not allowed", ErrInvalid, kind, id, c)
		}
	}
	return nil
}

func checkCode(kind, code string, required bool) error {
	if (required && code == "") || len(code) > MaxCodeLen {
		return fmt.Errorf("%w: %s %q: want 1 to %d characters", ErrInvalid, kind, code, MaxCodeLen)
	}
	for _, c := range code {
		if !unicode.IsPrint(c) {
			return fmt.Errorf("%w: %s %q: character %q not allowed", ErrInvalid, kind, code, c)
		}
	}
	return nil
}

// reply is a decoded script reply.
type reply struct {
	ok     bool
	kind   string // on failure: notfound, state, lease, noagent, stale
	state  State
	detail string
	items  []any
}

func (r *Registry) exec(ctx context.Context, campaign, agentID, op string, now time.Time, args ...any) (reply, error) {
	keys, pfx := r.keys(campaign, agentID)
	argv := append([]any{op, pfx, ms(now)}, args...)
	res, err := poolScript.Run(ctx, r.rdb, keys, argv...).Slice()
	if err != nil {
		return reply{}, fmt.Errorf("agents: %s: %w", op, err)
	}
	if len(res) == 0 {
		return reply{}, fmt.Errorf("agents: %s: empty reply", op)
	}
	if s, _ := res[0].(string); s == "OK" {
		return reply{ok: true, items: res[1:]}, nil
	}
	if len(res) < 4 {
		return reply{}, fmt.Errorf("agents: %s: malformed reply %v", op, res)
	}
	kind, _ := res[1].(string)
	st, _ := res[2].(string)
	detail, _ := res[3].(string)
	return reply{kind: kind, state: State(st), detail: detail}, nil
}

// listFields are the record fields List reads, in order.
var listFields = []any{"id", "campaign", "station", "state", "since", "idle", "reason",
	"pending", "attempt", "lease", "calls", "disposition"}

// decodeAgent decodes a record as HGETALL returns it.
func decodeAgent(v any) (Agent, error) {
	flat, ok := v.([]any)
	if !ok || len(flat)%2 != 0 {
		return Agent{}, fmt.Errorf("agents: malformed record %v", v)
	}
	var a Agent
	for i := 0; i < len(flat); i += 2 {
		k, _ := flat[i].(string)
		val, _ := flat[i+1].(string)
		a.set(k, val)
	}
	return a, nil
}

// decodeFields decodes a record as HMGET listFields returns it.
func decodeFields(v any) (Agent, error) {
	vals, ok := v.([]any)
	if !ok || len(vals) != len(listFields) {
		return Agent{}, fmt.Errorf("agents: malformed record %v", v)
	}
	var a Agent
	for i, f := range listFields {
		val, _ := vals[i].(string) // nil for a missing field
		a.set(f.(string), val)
	}
	return a, nil
}

func (a *Agent) set(k, val string) {
	switch k {
	case "id":
		a.ID = val
	case "campaign":
		a.Campaign = val
	case "station":
		a.Station = val
	case "state":
		a.State = State(val)
	case "since":
		a.Since = fromMS(val)
	case "idle":
		a.IdleSince = fromMS(val)
	case "reason":
		a.PauseReason = val
	case "pending":
		a.PendingPause = val
	case "attempt":
		a.AttemptID = val
	case "lease":
		a.LeaseUntil = fromMS(val)
	case "calls":
		a.Calls, _ = strconv.Atoi(val)
	case "disposition":
		a.Disposition = val
	}
}

func (rp reply) agent() (Agent, error) {
	if len(rp.items) == 0 {
		return Agent{}, errors.New("agents: reply without record")
	}
	return decodeAgent(rp.items[0])
}

// refusal turns a failed reply into an error.
func refusal(op, agentID string, rp reply) error {
	switch rp.kind {
	case "notfound":
		return fmt.Errorf("agents: %s agent %s: %w", op, agentID, ErrNotFound)
	case "noagent":
		return ErrNoAgent
	case "lease":
		d := rp.detail
		if d != "" && d != "lease expired" {
			d = "attempt " + d
		}
		return &TransitionError{Op: op, AgentID: agentID, State: rp.state, Detail: d, Err: ErrLeaseLost}
	default:
		return &TransitionError{Op: op, AgentID: agentID, State: rp.state, Detail: rp.detail, Err: ErrInvalidTransition}
	}
}

// home reads the agent's home key: its fencing token and campaign.
func (r *Registry) readHome(ctx context.Context, agentID string) (raw string, token int64, campaign string, err error) {
	raw, err = r.rdb.Get(ctx, r.homeKey(agentID)).Result()
	if errors.Is(err, redis.Nil) {
		return "", 0, "", nil
	}
	if err != nil {
		return "", 0, "", fmt.Errorf("agents: home of %s: %w", agentID, err)
	}
	t, c, ok := strings.Cut(raw, "|")
	token, perr := strconv.ParseInt(t, 10, 64)
	if !ok || perr != nil {
		return "", 0, "", fmt.Errorf("agents: home of %s: malformed %q", agentID, raw)
	}
	return raw, token, c, nil
}

func (r *Registry) casHome(ctx context.Context, agentID, old string, token int64, campaign string) (bool, error) {
	n, err := casScript.Run(ctx, r.rdb, []string{r.homeKey(agentID)}, old, strconv.FormatInt(token, 10)+"|"+campaign).Int()
	if err != nil {
		return false, fmt.Errorf("agents: home of %s: %w", agentID, err)
	}
	return n == 1, nil
}

// loginTries bounds the retries of Login when concurrent logins of the same
// agent race for its home key.
const loginTries = 8

// Login starts a session of an offline agent (or one never seen) in
// campaign at station: the agent becomes paused with reason "login". An
// offline agent may log in to another campaign than before. An agent logged
// in anywhere (this campaign or another) is refused with
// ErrInvalidTransition.
func (r *Registry) Login(ctx context.Context, agentID, campaign, station string, now time.Time) (Agent, error) {
	if err := checkID("agent", agentID); err != nil {
		return Agent{}, err
	}
	if err := checkID("campaign", campaign); err != nil {
		return Agent{}, err
	}
	if len(station) > 256 {
		return Agent{}, fmt.Errorf("%w: station: longer than 256 characters", ErrInvalid)
	}
	for range loginTries {
		raw, token, home, err := r.readHome(ctx, agentID)
		if err != nil {
			return Agent{}, err
		}
		switch {
		case raw == "":
			token = 1
			ok, err := r.casHome(ctx, agentID, "", token, campaign)
			if err != nil {
				return Agent{}, err
			}
			if !ok {
				continue
			}
		case home != campaign:
			// Fence the old pool with the next token, then move the home.
			token++
			rp, err := r.exec(ctx, home, agentID, "fence", now, agentID, token)
			if err != nil {
				return Agent{}, err
			}
			if !rp.ok {
				rp.detail = "logged in to campaign " + home
				return Agent{}, refusal("log in", agentID, rp)
			}
			ok, err := r.casHome(ctx, agentID, raw, token, campaign)
			if err != nil {
				return Agent{}, err
			}
			if !ok {
				continue
			}
		}
		rp, err := r.exec(ctx, campaign, agentID, "login", now, agentID, campaign, station, token)
		if err != nil {
			return Agent{}, err
		}
		if !rp.ok {
			if rp.kind != "stale" {
				return Agent{}, refusal("log in", agentID, rp)
			}
			// A move away from this campaign fenced the record after we read
			// the home key. If the home still holds our token, that move did
			// not finish (or has not yet): raise the home's token to the
			// fence, which makes that move's compare-and-set fail, and retry.
			fence, _ := strconv.ParseInt(rp.detail, 10, 64)
			cur := strconv.FormatInt(token, 10) + "|" + campaign
			if _, err := r.casHome(ctx, agentID, cur, fence, campaign); err != nil {
				return Agent{}, err
			}
			continue
		}
		a, err := rp.agent()
		if err != nil {
			return Agent{}, err
		}
		r.home.Store(agentID, campaign)
		r.log.Debug("agent logged in", "agent", agentID, "campaign", campaign)
		return a, nil
	}
	return Agent{}, &TransitionError{Op: "log in", AgentID: agentID, State: StateOffline,
		Detail: "concurrent logins of the same agent", Err: ErrInvalidTransition}
}

// campaignOf returns the agent's campaign, from the cache when it has one.
func (r *Registry) campaignOf(ctx context.Context, agentID string) (campaign string, cached bool, err error) {
	if v, ok := r.home.Load(agentID); ok {
		return v.(string), true, nil
	}
	_, _, c, err := r.readHome(ctx, agentID)
	if err != nil {
		return "", false, err
	}
	if c == "" {
		return "", false, fmt.Errorf("agents: agent %s: %w", agentID, ErrNotFound)
	}
	r.home.Store(agentID, c)
	return c, false, nil
}

// absent reports whether the reply says the agent is not logged in to the
// pool (no record, offline).
func absent(rp reply) bool {
	if !rp.ok {
		return rp.kind == "notfound" || rp.state == StateOffline
	}
	a, err := rp.agent()
	return err == nil && a.State == StateOffline
}

// agentOp runs op on the agent's record in its pool.
func (r *Registry) agentOp(ctx context.Context, verb, op, agentID string, now time.Time, args ...any) (Agent, error) {
	if err := checkID("agent", agentID); err != nil {
		return Agent{}, err
	}
	campaign, cached, err := r.campaignOf(ctx, agentID)
	if err != nil {
		return Agent{}, err
	}
	rp, err := r.exec(ctx, campaign, agentID, op, now, args...)
	if err != nil {
		return Agent{}, err
	}
	if cached && absent(rp) {
		// The agent may have moved to another campaign since we cached it.
		_, _, fresh, err := r.readHome(ctx, agentID)
		if err != nil {
			return Agent{}, err
		}
		if fresh != "" && fresh != campaign {
			r.home.Store(agentID, fresh)
			campaign = fresh
			if rp, err = r.exec(ctx, campaign, agentID, op, now, args...); err != nil {
				return Agent{}, err
			}
		}
	}
	if !rp.ok {
		return Agent{}, refusal(verb, agentID, rp)
	}
	a, err := rp.agent()
	if err != nil {
		return Agent{}, err
	}
	if a.Campaign == "" {
		a.Campaign = campaign
	}
	if op != "get" {
		r.log.Debug("agent "+verb, "agent", agentID, "campaign", a.Campaign, "state", a.State)
	}
	return a, nil
}

// Get returns the agent (ErrNotFound if it never logged in).
func (r *Registry) Get(ctx context.Context, agentID string) (Agent, error) {
	return r.agentOp(ctx, "get", "get", agentID, time.Time{})
}

// Ready makes a paused agent ready (idle since now). On a ready agent it
// changes nothing; on a reserved, talking or wrap-up agent it cancels a
// pending pause (and is refused when there is none).
func (r *Registry) Ready(ctx context.Context, agentID string, now time.Time) (Agent, error) {
	return r.agentOp(ctx, "make ready", "ready", agentID, now)
}

// Pause pauses a ready or paused agent with reason (empty: "pause"); for a
// reserved, talking or wrap-up agent it records a pending pause, applied
// when the call or its wrap-up ends.
func (r *Registry) Pause(ctx context.Context, agentID, reason string, now time.Time) (Agent, error) {
	if reason == "" {
		reason = DefaultPauseReason
	}
	if err := checkCode("pause reason", reason, true); err != nil {
		return Agent{}, err
	}
	return r.agentOp(ctx, "pause", "pause", agentID, now, reason)
}

// Logout ends the session of a ready, paused or wrap-up agent. A reserved
// or talking agent is refused (ErrInvalidTransition).
func (r *Registry) Logout(ctx context.Context, agentID string, now time.Time) (Agent, error) {
	return r.agentOp(ctx, "log out", "logout", agentID, now)
}

// Reserve takes the longest-idle ready agent of the campaign and marks it
// reserved for attemptID until now+lease. ErrNoAgent if none is ready.
// Lapsed reservations of the campaign go back to ready first. Calling
// Reserve again for an attempt that still holds a reservation returns the
// same agent (a retry after a lost reply reserves no second agent).
func (r *Registry) Reserve(ctx context.Context, campaign, attemptID string, lease time.Duration, now time.Time) (Agent, error) {
	if err := checkID("campaign", campaign); err != nil {
		return Agent{}, err
	}
	if err := checkID("attempt", attemptID); err != nil {
		return Agent{}, err
	}
	if lease < time.Millisecond {
		return Agent{}, fmt.Errorf("%w: lease %v: want at least 1ms", ErrInvalid, lease)
	}
	rp, err := r.exec(ctx, campaign, "", "reserve", now, attemptID, ms(now.Add(lease)), r.expireLimit)
	if err != nil {
		return Agent{}, err
	}
	if !rp.ok {
		if rp.kind == "noagent" {
			return Agent{}, fmt.Errorf("agents: reserve in campaign %s: %w", campaign, ErrNoAgent)
		}
		return Agent{}, refusal("reserve", "", rp)
	}
	a, err := rp.agent()
	if err != nil {
		return Agent{}, err
	}
	r.home.Store(a.ID, campaign)
	return a, nil
}

// ReserveAgent reserves this agent, which must be ready, for attemptID
// until now+lease: preview dialing, where the agent asked for its next lead
// and gets that lead's call. ErrInvalidTransition when it is not ready.
func (r *Registry) ReserveAgent(ctx context.Context, agentID, attemptID string, lease time.Duration, now time.Time) (Agent, error) {
	if err := checkID("attempt", attemptID); err != nil {
		return Agent{}, err
	}
	if lease < time.Millisecond {
		return Agent{}, fmt.Errorf("%w: lease %v: want at least 1ms", ErrInvalid, lease)
	}
	return r.agentOp(ctx, "reserve", "hold", agentID, now, attemptID, ms(now.Add(lease)))
}

// Connect moves the agent reserved for attemptID to talking. ErrLeaseLost
// when it is not reserved for that attempt or its lease has lapsed (then it
// goes back to ready here).
func (r *Registry) Connect(ctx context.Context, agentID, attemptID string, now time.Time) (Agent, error) {
	if err := checkID("attempt", attemptID); err != nil {
		return Agent{}, err
	}
	return r.agentOp(ctx, "connect", "connect", agentID, now, attemptID)
}

// Release gives back an agent reserved for attemptID and not connected: it
// becomes ready with its idle-since unchanged (so it keeps its place), or
// paused if a pause is pending. ErrLeaseLost when it is not reserved for
// that attempt.
func (r *Registry) Release(ctx context.Context, agentID, attemptID string, now time.Time) (Agent, error) {
	if err := checkID("attempt", attemptID); err != nil {
		return Agent{}, err
	}
	return r.agentOp(ctx, "release", "release", agentID, now, attemptID)
}

// EndCall moves an agent talking on attemptID to wrap-up. Repeating it for
// the same attempt changes nothing. ErrLeaseLost when the agent talks on
// another attempt; ErrInvalidTransition when it is not talking.
func (r *Registry) EndCall(ctx context.Context, agentID, attemptID string, now time.Time) (Agent, error) {
	if err := checkID("attempt", attemptID); err != nil {
		return Agent{}, err
	}
	return r.agentOp(ctx, "end call of", "endcall", agentID, now, attemptID)
}

// Disposition records the agent's code for the call and ends its wrap-up:
// the agent becomes ready (idle since now), or paused if a pause is
// pending. It returns the agent as it was before, with the call's
// AttemptID. code is required (1 to MaxCodeLen printable characters).
func (r *Registry) Disposition(ctx context.Context, agentID, code string, now time.Time) (Agent, error) {
	if err := checkCode("disposition code", code, true); err != nil {
		return Agent{}, err
	}
	return r.agentOp(ctx, "record disposition of", "disposition", agentID, now, code)
}

// ExpireReservations sends every reserved agent of the campaign whose lease
// has lapsed back to ready (or paused if a pause is pending). It returns how
// many.
func (r *Registry) ExpireReservations(ctx context.Context, campaign string, now time.Time) (int, error) {
	if err := checkID("campaign", campaign); err != nil {
		return 0, err
	}
	total := 0
	for {
		rp, err := r.exec(ctx, campaign, "", "expire", now, 1000)
		if err != nil {
			return total, err
		}
		n, _ := rp.items[0].(int64)
		total += int(n)
		if n < 1000 {
			return total, nil
		}
	}
}

// ReleaseOrphans is for a new owner after a takeover: the agents of the
// campaign reserved or talking on attempts that are no longer live
// (live(attemptID) == false) go to ready (reserved) or wrap-up (talking).
// Each agent's transition is checked atomically against the attempt it
// was seen with, so an agent that moved on meanwhile is left alone. A nil
// live means no attempt is live. It returns how many agents it moved.
func (r *Registry) ReleaseOrphans(ctx context.Context, campaign string, live func(attemptID string) bool, now time.Time) (int, error) {
	list, err := r.List(ctx, campaign)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range list {
		var op string
		switch a.State {
		case StateReserved:
			op = "release"
		case StateTalking:
			op = "endcall"
		default:
			continue
		}
		if live != nil && live(a.AttemptID) {
			continue
		}
		rp, err := r.exec(ctx, campaign, a.ID, op, now, a.AttemptID)
		if err != nil {
			return n, err
		}
		if rp.ok {
			n++
			r.log.Info("released orphaned agent", "agent", a.ID, "campaign", campaign, "state", a.State)
		}
	}
	return n, nil
}

// List returns the logged-in (not offline) agents of the campaign, sorted
// by id, in one round trip.
func (r *Registry) List(ctx context.Context, campaign string) ([]Agent, error) {
	if err := checkID("campaign", campaign); err != nil {
		return nil, err
	}
	rp, err := r.exec(ctx, campaign, "", "list", time.Time{}, listFields...)
	if err != nil {
		return nil, err
	}
	out := make([]Agent, 0, len(rp.items))
	for _, it := range rp.items {
		a, err := decodeFields(it)
		if err != nil {
			return nil, err
		}
		if a.ID == "" {
			continue // a member without record: not written by this package
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b Agent) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Counts returns how many agents of the campaign are in each state
// (offline: agents whose last session was in this campaign). Every state is
// present in the map.
func (r *Registry) Counts(ctx context.Context, campaign string) (map[State]int, error) {
	if err := checkID("campaign", campaign); err != nil {
		return nil, err
	}
	rp, err := r.exec(ctx, campaign, "", "counts", time.Time{})
	if err != nil {
		return nil, err
	}
	out := make(map[State]int, len(States))
	for _, s := range States {
		out[s] = 0
	}
	for _, it := range rp.items {
		s, _ := it.(string)
		out[State(s)]++
	}
	return out, nil
}
