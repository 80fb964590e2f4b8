package campaigns

import (
	"log/slog"
	"time"
)

// LeadStatus is where a lead is in its life.
type LeadStatus string

// Lead statuses. A lead is pending until it is dialed; it returns to pending
// for a retry, and ends completed (connected to an agent), exhausted (out of
// attempts) or invalid (the number does not work).
const (
	LeadPending   LeadStatus = "pending"
	LeadDialing   LeadStatus = "dialing"
	LeadCompleted LeadStatus = "completed"
	LeadExhausted LeadStatus = "exhausted"
	LeadInvalid   LeadStatus = "invalid"
)

// LeadStatuses lists every status, in life order.
var LeadStatuses = []LeadStatus{LeadPending, LeadDialing, LeadCompleted, LeadExhausted, LeadInvalid}

// Lead is a person to call, with what the agent's screen shows.
type Lead struct {
	ID          string            `json:"id"`
	ExternalID  string            `json:"external_id,omitempty"`
	Phone       string            `json:"phone"` // E.164
	Name        string            `json:"name,omitempty"`
	Priority    int               `json:"priority"`
	TimeZone    string            `json:"time_zone,omitempty"` // IANA; empty: the campaign's
	Data        map[string]string `json:"data,omitempty"`
	Status      LeadStatus        `json:"status"`
	Attempts    int               `json:"attempts"`
	NextAt      time.Time         `json:"next_at,omitzero"` // when a pending lead is next eligible; zero otherwise
	LastOutcome Outcome           `json:"last_outcome,omitempty"`
}

// LogValue logs a lead without its whole phone number, name or data.
func (l Lead) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", l.ID),
		slog.Any("phone", Phone(l.Phone)),
		slog.String("status", string(l.Status)),
		slog.Int("attempts", l.Attempts),
	)
}

// RowError is one rejected row of an import.
type RowError struct {
	// Row is the row as a spreadsheet shows it: the header is row 1, the
	// first data row is row 2. For AddLeads it is the 1-based index.
	Row    int    `json:"row"`
	Reason string `json:"reason"`
}

// ImportResult counts what an import did.
type ImportResult struct {
	Imported int        `json:"imported"` // new leads
	Updated  int        `json:"updated"`  // leads already there, updated
	Rejected int        `json:"rejected"` // bad rows, not imported
	Errors   []RowError `json:"errors,omitempty"`
}

// State is whether a campaign's engine loop dials.
type State string

// Campaign states; a new campaign is stopped.
const (
	StateStopped State = "stopped"
	StateRunning State = "running"
	StatePaused  State = "paused"
)

// Outcome is how an attempt ended.
type Outcome string

// Attempt outcomes.
const (
	OutcomeConnected   Outcome = "connected"    // live person connected to an agent
	OutcomeBusy        Outcome = "busy"         //
	OutcomeNoAnswer    Outcome = "no_answer"    // includes ring timeout
	OutcomeMachine     Outcome = "machine"      // answering machine; retried
	OutcomeMachineDone Outcome = "machine_done" // answering machine; not to be called again (amd.on_machine: hangup)
	OutcomeMessageLeft Outcome = "message_left" // answering machine; message left after the beep
	OutcomeFax         Outcome = "fax"          //
	OutcomeInvalid     Outcome = "invalid"      // number does not exist
	OutcomeAbandoned   Outcome = "abandoned"    // live person, no agent in time
	OutcomeRejected    Outcome = "rejected"     //
	OutcomeCongestion  Outcome = "congestion"   // network or trunk
	OutcomeFailed      Outcome = "failed"       // anything else
	OutcomeInterrupted Outcome = "interrupted"  // its owner died; recovered
	OutcomeCanceled    Outcome = "canceled"     // stopped by us before it ended
)

// Attempt is one call to one lead, handed out by StartAttempts.
type Attempt struct {
	ID         string    `json:"id"`
	CampaignID string    `json:"campaign_id"`
	Lead       Lead      `json:"lead"`
	Number     string    `json:"number"` // E.164, the lead's phone when the attempt started
	Seq        int       `json:"seq"`    // attempt number for this lead, 1-based
	StartedAt  time.Time `json:"started_at"`
}

// AttemptRecord is an ended attempt, as the attempt log keeps it.
type AttemptRecord struct {
	// StreamID is the record's id in the attempt log (set by AttemptLog).
	StreamID    string    `json:"stream_id,omitempty"`
	AttemptID   string    `json:"attempt_id"`
	LeadID      string    `json:"lead_id"`
	Number      string    `json:"number"`
	Seq         int       `json:"seq"`
	AgentID     string    `json:"agent_id,omitempty"`
	Outcome     Outcome   `json:"outcome"`
	Cause       string    `json:"cause,omitempty"`
	Abandoned   bool      `json:"abandoned"`
	LiveAnswer  bool      `json:"live_answer"`
	AMDResult   string    `json:"amd_result,omitempty"`
	AMDMillis   int64     `json:"amd_millis,omitempty"`
	StartedAt   time.Time `json:"started_at,omitzero"`
	RingingAt   time.Time `json:"ringing_at,omitzero"`
	AnsweredAt  time.Time `json:"answered_at,omitzero"`
	ConnectedAt time.Time `json:"connected_at,omitzero"`
	EndedAt     time.Time `json:"ended_at,omitzero"`
}

// Stats are a campaign's totals since it was created.
type Stats struct {
	Attempts    int64                `json:"attempts"` // counted attempts (not interrupted or canceled)
	LiveAnswers int64                `json:"live_answers"`
	Connected   int64                `json:"connected"`
	Abandoned   int64                `json:"abandoned"`
	AbandonRate float64              `json:"abandon_rate"` // Abandoned / LiveAnswers, all time
	Leads       map[LeadStatus]int64 `json:"leads"`
	InFlight    int64                `json:"in_flight"`
}
