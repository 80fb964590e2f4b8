package campaigns

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limits on lead fields.
const (
	MaxPriority   = 1_000_000
	maxExternalID = 256
)

// newLead is a validated lead ready to write.
type newLead struct {
	id, ext, phone, name, prio, tz, data string
}

// rawLead is one input row before validation.
type rawLead struct {
	row                        int
	ext, phone, name, prio, tz string
	data                       map[string]string
	bad                        string // set when the row is already known bad
	priority                   int    // AddLeads: the priority as given
	fromStruct                 bool   // AddLeads: use priority, not prio
}

var safeIDRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// leadID derives a lead's id: from its external id when it has one (the id
// itself when it is short and plain), else from its phone number (hashed:
// ids appear in logs, numbers must not). The same external id, or the same
// number without one, gives the same lead on every import.
func leadID(ext, phone string) string {
	if ext != "" {
		if safeIDRE.MatchString(ext) {
			return "x-" + ext
		}
		h := sha256.Sum256([]byte("ext\x00" + ext))
		return "h-" + hex.EncodeToString(h[:8])
	}
	h := sha256.Sum256([]byte("phone\x00" + phone))
	return "p-" + hex.EncodeToString(h[:8])
}

// validate turns a raw row into a lead or a reason.
func (s *Store) validate(r *rawLead, region string) (newLead, string) {
	if r.bad != "" {
		return newLead{}, r.bad
	}
	var l newLead
	phone, err := NormalizePhone(r.phone, region)
	if err != nil {
		if strings.TrimSpace(r.phone) == "" {
			return l, "phone: missing"
		}
		return l, "phone: " + err.Error()
	}
	l.phone = phone
	l.ext = strings.TrimSpace(r.ext)
	if len(l.ext) > maxExternalID || strings.ContainsAny(l.ext, "\t\r\n") {
		return l, fmt.Sprintf("id: must be at most %d characters on one line", maxExternalID)
	}
	l.name = strings.TrimSpace(r.name)
	prio := r.priority
	if !r.fromStruct {
		p := strings.TrimSpace(r.prio)
		if p != "" {
			n, err := strconv.Atoi(p)
			if err != nil {
				return l, fmt.Sprintf("priority: %q is not a whole number", p)
			}
			prio = n
		}
	}
	if prio < -MaxPriority || prio > MaxPriority {
		return l, fmt.Sprintf("priority: must be between %d and %d", -MaxPriority, MaxPriority)
	}
	l.prio = strconv.Itoa(prio)
	l.tz = strings.TrimSpace(r.tz)
	if l.tz != "" {
		if _, err := s.zone(l.tz); err != nil {
			return l, "timezone: " + err.Error()
		}
	}
	if len(r.data) > 0 {
		b, err := json.Marshal(r.data)
		if err != nil {
			return l, "data: " + err.Error()
		}
		l.data = string(b)
	}
	l.id = leadID(l.ext, l.phone)
	return l, ""
}

// validateAll validates rows on every core, keeping their order.
func (s *Store) validateAll(rows []rawLead, region string) ([]newLead, []RowError) {
	leads := make([]newLead, len(rows))
	reasons := make([]string, len(rows))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(rows)/2000))
	var wg sync.WaitGroup
	chunk := (len(rows) + workers - 1) / max(workers, 1)
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(rows))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				leads[i], reasons[i] = s.validate(&rows[i], region)
			}
		})
	}
	wg.Wait()
	good := leads[:0]
	var bad []RowError
	for i := range rows {
		if reasons[i] != "" {
			bad = append(bad, RowError{Row: rows[i].row, Reason: reasons[i]})
			continue
		}
		good = append(good, leads[i])
	}
	return good, bad
}

// ImportCSV imports leads from CSV into a campaign. The header row is
// required and must have a "phone" column; "id" (external id), "name",
// "priority" (whole number, higher first) and "timezone" (IANA) are
// optional; every other column is kept in the lead's Data. Numbers are
// normalised to E.164 with the campaign's default region. Bad rows are
// reported (RowError.Row counts the header as row 1) and good rows kept. A
// CSV that cannot be read as a whole is an ErrBadCSV and changes nothing.
// Re-importing a lead (same external id, or same number without one)
// updates its phone, name, priority, time zone and data: a pending lead
// keeps its place in time, a dialing, completed or exhausted lead keeps its
// status, and an invalid lead whose number changed becomes pending again.
// ErrNotFound for an unknown campaign.
func (s *Store) ImportCSV(ctx context.Context, campaignID string, r io.Reader, now time.Time) (ImportResult, error) {
	cfg, err := s.GetCampaign(ctx, campaignID)
	if err != nil {
		return ImportResult{}, err
	}
	rows, err := readCSV(r)
	if err != nil {
		return ImportResult{}, err
	}
	good, bad := s.validateAll(rows, cfg.DefaultRegion)
	return s.write(ctx, campaignID, good, bad, now)
}

// AddLeads adds or updates leads by the same rules as ImportCSV; Phone may
// be in national form. Status, Attempts, NextAt and LastOutcome are
// ignored. RowError.Row is the 1-based index in leads.
func (s *Store) AddLeads(ctx context.Context, campaignID string, leads []Lead, now time.Time) (ImportResult, error) {
	cfg, err := s.GetCampaign(ctx, campaignID)
	if err != nil {
		return ImportResult{}, err
	}
	rows := make([]rawLead, len(leads))
	for i, l := range leads {
		rows[i] = rawLead{row: i + 1, ext: l.ExternalID, phone: l.Phone, name: l.Name,
			priority: l.Priority, fromStruct: true, tz: l.TimeZone, data: l.Data}
	}
	good, bad := s.validateAll(rows, cfg.DefaultRegion)
	return s.write(ctx, campaignID, good, bad, now)
}

// readCSV reads the whole CSV before anything is written, so that a file
// that breaks half way changes nothing.
func readCSV(r io.Reader) ([]rawLead, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	// A header line with semicolons and no commas (spreadsheets in locales
	// with a decimal comma) sets the separator.
	if line, _ := br.Peek(4096); len(line) > 0 {
		first := string(line)
		if i := strings.IndexByte(first, '\n'); i >= 0 {
			first = first[:i]
		}
		if !strings.Contains(first, ",") && strings.Contains(first, ";") {
			cr.Comma = ';'
		}
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: empty file: a header row with a phone column is required", ErrBadCSV)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrBadCSV, err)
	}
	cols := make([]string, len(header))
	idx := map[string]int{}
	phoneCol, extCol, nameCol, prioCol, tzCol := -1, -1, -1, -1, -1
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.TrimSpace(h)
		cols[i] = h
		if h == "" {
			continue
		}
		key := strings.ToLower(h)
		if j, dup := idx[key]; dup {
			return nil, fmt.Errorf("%w: header: column %q appears twice (columns %d and %d)", ErrBadCSV, h, j+1, i+1)
		}
		idx[key] = i
		switch key {
		case "phone":
			phoneCol = i
		case "id", "external_id":
			extCol = i
		case "name":
			nameCol = i
		case "priority":
			prioCol = i
		case "timezone", "time_zone":
			tzCol = i
		}
	}
	if phoneCol < 0 {
		return nil, fmt.Errorf("%w: header has no phone column (columns: %s)", ErrBadCSV, strings.Join(cols, ", "))
	}
	get := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return rec[i]
	}
	var rows []rawLead
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: row %d: %w", ErrBadCSV, row, err)
		}
		rl := rawLead{row: row, ext: get(rec, extCol), phone: get(rec, phoneCol), name: get(rec, nameCol),
			prio: get(rec, prioCol), tz: get(rec, tzCol)}
		if len(rec) != len(header) {
			rl.bad = fmt.Sprintf("has %d fields, the header has %d", len(rec), len(header))
		}
		for i, v := range rec {
			if i >= len(cols) || cols[i] == "" || i == phoneCol || i == extCol || i == nameCol || i == prioCol || i == tzCol {
				continue
			}
			if rl.data == nil {
				rl.data = make(map[string]string, len(cols))
			}
			rl.data[cols[i]] = v
		}
		rows = append(rows, rl)
	}
	return rows, nil
}

// write stores validated leads in batches, one script call per batch and
// several calls per round trip.
func (s *Store) write(ctx context.Context, campaignID string, leads []newLead, bad []RowError, now time.Time) (ImportResult, error) {
	res := ImportResult{Rejected: len(bad), Errors: bad}
	if len(leads) == 0 {
		return res, nil
	}
	keys := []string{prefix(campaignID)}
	nowMS := strconv.FormatInt(now.UnixMilli(), 10)
	var batches [][]any
	for lo := 0; lo < len(leads); lo += s.batch {
		hi := min(lo+s.batch, len(leads))
		args := make([]any, 0, 1+7*(hi-lo))
		args = append(args, nowMS)
		for _, l := range leads[lo:hi] {
			args = append(args, l.id, l.ext, l.phone, l.name, l.prio, l.tz, l.data)
		}
		batches = append(batches, args)
	}
	if err := importScript.Load(ctx, s.rdb).Err(); err != nil {
		return res, fmt.Errorf("import %s: %w", campaignID, err)
	}
	const perTrip = 8
	for lo := 0; lo < len(batches); lo += perTrip {
		group := batches[lo:min(lo+perTrip, len(batches))]
		for try := 0; ; try++ {
			cmds := make([]*redis.Cmd, len(group))
			_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				for i, args := range group {
					cmds[i] = importScript.EvalSha(ctx, p, keys, args...)
				}
				return nil
			})
			if err != nil && try == 0 && redis.HasErrorPrefix(err, "NOSCRIPT") {
				// Redis restarted and lost its script cache: no batch of
				// this group ran (EVALSHA fails before running).
				if err := importScript.Load(ctx, s.rdb).Err(); err != nil {
					return res, fmt.Errorf("import %s: %w", campaignID, err)
				}
				continue
			}
			if err != nil {
				return res, fmt.Errorf("import %s: after %d leads: %w", campaignID, res.Imported+res.Updated, err)
			}
			for _, c := range cmds {
				v, err := c.Int64Slice()
				if err != nil || len(v) != 2 {
					return res, fmt.Errorf("import %s: unexpected reply: %v", campaignID, err)
				}
				res.Imported += int(v[0])
				res.Updated += int(v[1])
			}
			break
		}
	}
	s.log.Info("leads imported", "campaign", campaignID, "imported", res.Imported, "updated", res.Updated, "rejected", res.Rejected)
	return res, nil
}
