package amd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Config tunes a Detector. The zero Config means the defaults below, which
// need no tuning; set a field only to change it. Times are milliseconds of
// audio from the answer. A campaign embeds it as YAML or JSON (snake_case keys).
type Config struct {
	// InitialSilenceMS: nothing heard by then means Silence (default 4000).
	InitialSilenceMS int `json:"initial_silence_ms,omitempty" yaml:"initial_silence_ms,omitempty"`
	// MaxTimeMS: no decision by then means Unknown (default 5000).
	MaxTimeMS int `json:"max_time_ms,omitempty" yaml:"max_time_ms,omitempty"`
	// HumanSilenceMS: silence after a short greeting (up to ShortGreetingMS)
	// that means a person waiting for an answer (default 450).
	HumanSilenceMS int `json:"human_silence_ms,omitempty" yaml:"human_silence_ms,omitempty"`
	// ShortGreetingMS: the greeting length up to which HumanSilenceMS applies
	// (default 800). Beyond it the silence needed grows linearly to
	// LongHumanSilenceMS at MachineGreetingMS.
	ShortGreetingMS int `json:"short_greeting_ms,omitempty" yaml:"short_greeting_ms,omitempty"`
	// LongHumanSilenceMS: silence needed after a greeting just short of
	// MachineGreetingMS (default 1000).
	LongHumanSilenceMS int `json:"long_human_silence_ms,omitempty" yaml:"long_human_silence_ms,omitempty"`
	// MachineGreetingMS: a greeting that goes on this long without a pause
	// that means a person means Machine (default 2350).
	MachineGreetingMS int `json:"machine_greeting_ms,omitempty" yaml:"machine_greeting_ms,omitempty"`
	// MinWordMS: shorter sounds (clicks, pops) are not speech (default 60).
	MinWordMS int `json:"min_word_ms,omitempty" yaml:"min_word_ms,omitempty"`
	// SpeechSNRDB: how far above the adaptive noise floor a 10 ms block must
	// be to start speech, in dB; speech goes on while it stays half as far
	// above (default 6).
	SpeechSNRDB float64 `json:"speech_snr_db,omitempty" yaml:"speech_snr_db,omitempty"`
	// MinSpeechDBFS: blocks quieter than this (dB full scale, RMS) are never
	// speech (default -52).
	MinSpeechDBFS float64 `json:"min_speech_dbfs,omitempty" yaml:"min_speech_dbfs,omitempty"`
	// BeepWindowMS: after a Machine verdict, look for the beep until this
	// audio time (default 30000).
	BeepWindowMS int `json:"beep_window_ms,omitempty" yaml:"beep_window_ms,omitempty"`
	// MinBeepMS: a single tone at least this long after the greeting is the
	// beep (default 120).
	MinBeepMS int `json:"min_beep_ms,omitempty" yaml:"min_beep_ms,omitempty"`
}

// DefaultConfig returns the defaults: what the zero Config means.
func DefaultConfig() Config {
	return Config{
		InitialSilenceMS:   4000,
		MaxTimeMS:          5000,
		HumanSilenceMS:     450,
		ShortGreetingMS:    800,
		LongHumanSilenceMS: 1000,
		MachineGreetingMS:  2350,
		MinWordMS:          60,
		SpeechSNRDB:        6,
		MinSpeechDBFS:      -52,
		BeepWindowMS:       30000,
		MinBeepMS:          120,
	}
}

// withDefaults fills the zero fields of c with the defaults.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	setI := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	setF := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	setI(&c.InitialSilenceMS, d.InitialSilenceMS)
	setI(&c.MaxTimeMS, d.MaxTimeMS)
	setI(&c.HumanSilenceMS, d.HumanSilenceMS)
	setI(&c.ShortGreetingMS, d.ShortGreetingMS)
	setI(&c.LongHumanSilenceMS, d.LongHumanSilenceMS)
	setI(&c.MachineGreetingMS, d.MachineGreetingMS)
	setI(&c.MinWordMS, d.MinWordMS)
	setF(&c.SpeechSNRDB, d.SpeechSNRDB)
	setF(&c.MinSpeechDBFS, d.MinSpeechDBFS)
	setI(&c.BeepWindowMS, d.BeepWindowMS)
	setI(&c.MinBeepMS, d.MinBeepMS)
	return c
}

// Validate reports the first out-of-range field, by its JSON name, wrapping
// ErrInvalidConfig. Zero fields are valid (they mean the default).
func (c Config) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...))
	}
	ms := []struct {
		name     string
		v        int
		min, max int
	}{
		{"initial_silence_ms", c.InitialSilenceMS, 500, 60000},
		{"max_time_ms", c.MaxTimeMS, 500, 60000},
		{"human_silence_ms", c.HumanSilenceMS, 50, 5000},
		{"short_greeting_ms", c.ShortGreetingMS, 100, 10000},
		{"long_human_silence_ms", c.LongHumanSilenceMS, 50, 5000},
		{"machine_greeting_ms", c.MachineGreetingMS, 300, 20000},
		{"min_word_ms", c.MinWordMS, 10, 1000},
		{"beep_window_ms", c.BeepWindowMS, 1000, 120000},
		{"min_beep_ms", c.MinBeepMS, 40, 2000},
	}
	for _, f := range ms {
		if f.v != 0 && (f.v < f.min || f.v > f.max) {
			return bad(f.name, "= %d, want %d..%d (or 0 for the default)", f.v, f.min, f.max)
		}
	}
	if c.SpeechSNRDB != 0 && (c.SpeechSNRDB < 1 || c.SpeechSNRDB > 40) {
		return bad("speech_snr_db", "= %g, want 1..40 (or 0 for the default)", c.SpeechSNRDB)
	}
	if c.MinSpeechDBFS != 0 && (c.MinSpeechDBFS < -90 || c.MinSpeechDBFS > -10) {
		return bad("min_speech_dbfs", "= %g, want -90..-10 (or 0 for the default)", c.MinSpeechDBFS)
	}
	e := c.withDefaults()
	if e.ShortGreetingMS >= e.MachineGreetingMS {
		return bad("short_greeting_ms", "= %d, must be below machine_greeting_ms (%d)", e.ShortGreetingMS, e.MachineGreetingMS)
	}
	if e.LongHumanSilenceMS < e.HumanSilenceMS {
		return bad("long_human_silence_ms", "= %d, must not be below human_silence_ms (%d)", e.LongHumanSilenceMS, e.HumanSilenceMS)
	}
	return nil
}

// ParseSettings decodes a campaign's free-form AMD settings (as decoded from
// YAML or JSON: keys are the snake_case names of Config) and validates them.
// Unknown keys are an error naming the key.
func ParseSettings(m map[string]any) (Config, error) {
	var c Config
	if len(m) == 0 {
		return c, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return c, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	return c, c.Validate()
}

func msDur(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }
