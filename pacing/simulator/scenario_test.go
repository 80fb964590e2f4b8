package simulator

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const base = `name: t
seed: 1
duration: 2h
agents: 10
outcomes: {human: 0.3, machine: 0.2, busy: 0.1, invalid: 0.05, fax: 0.01}
ring_time: {dist: lognormal, mean: 12s, sd: 6s}
no_answer_timeout: 25s
amd_time: {dist: constant, mean: 2s}
talk_time: {dist: gamma, mean: 180s, sd: 120s}
wrap_time: {dist: exponential, mean: 20s}
abandon_target: 0.03
abandon_grace: 2s
`

// edit replaces the line starting with key (or appends it).
func edit(key, line string) string {
	var out []string
	done := false
	for _, l := range strings.Split(strings.TrimSpace(base), "\n") {
		if strings.HasPrefix(l, key+":") {
			if line != "" {
				out = append(out, line)
			}
			done = true
			continue
		}
		out = append(out, l)
	}
	if !done {
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func TestParseValid(t *testing.T) {
	s, err := Parse([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if s.Duration != 2*time.Hour || s.MaxAgents() != 10 || s.Tick != time.Second || s.PowerRatio != 2 {
		t.Errorf("parsed %+v", s)
	}
	if s.RejectTime.Kind != "constant" || s.RejectTime.Mean != 3*time.Second {
		t.Errorf("reject time default %+v", s.RejectTime)
	}
	s, err = Parse([]byte(edit("agents", "agents: [{at: 0h, count: 5}, {at: 1h, count: 8}]") + "\n" +
		"tick: 500ms"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Agents) != 2 || s.Agents[1] != (AgentStep{time.Hour, 8}) || s.Tick != 500*time.Millisecond {
		t.Errorf("schedule %+v tick %v", s.Agents, s.Tick)
	}
	s, err = Parse([]byte(strings.Replace(base, "human: 0.3", "human: [{at: 0h, value: 0.3}, {at: 1h, value: 0.1}]", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if rateAt(s.Human, 90*time.Minute) != 0.1 || rateAt(s.Human, 0) != 0.3 {
		t.Errorf("human schedule %+v", s.Human)
	}
}

// Every invalid scenario is rejected with an error naming its field.
func TestParseNamesTheField(t *testing.T) {
	for _, c := range []struct{ doc, field string }{
		{edit("name", ""), "name"},
		{edit("seed", ""), "seed"},
		{edit("duration", "duration: soon"), "duration"},
		{edit("duration", "duration: 0s"), "duration"},
		{edit("agents", "agents: 0"), "agents"},
		{edit("agents", "agents: lots"), "agents"},
		{edit("agents", "agents: [{at: 1h, count: 5}]"), "agents[0].at"},
		{edit("agents", "agents: [{at: 0h, count: 5}, {at: 3h, count: 2}]"), "agents[1].at"},
		{edit("agents", "agents: [{at: 0h, cuont: 5}]"), "agents[0]"},
		{strings.Replace(base, "human: 0.3", "human: 1.3", 1), "outcomes.human"},
		{strings.Replace(base, "machine: 0.2", "machine: 0.9", 1), "outcomes"},
		{strings.Replace(base, "human: 0.3", "human: [{at: 0h}]", 1), "outcomes.human[0].value"},
		{strings.Replace(base, "fax: 0.01", "facs: 0.01", 1), "outcomes.facs"},
		{edit("ring_time", "ring_time: {dist: weibull, mean: 12s, sd: 6s}"), "ring_time.dist"},
		{edit("ring_time", "ring_time: {dist: lognormal, mean: 12s}"), "ring_time.sd"},
		{edit("ring_time", ""), "ring_time"},
		{edit("talk_time", "talk_time: {dist: gamma, mean: -3s, sd: 1s}"), "talk_time.mean"},
		{edit("wrap_time", "wrap_time: {dist: exponential, mean: 20s, sd: 3s}"), "wrap_time.sd"},
		{edit("amd_time", "amd_time: {dist: constant, mean: two}"), "amd_time.mean"},
		{edit("no_answer_timeout", ""), "no_answer_timeout"},
		{edit("abandon_target", "abandon_target: 1.5"), "abandon_target"},
		{edit("abandon_target", ""), "abandon_target"},
		{edit("abandon_grace", "abandon_grace: 0s"), "abandon_grace"},
		{edit("tick", "tick: 1ns"), "tick"},
		{edit("power_ratio", "power_ratio: 0.5"), "power_ratio"},
		{edit("colour", "colour: blue"), "colour"},
		{"", "name"},
		{edit("seed", "seed: -4"), "seed"},
		{edit("power_ratio", "power_ratio: lots"), "power_ratio"},
	} {
		_, err := Parse([]byte(c.doc))
		if err == nil {
			t.Errorf("want an error naming %s, got none for:\n%s", c.field, c.doc)
			continue
		}
		if !errors.Is(err, ErrInvalidScenario) {
			t.Errorf("%s: error %v does not wrap ErrInvalidScenario", c.field, err)
		}
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("error %q: want field %q", err, c.field)
		}
	}
}

func TestShippedScenariosParse(t *testing.T) {
	files, _ := filepath.Glob("../../test/scenarios/*.yaml")
	if len(files) < 6 {
		t.Fatalf("found %d scenarios", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
