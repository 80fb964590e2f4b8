package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Store keeps campaigns, their leads, attempts and counters in Redis. It is
// safe for concurrent use by many goroutines and many processes: every
// change that touches more than one key is one Lua script.
type Store struct {
	rdb   redis.UniversalClient
	log   *slog.Logger
	batch int // leads per import script call

	zones sync.Map // time zone name -> *time.Location
}

// Option configures a Store.
type Option func(*Store)

// WithLogger sets the logger (nil: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// WithImportBatch sets how many leads one import script writes (default 1000).
func WithImportBatch(n int) Option {
	return func(s *Store) {
		if n > 0 {
			s.batch = n
		}
	}
}

// NewStore returns a Store on rdb.
func NewStore(rdb redis.UniversalClient, opts ...Option) *Store {
	s := &Store{rdb: rdb, batch: 1000}
	for _, o := range opts {
		o(s)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// zone loads an IANA zone, once per Store for valid names (invalid ones are
// not cached: they come from input and would grow the cache without bound).
func (s *Store) zone(name string) (*time.Location, error) {
	if v, ok := s.zones.Load(name); ok {
		return v.(*time.Location), nil
	}
	loc, err := loadZone(name)
	if err != nil {
		return nil, err
	}
	s.zones.Store(name, loc)
	return loc, nil
}

// scriptErr translates the error replies of our scripts into sentinels.
func scriptErr(err error, what string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "NOTFOUND"):
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	case strings.Contains(msg, "FENCED"):
		return fmt.Errorf("%s: %w", what, ErrFenced)
	case strings.Contains(msg, "NOTINFLIGHT"):
		return fmt.Errorf("%s: %w", what, ErrNotInFlight)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func checkID(id string) error {
	if !idRE.MatchString(id) {
		return fmt.Errorf("campaign id %q: %w", id, ErrNotFound)
	}
	return nil
}

// SaveCampaign creates or updates a campaign. It validates (normalising a
// copy) first: an invalid config changes nothing. A new campaign is stopped.
func (s *Store) SaveCampaign(ctx context.Context, cfg Config) error {
	if err := cfg.Normalize(); err != nil {
		return err
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("save campaign %s: %w", cfg.ID, err)
	}
	ms := func(d Duration) string { return strconv.FormatInt(d.D().Milliseconds(), 10) }
	r := cfg.RetryDelay
	err = saveScript.Run(ctx, s.rdb, []string{prefix(cfg.ID)}, b, cfg.MaxAttempts,
		ms(r.Busy), ms(r.NoAnswer), ms(r.Machine), ms(r.Failed), ms(r.Abandoned)).Err()
	if err != nil {
		return fmt.Errorf("save campaign %s: %w", cfg.ID, err)
	}
	if err := s.rdb.SAdd(ctx, indexKey, cfg.ID).Err(); err != nil {
		return fmt.Errorf("save campaign %s: index: %w", cfg.ID, err)
	}
	return nil
}

// GetCampaign returns a campaign's config, or ErrNotFound.
func (s *Store) GetCampaign(ctx context.Context, id string) (Config, error) {
	if err := checkID(id); err != nil {
		return Config{}, err
	}
	b, err := s.rdb.Get(ctx, prefix(id)+":cfg").Bytes()
	if errors.Is(err, redis.Nil) {
		return Config{}, fmt.Errorf("campaign %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Config{}, fmt.Errorf("campaign %s: %w", id, err)
	}
	return decodeConfig(id, b)
}

func decodeConfig(id string, b []byte) (Config, error) {
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return Config{}, fmt.Errorf("campaign %s: stored config: %w", id, err)
	}
	return c, nil
}

// ListCampaigns returns every campaign, sorted by id.
func (s *Store) ListCampaigns(ctx context.Context) ([]Config, error) {
	ids, err := s.rdb.SMembers(ctx, indexKey).Result()
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	sort.Strings(ids)
	cmds := make([]*redis.StringCmd, len(ids))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.Get(ctx, prefix(id)+":cfg")
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	out := make([]Config, 0, len(ids))
	for i, cmd := range cmds {
		b, err := cmd.Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list campaigns: %w", err)
		}
		c, err := decodeConfig(ids[i], b)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// SetState sets whether the campaign dials. ErrNotFound, ErrInvalid.
func (s *Store) SetState(ctx context.Context, id string, st State) error {
	switch st {
	case StateStopped, StateRunning, StatePaused:
	default:
		return fmt.Errorf("state %q: %w", st, ErrInvalid)
	}
	if err := checkID(id); err != nil {
		return err
	}
	return scriptErr(setStateScript.Run(ctx, s.rdb, []string{prefix(id)}, string(st)).Err(), "set state "+id)
}

// GetState returns the campaign's state (stopped when never set).
func (s *Store) GetState(ctx context.Context, id string) (State, error) {
	if err := checkID(id); err != nil {
		return "", err
	}
	p := prefix(id)
	var ex *redis.IntCmd
	var st *redis.StringCmd
	_, err := s.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		ex = pl.Exists(ctx, p+":cfg")
		st = pl.Get(ctx, p+":state")
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("state %s: %w", id, err)
	}
	if ex.Val() == 0 {
		return "", fmt.Errorf("campaign %s: %w", id, ErrNotFound)
	}
	if v := st.Val(); v != "" {
		return State(v), nil
	}
	return StateStopped, nil
}

// AcquireLease makes owner the campaign's only engine for ttl. ok is false
// when another owner holds an unexpired lease. A new acquisition increments
// the campaign's fencing token; the same owner acquiring again renews its
// lease and keeps its token.
func (s *Store) AcquireLease(ctx context.Context, campaignID, owner string, ttl time.Duration) (token int64, ok bool, err error) {
	if owner == "" || ttl < time.Millisecond {
		return 0, false, fmt.Errorf("lease: owner and a ttl of at least 1ms are required: %w", ErrInvalid)
	}
	if err := checkID(campaignID); err != nil {
		return 0, false, err
	}
	res, err := acquireScript.Run(ctx, s.rdb, []string{prefix(campaignID)}, owner, ttl.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, false, scriptErr(err, "acquire lease "+campaignID)
	}
	return res[0], res[1] == 1, nil
}

// RenewLease extends owner's lease; false when it was lost (another owner
// took it). A lease that lapsed without anyone taking it is taken back.
func (s *Store) RenewLease(ctx context.Context, campaignID, owner string, token int64, ttl time.Duration) (bool, error) {
	if ttl < time.Millisecond {
		return false, fmt.Errorf("lease: ttl of at least 1ms required: %w", ErrInvalid)
	}
	n, err := renewScript.Run(ctx, s.rdb, []string{prefix(campaignID)}, owner, token, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("renew lease %s: %w", campaignID, err)
	}
	return n == 1, nil
}

// ReleaseLease gives the lease up if owner still holds it with token, so
// another instance can take over at once. Releasing a lost lease is a no-op.
func (s *Store) ReleaseLease(ctx context.Context, campaignID, owner string, token int64) error {
	if err := releaseScript.Run(ctx, s.rdb, []string{prefix(campaignID)}, owner, token).Err(); err != nil {
		return fmt.Errorf("release lease %s: %w", campaignID, err)
	}
	return nil
}

// GetLead returns one lead, or ErrNotFound.
func (s *Store) GetLead(ctx context.Context, campaignID, leadID string) (Lead, error) {
	if err := checkID(campaignID); err != nil {
		return Lead{}, err
	}
	m, err := s.rdb.HGetAll(ctx, prefix(campaignID)+":l:"+leadID).Result()
	if err != nil {
		return Lead{}, fmt.Errorf("lead %s: %w", leadID, err)
	}
	if len(m) == 0 {
		return Lead{}, fmt.Errorf("lead %s in campaign %s: %w", leadID, campaignID, ErrNotFound)
	}
	return leadFromMap(m), nil
}

func leadFromMap(m map[string]string) Lead {
	l := Lead{
		ID:          m["id"],
		ExternalID:  m["ext"],
		Phone:       m["phone"],
		Name:        m["name"],
		TimeZone:    m["tz"],
		Status:      LeadStatus(m["status"]),
		LastOutcome: Outcome(m["last"]),
	}
	l.Priority, _ = strconv.Atoi(m["prio"])
	l.Attempts, _ = strconv.Atoi(m["attempts"])
	if ms, err := strconv.ParseInt(m["next"], 10, 64); err == nil && l.Status == LeadPending {
		l.NextAt = time.UnixMilli(ms).UTC()
	}
	if d := m["data"]; d != "" {
		_ = json.Unmarshal([]byte(d), &l.Data)
	}
	return l
}

// leadFromPairs reads a lead from an HGETALL reply inside a script reply.
func leadFromPairs(v any) Lead {
	arr, _ := v.([]any)
	m := make(map[string]string, len(arr)/2)
	for i := 0; i+1 < len(arr); i += 2 {
		k, _ := arr[i].(string)
		val, _ := arr[i+1].(string)
		m[k] = val
	}
	return leadFromMap(m)
}

// Stats returns the campaign's totals, its leads by status and the number
// of attempts in flight.
func (s *Store) Stats(ctx context.Context, campaignID string) (Stats, error) {
	if err := checkID(campaignID); err != nil {
		return Stats{}, err
	}
	p := prefix(campaignID)
	var ex, inflight *redis.IntCmd
	var counts, totals *redis.MapStringStringCmd
	_, err := s.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		ex = pl.Exists(ctx, p+":cfg")
		counts = pl.HGetAll(ctx, p+":counts")
		totals = pl.HGetAll(ctx, p+":totals")
		inflight = pl.HLen(ctx, p+":inflight")
		return nil
	})
	if err != nil {
		return Stats{}, fmt.Errorf("stats %s: %w", campaignID, err)
	}
	if ex.Val() == 0 {
		return Stats{}, fmt.Errorf("campaign %s: %w", campaignID, ErrNotFound)
	}
	num := func(m map[string]string, k string) int64 {
		n, _ := strconv.ParseInt(m[k], 10, 64)
		return n
	}
	t := totals.Val()
	st := Stats{
		Attempts:    num(t, "attempts"),
		LiveAnswers: num(t, "live"),
		Connected:   num(t, "connected"),
		Abandoned:   num(t, "abandoned"),
		InFlight:    inflight.Val(),
		Leads:       make(map[LeadStatus]int64, len(LeadStatuses)),
	}
	if st.LiveAnswers > 0 {
		st.AbandonRate = float64(st.Abandoned) / float64(st.LiveAnswers)
	}
	c := counts.Val()
	for _, ls := range LeadStatuses {
		st.Leads[ls] = num(c, string(ls))
	}
	return st, nil
}

// AbandonWindow returns the live answers and abandoned calls that ended in
// the window before now. Windows up to 24 h are counted in minute buckets,
// longer ones (up to 35 days) in hour buckets; the oldest bucket is counted
// whole, so the window may reach up to one bucket further back.
func (s *Store) AbandonWindow(ctx context.Context, campaignID string, now time.Time, window time.Duration) (liveAnswers, abandoned int64, err error) {
	if window <= 0 || window > 35*24*time.Hour {
		return 0, 0, fmt.Errorf("abandon window %s: must be more than 0 and at most 35 days: %w", window, ErrInvalid)
	}
	if err := checkID(campaignID); err != nil {
		return 0, 0, err
	}
	kind, unit := "awm", time.Minute
	if window > 24*time.Hour {
		kind, unit = "awh", time.Hour
	}
	last := now.UnixMilli() / unit.Milliseconds()
	first := now.Add(-window).UnixMilli() / unit.Milliseconds()
	res, err := windowScript.Run(ctx, s.rdb, []string{prefix(campaignID)}, kind, first, last).Int64Slice()
	if err != nil {
		return 0, 0, fmt.Errorf("abandon window %s: %w", campaignID, err)
	}
	return res[0], res[1], nil
}

// RecordDisposition appends an agent's disposition of an attempt to the
// campaign's dispositions stream.
func (s *Store) RecordDisposition(ctx context.Context, campaignID, attemptID, agentID, code string, now time.Time) error {
	if strings.TrimSpace(code) == "" {
		return fmt.Errorf("disposition: code is required: %w", ErrInvalid)
	}
	if err := checkID(campaignID); err != nil {
		return err
	}
	err := dispositionScript.Run(ctx, s.rdb, []string{prefix(campaignID)},
		"attempt", attemptID, "agent", agentID, "code", code, "at", now.UTC().Format(time.RFC3339Nano)).Err()
	return scriptErr(err, "disposition "+campaignID)
}

// sortAttempts orders attempts by start time, then id.
func sortAttempts(as []Attempt) {
	slices.SortFunc(as, func(a, b Attempt) int {
		if c := a.StartedAt.Compare(b.StartedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
