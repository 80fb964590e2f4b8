package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const simScenario = `name: cmd-test
seed: 3
duration: 30m
agents: 10
outcomes: {human: 0.3, machine: 0.2, busy: 0.1, invalid: 0.05, fax: 0.01}
ring_time: {dist: lognormal, mean: 12s, sd: 6s}
no_answer_timeout: 25s
amd_time: {dist: lognormal, mean: 2.5s, sd: 0.8s}
talk_time: {dist: lognormal, mean: 180s, sd: 120s}
wrap_time: {dist: lognormal, mean: 20s, sd: 10s}
abandon_target: 0.03
abandon_grace: 2s
`

func writeScenario(t *testing.T, doc string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSimCompareJSON(t *testing.T) {
	f := writeScenario(t, simScenario)
	var out, errb bytes.Buffer
	if err := runSim(context.Background(), []string{"--scenario", f, "--compare", "--json"}, &out, &errb); err != nil {
		t.Fatalf("runSim: %v (%s)", err, errb.String())
	}
	var rep struct {
		Scenario string           `json:"scenario"`
		Results  []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if rep.Scenario != "cmd-test" || len(rep.Results) != 4 {
		t.Fatalf("report %+v", rep)
	}
	for _, r := range rep.Results {
		for _, k := range []string{"policy", "attempts", "live_answers", "connected", "abandoned", "abandon_rate",
			"max_window_abandon_rate", "utilization", "talk_occupancy", "idle_seconds_per_agent_hour",
			"mean_wait_seconds", "p90_wait_seconds"} {
			if _, ok := r[k]; !ok {
				t.Errorf("result %v lacks %q", r["policy"], k)
			}
		}
	}
	if rep.Results[0]["policy"] != "progressive" || rep.Results[0]["abandoned"] != 0.0 {
		t.Errorf("first result %+v, want progressive with no abandons", rep.Results[0])
	}
}

func TestSimTableAndErrors(t *testing.T) {
	f := writeScenario(t, simScenario)
	var out, errb bytes.Buffer
	if err := runSim(context.Background(), []string{"--scenario", f, "--mode", "power"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "power") || !strings.Contains(out.String(), "util") {
		t.Errorf("table:\n%s", out.String())
	}
	bad := writeScenario(t, strings.Replace(simScenario, "sd: 6s", "sd: six", 1))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{}, "--scenario"},
		{[]string{"--scenario", f, "--mode", "turbo"}, "turbo"},
		{[]string{"--scenario", f, "--mode", "power", "--compare"}, "exclusive"},
		{[]string{"--scenario", bad}, "ring_time.sd"},
		{[]string{"--scenario", filepath.Join(t.TempDir(), "missing.yaml")}, "missing.yaml"},
	} {
		err := runSim(context.Background(), c.args, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("runSim(%q) = %v, want an error mentioning %q", c.args, err, c.want)
		}
	}
}
