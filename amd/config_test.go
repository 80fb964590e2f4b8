package amd

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestConfigDefaults(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Fatalf("zero config: %v", err)
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if (Config{}).withDefaults() != DefaultConfig() {
		t.Error("the zero Config does not mean DefaultConfig")
	}
	c := Config{HumanSilenceMS: 300}.withDefaults()
	if c.HumanSilenceMS != 300 || c.MachineGreetingMS != DefaultConfig().MachineGreetingMS {
		t.Errorf("a set field was overridden or a zero one not filled: %+v", c)
	}
}

func TestConfigValidateNamesField(t *testing.T) {
	cases := []struct {
		c     Config
		field string
	}{
		{Config{InitialSilenceMS: 10}, "initial_silence_ms"},
		{Config{MaxTimeMS: -1}, "max_time_ms"},
		{Config{HumanSilenceMS: 9000}, "human_silence_ms"},
		{Config{MachineGreetingMS: 100}, "machine_greeting_ms"},
		{Config{SpeechSNRDB: 100}, "speech_snr_db"},
		{Config{MinSpeechDBFS: 3}, "min_speech_dbfs"},
		{Config{MinBeepMS: 5}, "min_beep_ms"},
		{Config{ShortGreetingMS: 3000, MachineGreetingMS: 2000}, "short_greeting_ms"},
		{Config{HumanSilenceMS: 900, LongHumanSilenceMS: 500}, "long_human_silence_ms"},
	}
	for _, c := range cases {
		err := c.c.Validate()
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: error %v, want one naming %s", c.c, err, c.field)
		}
	}
}

func TestConfigEncodings(t *testing.T) {
	var c Config
	if err := yaml.Unmarshal([]byte("human_silence_ms: 350\nmachine_greeting_ms: 3000\nspeech_snr_db: 7.5\n"), &c); err != nil {
		t.Fatal(err)
	}
	if c.HumanSilenceMS != 350 || c.MachineGreetingMS != 3000 || c.SpeechSNRDB != 7.5 {
		t.Errorf("yaml: %+v", c)
	}
	b, _ := json.Marshal(Config{MinBeepMS: 200})
	if string(b) != `{"min_beep_ms":200}` {
		t.Errorf("json: %s", b)
	}
	// Settings as a campaign holds them (JSON numbers are float64).
	c, err := ParseSettings(map[string]any{"human_silence_ms": float64(500), "beep_window_ms": 20000})
	if err != nil || c.HumanSilenceMS != 500 || c.BeepWindowMS != 20000 {
		t.Errorf("ParseSettings: %+v, %v", c, err)
	}
	if _, err := ParseSettings(map[string]any{"words": 3}); !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "words") {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := ParseSettings(map[string]any{"max_time_ms": 1}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("out of range: %v", err)
	}
}
