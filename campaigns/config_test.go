package campaigns

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

const fullYAML = `
id: collections-q1
name: Collections Q1
mode: power
power_ratio: 2.5
max_ratio: 4
caller_id: "(202) 555-0143"
dial_string: "PJSIP/${number}@trunk"
trunk: trunk1
ring_timeout: 30s
max_attempts: 7
retry_delay:
  busy: 5m
  no_answer: 2h
  machine: 3h
  failed: 20m
  abandoned: 96h
default_region: us
time_zone: America/New_York
calling_hours:
  start: "09:00"
  end: "20:00"
  days: [Mon, tue, wednesday, thu, fri, mon]
abandon_target: 0.02
abandon_message: sorry-msg
amd:
  enabled: true
  on_machine: message
  message: vm-drop
  settings:
    initial_silence: 2500ms
    words: 3
`

func TestParseYAMLFull(t *testing.T) {
	c, err := ParseYAML([]byte(fullYAML))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		ID: "collections-q1", Name: "Collections Q1", Mode: ModePower, PowerRatio: 2.5, MaxRatio: 4,
		CallerID: "+12025550143", DialString: "PJSIP/${number}@trunk", Trunk: "trunk1",
		RingTimeout: Duration(30 * time.Second), MaxAttempts: 7,
		RetryDelay: RetryDelays{
			Busy: Duration(5 * time.Minute), NoAnswer: Duration(2 * time.Hour), Machine: Duration(3 * time.Hour),
			Failed: Duration(20 * time.Minute), Abandoned: Duration(96 * time.Hour),
		},
		DefaultRegion: "US", TimeZone: "America/New_York",
		CallingHours:  Hours{Start: "09:00", End: "20:00", Days: []string{"mon", "tue", "wed", "thu", "fri"}},
		AbandonTarget: 0.02, AbandonMessage: "sorry-msg",
		AMD: AMDPolicy{Enabled: true, OnMachine: "message", Message: "vm-drop",
			Settings: map[string]any{"initial_silence": "2500ms", "words": 3}},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	// JSON round trip: what the API returns parses back to the same config.
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"ring_timeout":"30s"`) {
		t.Errorf("durations should marshal as strings: %s", b)
	}
	c2, err := ParseJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	c2.AMD.Settings["words"] = 3 // JSON numbers decode as float64
	if !reflect.DeepEqual(c2, want) {
		t.Errorf("JSON round trip:\ngot  %+v\nwant %+v", c2, want)
	}
}

func TestDefaults(t *testing.T) {
	c, err := ParseJSON([]byte(`{"id":"a","name":"A","caller_id":"+34911234567"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		ID: "a", Name: "A", Mode: ModeProgressive, PowerRatio: 1, MaxRatio: 3, CallerID: "+34911234567",
		RingTimeout: Duration(25 * time.Second), MaxAttempts: 5, RetryDelay: DefaultRetryDelays,
		DefaultRegion: "US", TimeZone: "UTC",
		CallingHours:  Hours{Start: "08:00", End: "21:00", Days: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
		AbandonTarget: 0.03, AbandonMessage: "dialer-abandon", AMD: AMDPolicy{OnMachine: "retry"},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	if DefaultRetryDelays.Abandoned.D() != 72*time.Hour || DefaultRetryDelays.Busy.D() != 10*time.Minute ||
		DefaultRetryDelays.NoAnswer.D() != time.Hour || DefaultRetryDelays.Machine.D() != 2*time.Hour ||
		DefaultRetryDelays.Failed.D() != 15*time.Minute {
		t.Errorf("default retry delays: %+v", DefaultRetryDelays)
	}
}

// TestValidation changes one field of a good config at a time and expects
// exactly that field to be named.
func TestValidation(t *testing.T) {
	cases := []struct {
		field string
		mod   func(*Config)
		msg   string // part of the message
	}{
		{"id", func(c *Config) { c.ID = "" }, "required"},
		{"id", func(c *Config) { c.ID = "Has Spaces" }, "a-z"},
		{"id", func(c *Config) { c.ID = strings.Repeat("a", 65) }, "1 to 64"},
		{"name", func(c *Config) { c.Name = "  " }, "required"},
		{"mode", func(c *Config) { c.Mode = "turbo" }, `"turbo" is not a dial mode`},
		{"power_ratio", func(c *Config) { c.PowerRatio = 0.5 }, "between 1 and 10"},
		{"power_ratio", func(c *Config) { c.PowerRatio = 11 }, "between 1 and 10"},
		{"max_ratio", func(c *Config) { c.MaxRatio = 0.9 }, "between 1"},
		{"caller_id", func(c *Config) { c.CallerID = "" }, "required"},
		{"caller_id", func(c *Config) { c.CallerID = "+1555" }, "not a valid number"},
		{"caller_id", func(c *Config) { c.CallerID = "call me" }, "not a phone number"},
		{"ring_timeout", func(c *Config) { c.RingTimeout = Duration(14 * time.Second) }, "at least 15s"},
		{"ring_timeout", func(c *Config) { c.RingTimeout = Duration(121 * time.Second) }, "at most 2m0s"},
		{"max_attempts", func(c *Config) { c.MaxAttempts = -1 }, "between 1 and 100"},
		{"max_attempts", func(c *Config) { c.MaxAttempts = 101 }, "between 1 and 100"},
		{"retry_delay.busy", func(c *Config) { c.RetryDelay.Busy = -1 }, "between 0s"},
		{"retry_delay.no_answer", func(c *Config) { c.RetryDelay.NoAnswer = -1 }, "between 0s"},
		{"retry_delay.machine", func(c *Config) { c.RetryDelay.Machine = Duration(400 * 24 * time.Hour) }, "between 0s"},
		{"retry_delay.failed", func(c *Config) { c.RetryDelay.Failed = -1 }, "between 0s"},
		{"retry_delay.abandoned", func(c *Config) { c.RetryDelay.Abandoned = -1 }, "between 0s"},
		{"default_region", func(c *Config) { c.DefaultRegion = "XX" }, "not a supported"},
		{"time_zone", func(c *Config) { c.TimeZone = "Mars/Olympus" }, "not an IANA time zone"},
		{"time_zone", func(c *Config) { c.TimeZone = "Local" }, "not an IANA time zone"},
		{"calling_hours.start", func(c *Config) { c.CallingHours.Start = "8am" }, "HH:MM"},
		{"calling_hours.start", func(c *Config) { c.CallingHours.Start = "24:00" }, "HH:MM"},
		{"calling_hours.end", func(c *Config) { c.CallingHours.End = "25:00" }, "HH:MM"},
		{"calling_hours", func(c *Config) { c.CallingHours = Hours{Start: "21:00", End: "08:00"} }, "before end"},
		{"calling_hours.days", func(c *Config) { c.CallingHours.Days = []string{"mon", "funday"} }, `"funday" is not a day`},
		{"abandon_target", func(c *Config) { c.AbandonTarget = 0.031 }, "at most 0.03"},
		{"abandon_target", func(c *Config) { c.AbandonTarget = -0.01 }, "more than 0"},
		{"amd.on_machine", func(c *Config) { c.AMD.OnMachine = "scream" }, "not one of"},
		{"amd.message", func(c *Config) { c.AMD.OnMachine = "message" }, "required"},
		{"amd.settings", func(c *Config) { c.AMD.Settings = map[string]any{"k": map[any]any{1: 2}} }, "string keys"},
	}
	for _, tc := range cases {
		t.Run(tc.field+"/"+tc.msg, func(t *testing.T) {
			c := testConfig("good")
			tc.mod(&c)
			before := c
			err := c.Normalize()
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("want a ValidationError matching ErrInvalid, got %v", err)
			}
			if len(ve.Fields) != 1 || ve.Fields[0].Field != tc.field || !strings.Contains(ve.Fields[0].Message, tc.msg) {
				t.Errorf("got %v, want only %s: ...%s...", ve.Fields, tc.field, tc.msg)
			}
			if !reflect.DeepEqual(c, before) {
				t.Errorf("invalid config was changed: %+v", c)
			}
		})
	}
	// The four modes are accepted; the engine refuses those it lacks.
	for _, m := range []Mode{"progressive", "power", "predictive", "preview"} {
		c := testConfig("m")
		c.Mode = m
		if err := c.Normalize(); err != nil {
			t.Errorf("mode %s: %v", m, err)
		}
	}
	c := testConfig("m")
	c.CallingHours = Hours{Start: "00:00", End: "24:00"}
	if err := c.Normalize(); err != nil {
		t.Errorf("00:00-24:00: %v", err)
	}
}

func TestValidationNamesEveryField(t *testing.T) {
	_, err := ParseYAML([]byte("id: x\nname: X\ncaller_id: '+12025550143'\nring_timeout: 10s\nmode: turbo\nabandon_target: 0.5\n"))
	want := `campaign: mode: "turbo" is not a dial mode (progressive, power, predictive, preview); ` +
		`ring_timeout: must be at least 15s (the law: 15 s or 4 rings), got 10s; ` +
		`abandon_target: must be more than 0 and at most 0.03 (the legal ceiling), got 0.5`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestStrictDecoding(t *testing.T) {
	good := `{"id":"a","name":"A","caller_id":"+12025550143"}`
	jsonCases := []struct{ in, want string }{
		{`{"id":"a","name":"A","caller_id":"+12025550143","colour":"red"}`, `unknown field "colour"`},
		{`{"id":"a","name":"A","caller_id":"+12025550143","amd":{"enable":true}}`, `unknown field "enable"`},
		{`{"id":"a","name":"A","caller_id":"+12025550143","ring_timeout":25}`, `ring_timeout: cannot use 25 (want a duration string`},
		{`{"id":"a","name":"A","caller_id":"+12025550143","retry_delay":{"busy":"soon"}}`, `retry_delay.busy: cannot use "soon"`},
		{`{"id":"a","name":"A","caller_id":"+12025550143","max_attempts":"3"}`, `max_attempts: cannot use string`},
		{good + `{}`, `unexpected data after`},
		{`{"id":"a",`, `unexpected EOF`},
		{``, `empty JSON body`},
		{`[]`, `cannot unmarshal array`},
	}
	for _, tc := range jsonCases {
		_, err := ParseJSON([]byte(tc.in))
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseJSON(%s): got %v, want ErrInvalid with %q", tc.in, err, tc.want)
		}
	}
	if _, err := ParseJSON([]byte(good)); err != nil {
		t.Errorf("good JSON: %v", err)
	}
	yamlCases := []struct{ in, want string }{
		{"id: a\nname: A\ncaller_id: '+12025550143'\ncolour: red\n", "line 4: field colour not found"},
		{"id: a\nname: A\ncaller_id: '+12025550143'\nring_timeout: 25\n", `line 4: "25" is not a duration`},
		{"id: a\nname: A\ncaller_id: '+12025550143'\nretry_delay:\n  busy: soon\n", `line 5: "soon" is not a duration`},
		{"id: a\nname: A\n\tcaller_id: x\n", "yaml: line"},
		{"id: a\n  name: A\n", "line 2"},
		{"", "empty document"},
		{"- a\n- b\n", "cannot unmarshal !!seq"},
	}
	for _, tc := range yamlCases {
		_, err := ParseYAML([]byte(tc.in))
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseYAML(%q): got %v, want ErrInvalid with %q", tc.in, err, tc.want)
		}
	}
}

func TestInCallingHours(t *testing.T) {
	c := testConfig("h")
	c.TimeZone = "America/New_York"
	c.CallingHours = Hours{Start: "08:00", End: "21:00", Days: []string{"mon", "tue", "wed", "thu", "fri"}}
	if err := c.Normalize(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		at   time.Time
		tz   string
		want bool
	}{
		{t0, "", true},                                  // Wed 11:00 New York (EDT since March 8)
		{t0.Add(-4 * time.Hour), "", false},             // 07:00 New York
		{t0.Add(-3 * time.Hour), "", true},              // 08:00 sharp: open
		{t0.Add(10 * time.Hour), "", false},             // 21:00 sharp: closed
		{t0.Add(10*time.Hour - time.Second), "", true},  // 20:59:59
		{t0, "Europe/Madrid", true},                     // 16:00 Madrid
		{t0.Add(6 * time.Hour), "Europe/Madrid", false}, // 22:00 Madrid
		{t0, "Asia/Tokyo", false},                       // 00:00 Thursday in Tokyo
		{t0.Add(3 * 24 * time.Hour), "", false},         // Saturday
		{t0.Add(33 * time.Hour), "Asia/Tokyo", true},    // Fri 09:00 Tokyo
		{t0.Add(60 * time.Hour), "Asia/Tokyo", false},   // Sat 12:00 Tokyo
	}
	for i, tc := range cases {
		if got := c.InCallingHours(tc.at, tc.tz); got != tc.want {
			t.Errorf("case %d: %s in %q: got %v, want %v", i, tc.at, tc.tz, got, tc.want)
		}
	}
}
