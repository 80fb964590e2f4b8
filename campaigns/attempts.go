package campaigns

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// StartAttempts atomically takes up to n leads that may lawfully be dialed
// now: pending, due (next-eligible ≤ now), inside the calling hours in the
// lead's time zone (else the campaign's), with attempts < max_attempts;
// highest priority first, then earliest due. Each is marked dialing and
// recorded in flight under a new attempt id ("<campaign>-<seq>") before it
// is returned. Leads outside their calling hours stay queued and cost
// nothing: pending leads are queued per (priority, time zone) and only the
// queues of zones open now are read. ErrFenced when token is stale.
func (s *Store) StartAttempts(ctx context.Context, campaignID string, token int64, now time.Time, n int) ([]Attempt, error) {
	if err := checkID(campaignID); err != nil {
		return nil, err
	}
	p := prefix(campaignID)
	var cfgCmd *redis.StringCmd
	var zonesCmd *redis.StringSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		cfgCmd = pl.Get(ctx, p+":cfg")
		zonesCmd = pl.SMembers(ctx, p+":zones")
		return nil
	})
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("campaign %s: %w", campaignID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("start attempts %s: %w", campaignID, err)
	}
	cfg, err := decodeConfig(campaignID, []byte(cfgCmd.Val()))
	if err != nil {
		return nil, err
	}
	if n < 0 {
		n = 0
	}
	w := cfg.window()
	args := []any{token, now.UnixMilli(), now.UTC().Format(time.RFC3339Nano), n, campaignID}
	for _, z := range zonesCmd.Val() {
		name := z
		if name == "" {
			name = cfg.TimeZone
		}
		loc, err := s.zone(name)
		if err != nil {
			continue
		}
		if w.open(now, loc) {
			args = append(args, z)
		}
	}
	res, err := startScript.Run(ctx, s.rdb, []string{p}, args...).Slice()
	if err != nil {
		return nil, scriptErr(err, "start attempts "+campaignID)
	}
	out := make([]Attempt, 0, len(res))
	for _, r := range res {
		row, _ := r.([]any)
		if len(row) != 3 {
			return nil, fmt.Errorf("start attempts %s: unexpected reply %v", campaignID, r)
		}
		aid, _ := row[0].(string)
		seq, _ := row[1].(int64)
		lead := leadFromPairs(row[2])
		out = append(out, Attempt{
			ID: aid, CampaignID: campaignID, Lead: lead, Number: lead.Phone,
			Seq: int(seq), StartedAt: now,
		})
	}
	return out, nil
}

// InFlight returns the campaign's attempts in flight, oldest first.
func (s *Store) InFlight(ctx context.Context, campaignID string) ([]Attempt, error) {
	if err := checkID(campaignID); err != nil {
		return nil, err
	}
	p := prefix(campaignID)
	m, err := s.rdb.HGetAll(ctx, p+":inflight").Result()
	if err != nil {
		return nil, fmt.Errorf("in flight %s: %w", campaignID, err)
	}
	out := make([]Attempt, 0, len(m))
	cmds := make([]*redis.MapStringStringCmd, 0, len(m))
	_, err = s.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		for aid, v := range m {
			f := strings.Split(v, "\t")
			if len(f) != 5 {
				continue
			}
			seq, _ := strconv.Atoi(f[1])
			started, _ := time.Parse(time.RFC3339Nano, f[3])
			out = append(out, Attempt{ID: aid, CampaignID: campaignID, Lead: Lead{ID: f[0]}, Number: f[4], Seq: seq, StartedAt: started})
			cmds = append(cmds, pl.HGetAll(ctx, p+":l:"+f[0]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("in flight %s: %w", campaignID, err)
	}
	for i, c := range cmds {
		if l := c.Val(); len(l) > 0 {
			out[i].Lead = leadFromMap(l)
		}
	}
	sortAttempts(out)
	return out, nil
}

// outcomeRule is what an outcome does to its lead.
func outcomeRule(o Outcome) (action, delayField string, ok bool) {
	switch o {
	case OutcomeConnected, OutcomeMachineDone, OutcomeMessageLeft:
		return "complete", "", true
	case OutcomeInvalid, OutcomeFax:
		return "invalid", "", true
	case OutcomeBusy:
		return "retry", "busy", true
	case OutcomeNoAnswer:
		return "retry", "no_answer", true
	case OutcomeMachine:
		return "retry", "machine", true
	case OutcomeAbandoned:
		return "retry", "abandoned", true
	case OutcomeRejected, OutcomeCongestion, OutcomeFailed:
		return "retry", "failed", true
	case OutcomeInterrupted, OutcomeCanceled:
		return "requeue", "", true
	}
	return "", "", false
}

func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// FinishAttempt ends an attempt atomically: it appends rec to the attempt
// log, removes the attempt from in flight, moves its lead by the retry rules
// and counts it. Retry rules: connected → completed; invalid, fax → invalid;
// busy, no_answer, machine, abandoned, rejected, congestion, failed →
// pending, eligible at EndedAt + the outcome's retry delay, or exhausted when
// the lead has had max_attempts; interrupted, canceled → pending, eligible
// at EndedAt, the attempt not counted against the lead. Lead, number, seq
// (and StartedAt when zero) come from the in-flight record. A live answer is
// LiveAnswer or Abandoned. ErrNotInFlight when the attempt is not in flight.
func (s *Store) FinishAttempt(ctx context.Context, campaignID string, rec AttemptRecord) error {
	action, delay, ok := outcomeRule(rec.Outcome)
	if !ok {
		return fmt.Errorf("finish attempt %s: outcome %q: %w", rec.AttemptID, rec.Outcome, ErrInvalid)
	}
	if err := checkID(campaignID); err != nil {
		return err
	}
	abandoned := rec.Abandoned || rec.Outcome == OutcomeAbandoned
	live := rec.LiveAnswer || abandoned
	var ended int64
	if !rec.EndedAt.IsZero() {
		ended = rec.EndedAt.UnixMilli()
	}
	args := []any{
		rec.AttemptID, string(rec.Outcome), action, delay, b01(action != "requeue"),
		b01(live), b01(rec.Outcome == OutcomeConnected), b01(abandoned), ended, rfc(rec.StartedAt),
		"agent", rec.AgentID, "outcome", string(rec.Outcome), "cause", rec.Cause,
		"abandoned", b01(abandoned), "live", b01(live), "amd", rec.AMDResult,
		"amd_ms", rec.AMDMillis, "ringing", rfc(rec.RingingAt), "answered", rfc(rec.AnsweredAt),
		"connected", rfc(rec.ConnectedAt), "ended", rfc(rec.EndedAt),
	}
	err := finishScript.Run(ctx, s.rdb, []string{prefix(campaignID)}, args...).Err()
	return scriptErr(err, "finish attempt "+rec.AttemptID)
}

// MarkConnected counts an attempt in flight as connected when its call is
// bridged to an agent, so that the campaign's connected figure moves while
// the conversation goes on; FinishAttempt with outcome connected does not
// count it again. ErrNotInFlight when the attempt is not in flight.
func (s *Store) MarkConnected(ctx context.Context, campaignID, attemptID string) error {
	if err := checkID(campaignID); err != nil {
		return err
	}
	err := connectScript.Run(ctx, s.rdb, []string{prefix(campaignID)}, attemptID).Err()
	return scriptErr(err, "mark connected "+attemptID)
}

// RecoverInFlight is called by a new owner after AcquireLease and before
// dialing: every attempt still in flight (its owner died) is logged as
// interrupted and its lead made eligible again at now, the attempt not
// counted against it. ErrFenced when token is stale.
func (s *Store) RecoverInFlight(ctx context.Context, campaignID string, token int64, now time.Time) ([]Attempt, error) {
	if err := checkID(campaignID); err != nil {
		return nil, err
	}
	res, err := recoverScript.Run(ctx, s.rdb, []string{prefix(campaignID)}, token, now.UnixMilli(), rfc(now)).Slice()
	if err != nil {
		return nil, scriptErr(err, "recover in flight "+campaignID)
	}
	out := make([]Attempt, 0, len(res))
	for _, r := range res {
		row, _ := r.([]any)
		if len(row) != 5 {
			return nil, fmt.Errorf("recover %s: unexpected reply %v", campaignID, r)
		}
		aid, _ := row[0].(string)
		seqS, _ := row[1].(string)
		startS, _ := row[2].(string)
		number, _ := row[3].(string)
		seq, _ := strconv.Atoi(seqS)
		started, _ := time.Parse(time.RFC3339Nano, startS)
		out = append(out, Attempt{ID: aid, CampaignID: campaignID, Lead: leadFromPairs(row[4]), Number: number, Seq: seq, StartedAt: started})
	}
	sortAttempts(out)
	if len(out) > 0 {
		s.log.Info("recovered attempts in flight", "campaign", campaignID, "attempts", len(out))
	}
	return out, nil
}

// AttemptLog reads the attempt log after the stream id after ("" from the
// start), at most count records (100 when count ≤ 0). Each record carries its
// StreamID to continue from.
func (s *Store) AttemptLog(ctx context.Context, campaignID, after string, count int64) ([]AttemptRecord, error) {
	if err := checkID(campaignID); err != nil {
		return nil, err
	}
	if count <= 0 {
		count = 100
	}
	start := "-"
	if after != "" {
		start = "(" + after
	}
	p := prefix(campaignID)
	var ex *redis.IntCmd
	var xr *redis.XMessageSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		ex = pl.Exists(ctx, p+":cfg")
		xr = pl.XRangeN(ctx, p+":attempts", start, "+", count)
		return nil
	})
	if err != nil {
		if strings.Contains(err.Error(), "Invalid stream ID") || strings.Contains(err.Error(), "invalid stream ID") {
			return nil, fmt.Errorf("attempt log: after %q: %w", after, ErrInvalid)
		}
		return nil, fmt.Errorf("attempt log %s: %w", campaignID, err)
	}
	if ex.Val() == 0 {
		return nil, fmt.Errorf("campaign %s: %w", campaignID, ErrNotFound)
	}
	msgs := xr.Val()
	out := make([]AttemptRecord, len(msgs))
	for i, m := range msgs {
		out[i] = recordFromStream(m)
	}
	return out, nil
}

func recordFromStream(m redis.XMessage) AttemptRecord {
	str := func(k string) string { v, _ := m.Values[k].(string); return v }
	tm := func(k string) time.Time {
		t, _ := time.Parse(time.RFC3339Nano, str(k))
		return t
	}
	r := AttemptRecord{
		StreamID:    m.ID,
		AttemptID:   str("attempt"),
		LeadID:      str("lead"),
		Number:      str("number"),
		AgentID:     str("agent"),
		Outcome:     Outcome(str("outcome")),
		Cause:       str("cause"),
		Abandoned:   str("abandoned") == "1",
		LiveAnswer:  str("live") == "1",
		AMDResult:   str("amd"),
		StartedAt:   tm("started"),
		RingingAt:   tm("ringing"),
		AnsweredAt:  tm("answered"),
		ConnectedAt: tm("connected"),
		EndedAt:     tm("ended"),
	}
	r.Seq, _ = strconv.Atoi(str("seq"))
	r.AMDMillis, _ = strconv.ParseInt(str("amd_ms"), 10, 64)
	return r
}
