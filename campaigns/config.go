package campaigns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Mode is a dial mode.
type Mode string

// Dial modes. All four are accepted in a config; the engine refuses to run a
// mode it does not implement yet.
const (
	ModeProgressive Mode = "progressive"
	ModePower       Mode = "power"
	ModePredictive  Mode = "predictive"
	ModePreview     Mode = "preview"
)

var modes = []Mode{ModeProgressive, ModePower, ModePredictive, ModePreview}

// Duration is a time.Duration written as a Go duration string ("25s",
// "1h30m") in YAML and JSON. Numbers are refused: "25" could mean seconds or
// nanoseconds.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration string. Its errors are
// *json.UnmarshalTypeError so that the decoder names the field.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: string(b) + ` (want a duration string like "25s")`, Type: reflect.TypeFor[Duration]()}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: strconv.Quote(s) + ` (want a duration string like "25s")`, Type: reflect.TypeFor[Duration]()}
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes d as a duration string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads a duration string; its error says the line.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return fmt.Errorf("line %d: %q is not a duration: want a string like \"25s\"", n.Line, n.Value)
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration: want a string like \"25s\"", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// RetryDelays is how long a lead waits before its next attempt, by the
// outcome of the last one. Failed covers failed, congestion and rejected.
type RetryDelays struct {
	Busy      Duration `json:"busy" yaml:"busy"`
	NoAnswer  Duration `json:"no_answer" yaml:"no_answer"`
	Machine   Duration `json:"machine" yaml:"machine"`
	Failed    Duration `json:"failed" yaml:"failed"`
	Abandoned Duration `json:"abandoned" yaml:"abandoned"`
}

// Hours are the daily calling hours, in the called person's local time:
// [Start, End) on the listed Days. Start and End are "HH:MM" (End may be
// "24:00"); Days are "mon".."sun".
type Hours struct {
	Start string   `json:"start" yaml:"start"`
	End   string   `json:"end" yaml:"end"`
	Days  []string `json:"days,omitempty" yaml:"days,omitempty"`
}

// AMDPolicy says whether answering-machine detection runs and what to do on
// a machine.
type AMDPolicy struct {
	Enabled bool `json:"enabled" yaml:"enabled"`
	// OnMachine is what to do when the AMD hears a machine: "retry" (the
	// default: hang up, call again after retry_delay.machine), "hangup"
	// (hang up and call the lead no more), or "message" (wait for the
	// beep, play Message, and close the lead; without a beep, retry).
	OnMachine string `json:"on_machine" yaml:"on_machine"`
	Message   string `json:"message,omitempty" yaml:"message,omitempty"`
	// Settings are passed as they are to the amd package, which decodes them.
	Settings map[string]any `json:"settings,omitempty" yaml:"settings,omitempty"`
}

// AMD actions on a machine.
const (
	OnMachineHangup  = "hangup"
	OnMachineMessage = "message"
	OnMachineRetry   = "retry"
)

// Config is a campaign as the supervisor configured it. Decode it with
// ParseYAML or ParseJSON, or decode it yourself and call Normalize.
type Config struct {
	ID             string      `json:"id" yaml:"id"`
	Name           string      `json:"name" yaml:"name"`
	Mode           Mode        `json:"mode" yaml:"mode"`
	PowerRatio     float64     `json:"power_ratio" yaml:"power_ratio"`
	MaxRatio       float64     `json:"max_ratio" yaml:"max_ratio"`
	CallerID       string      `json:"caller_id" yaml:"caller_id"`
	DialString     string      `json:"dial_string,omitempty" yaml:"dial_string,omitempty"`
	Trunk          string      `json:"trunk,omitempty" yaml:"trunk,omitempty"`
	RingTimeout    Duration    `json:"ring_timeout" yaml:"ring_timeout"`
	MaxAttempts    int         `json:"max_attempts" yaml:"max_attempts"`
	RetryDelay     RetryDelays `json:"retry_delay" yaml:"retry_delay"`
	DefaultRegion  string      `json:"default_region" yaml:"default_region"`
	TimeZone       string      `json:"time_zone" yaml:"time_zone"`
	CallingHours   Hours       `json:"calling_hours" yaml:"calling_hours"`
	AbandonTarget  float64     `json:"abandon_target" yaml:"abandon_target"`
	AbandonMessage string      `json:"abandon_message" yaml:"abandon_message"`
	AMD            AMDPolicy   `json:"amd" yaml:"amd"`
}

// Defaults and limits.
const (
	DefaultRingTimeout = 25 * time.Second
	MinRingTimeout     = 15 * time.Second // US TSR/TCPA: 15 s or 4 rings
	MaxRingTimeout     = 120 * time.Second
	DefaultMaxAttempts = 5
	MaxMaxAttempts     = 100
	// MaxAbandonTarget is the legal ceiling (US TSR and UK Ofcom: 3%).
	MaxAbandonTarget     = 0.03
	DefaultAbandonTarget = 0.03
	DefaultAbandonSound  = "dialer-abandon"
	maxRetryDelay        = 365 * 24 * time.Hour
)

// DefaultRetryDelays are used for delays left at zero.
var DefaultRetryDelays = RetryDelays{
	Busy:      Duration(10 * time.Minute),
	NoAnswer:  Duration(time.Hour),
	Machine:   Duration(2 * time.Hour),
	Failed:    Duration(15 * time.Minute),
	Abandoned: Duration(72 * time.Hour), // Ofcom: no repeat call within 72 h of an abandoned one
}

// FieldError is one bad field of a config.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every bad field of a config. It matches ErrInvalid.
type ValidationError struct {
	Fields []FieldError `json:"fields"`
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "campaign: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func (e *ValidationError) add(field, format string, args ...any) {
	e.Fields = append(e.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// decodeError is a config that could not be decoded (syntax, unknown field,
// wrong type). It matches ErrInvalid.
type decodeError struct{ msg string }

func (e *decodeError) Error() string        { return "campaign: " + e.msg }
func (e *decodeError) Is(target error) bool { return target == ErrInvalid }

// ParseYAML decodes one campaign from YAML strictly (unknown fields are
// errors), applies defaults and validates it.
func ParseYAML(data []byte) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return Config{}, &decodeError{"empty document"}
		}
		return Config{}, &decodeError{err.Error()}
	}
	if err := c.Normalize(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// ParseJSON decodes one campaign from JSON strictly (unknown fields and
// trailing data are errors), applies defaults and validates it.
func ParseJSON(data []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Config{}, &ValidationError{Fields: []FieldError{{Field: te.Field, Message: "cannot use " + te.Value}}}
		}
		if errors.Is(err, io.EOF) {
			return Config{}, &decodeError{"empty JSON body"}
		}
		return Config{}, &decodeError{err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Config{}, &decodeError{"json: unexpected data after the campaign object"}
	}
	if err := c.Normalize(); err != nil {
		return Config{}, err
	}
	return c, nil
}

var (
	idRE    = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)
	clockRE = regexp.MustCompile(`^([01][0-9]|2[0-4]):([0-5][0-9])$`)
)

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

var dayAbbr = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Normalize applies defaults, normalises values (caller ID to E.164, region
// to upper case, day names to "mon".."sun") and validates every field. On
// error c is left unchanged and the error is a *ValidationError naming
// every bad field.
func (c *Config) Normalize() error {
	n := *c
	var v ValidationError

	n.ID = strings.TrimSpace(n.ID)
	if !idRE.MatchString(n.ID) {
		if n.ID == "" {
			v.add("id", "is required")
		} else {
			v.add("id", "%q must be 1 to 64 of a-z, 0-9, _ and -", n.ID)
		}
	}
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		v.add("name", "is required")
	}
	if n.Mode == "" {
		n.Mode = ModeProgressive
	}
	if !slices.Contains(modes, n.Mode) {
		v.add("mode", "%q is not a dial mode (progressive, power, predictive, preview)", n.Mode)
	}
	if n.PowerRatio == 0 {
		n.PowerRatio = 1
	}
	if !(n.PowerRatio >= 1 && n.PowerRatio <= 10) {
		v.add("power_ratio", "must be between 1 and 10 calls per ready agent, got %v", n.PowerRatio)
	}
	if n.MaxRatio == 0 {
		n.MaxRatio = 3
	}
	if !(n.MaxRatio >= 1 && n.MaxRatio <= 100) {
		v.add("max_ratio", "must be between 1 and 100, got %v", n.MaxRatio)
	}

	n.DefaultRegion = strings.ToUpper(strings.TrimSpace(n.DefaultRegion))
	if n.DefaultRegion == "" {
		n.DefaultRegion = "US"
	}
	regionOK := supportedRegion(n.DefaultRegion)
	if !regionOK {
		v.add("default_region", "%q is not a supported ISO 3166 alpha-2 region", n.DefaultRegion)
	}
	if strings.TrimSpace(n.CallerID) == "" {
		v.add("caller_id", "is required")
	} else if regionOK {
		e164, err := NormalizePhone(n.CallerID, n.DefaultRegion)
		if err != nil {
			v.add("caller_id", "%s", err)
		} else {
			n.CallerID = e164
		}
	}
	n.DialString = strings.TrimSpace(n.DialString)
	n.Trunk = strings.TrimSpace(n.Trunk)

	if n.RingTimeout == 0 {
		n.RingTimeout = Duration(DefaultRingTimeout)
	}
	if n.RingTimeout.D() < MinRingTimeout {
		v.add("ring_timeout", "must be at least %s (the law: 15 s or 4 rings), got %s", MinRingTimeout, n.RingTimeout)
	} else if n.RingTimeout.D() > MaxRingTimeout {
		v.add("ring_timeout", "must be at most %s, got %s", MaxRingTimeout, n.RingTimeout)
	}
	if n.MaxAttempts == 0 {
		n.MaxAttempts = DefaultMaxAttempts
	}
	if n.MaxAttempts < 1 || n.MaxAttempts > MaxMaxAttempts {
		v.add("max_attempts", "must be between 1 and %d, got %d", MaxMaxAttempts, n.MaxAttempts)
	}
	delays := []struct {
		name string
		d    *Duration
		def  Duration
	}{
		{"busy", &n.RetryDelay.Busy, DefaultRetryDelays.Busy},
		{"no_answer", &n.RetryDelay.NoAnswer, DefaultRetryDelays.NoAnswer},
		{"machine", &n.RetryDelay.Machine, DefaultRetryDelays.Machine},
		{"failed", &n.RetryDelay.Failed, DefaultRetryDelays.Failed},
		{"abandoned", &n.RetryDelay.Abandoned, DefaultRetryDelays.Abandoned},
	}
	for _, d := range delays {
		if *d.d == 0 {
			*d.d = d.def
		}
		if *d.d < 0 || d.d.D() > maxRetryDelay {
			v.add("retry_delay."+d.name, "must be between 0s and %s, got %s", maxRetryDelay, *d.d)
		}
	}

	n.TimeZone = strings.TrimSpace(n.TimeZone)
	if n.TimeZone == "" {
		n.TimeZone = "UTC"
	}
	if _, err := loadZone(n.TimeZone); err != nil {
		v.add("time_zone", "%s", err)
	}
	n.CallingHours = c.CallingHours
	n.CallingHours.Days = slices.Clone(c.CallingHours.Days)
	validateHours(&n.CallingHours, &v)

	if n.AbandonTarget == 0 {
		n.AbandonTarget = DefaultAbandonTarget
	}
	if !(n.AbandonTarget > 0 && n.AbandonTarget <= MaxAbandonTarget) {
		v.add("abandon_target", "must be more than 0 and at most %v (the legal ceiling), got %v", MaxAbandonTarget, n.AbandonTarget)
	}
	n.AbandonMessage = strings.TrimSpace(n.AbandonMessage)
	if n.AbandonMessage == "" {
		n.AbandonMessage = DefaultAbandonSound
	}
	if n.AMD.OnMachine == "" {
		n.AMD.OnMachine = OnMachineRetry
	}
	switch n.AMD.OnMachine {
	case OnMachineHangup, OnMachineRetry:
	case OnMachineMessage:
		if strings.TrimSpace(n.AMD.Message) == "" {
			v.add("amd.message", "is required when amd.on_machine is %q", OnMachineMessage)
		}
	default:
		v.add("amd.on_machine", "%q is not one of hangup, message, retry", n.AMD.OnMachine)
	}

	if n.AMD.Settings != nil {
		if _, err := json.Marshal(n.AMD.Settings); err != nil {
			v.add("amd.settings", "must be an object with string keys: %v", err)
		}
	}

	if len(v.Fields) > 0 {
		return &v
	}
	*c = n
	return nil
}

func validateHours(h *Hours, v *ValidationError) {
	if h.Start == "" {
		h.Start = "08:00"
	}
	if h.End == "" {
		h.End = "21:00"
	}
	start, okS := parseClock(h.Start)
	if okS && start >= 24*60 {
		okS = false
	}
	if !okS {
		v.add("calling_hours.start", "%q is not a time of day HH:MM", h.Start)
	}
	end, okE := parseClock(h.End)
	if !okE {
		v.add("calling_hours.end", "%q is not a time of day HH:MM (24:00 is the end of the day)", h.End)
	}
	if okS && okE && start >= end {
		v.add("calling_hours", "start %s must be before end %s", h.Start, h.End)
	}
	if len(h.Days) == 0 {
		h.Days = slices.Clone(dayAbbr[:])
		return
	}
	var seen [7]bool
	for _, d := range h.Days {
		wd, ok := dayNames[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			v.add("calling_hours.days", "%q is not a day (mon, tue, wed, thu, fri, sat, sun)", d)
			continue
		}
		seen[wd] = true
	}
	h.Days = h.Days[:0]
	for wd, ok := range seen {
		if ok {
			h.Days = append(h.Days, dayAbbr[wd])
		}
	}
}

// parseClock reads "HH:MM" as minutes after midnight; "24:00" is 1440.
func parseClock(s string) (int, bool) {
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	hh, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	if hh == 24 && mm != 0 {
		return 0, false
	}
	return hh*60 + mm, true
}

// loadZone loads an IANA zone; "Local" is refused (it depends on the host).
func loadZone(name string) (*time.Location, error) {
	if name == "Local" {
		return nil, fmt.Errorf("%q is not an IANA time zone", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%q is not an IANA time zone", name)
	}
	return loc, nil
}

// window is a normalised config's calling hours, ready to test instants.
type window struct {
	start, end int // seconds after local midnight, [start, end)
	days       [7]bool
}

func (c *Config) window() window {
	var w window
	s, _ := parseClock(c.CallingHours.Start)
	e, _ := parseClock(c.CallingHours.End)
	w.start, w.end = s*60, e*60
	for _, d := range c.CallingHours.Days {
		if wd, ok := dayNames[d]; ok {
			w.days[wd] = true
		}
	}
	return w
}

// open reports whether now, in loc, is inside the window.
func (w window) open(now time.Time, loc *time.Location) bool {
	t := now.In(loc)
	if !w.days[t.Weekday()] {
		return false
	}
	sec := t.Hour()*3600 + t.Minute()*60 + t.Second()
	return sec >= w.start && sec < w.end
}

// InCallingHours reports whether now is inside the campaign's calling hours
// in zone tz (the campaign's time zone when tz is empty). c must be
// normalised.
func (c *Config) InCallingHours(now time.Time, tz string) bool {
	if tz == "" {
		tz = c.TimeZone
	}
	loc, err := loadZone(tz)
	if err != nil {
		return false
	}
	return c.window().open(now, loc)
}
