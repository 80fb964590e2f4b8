package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dialer/dialer/telephony/sim"
	"github.com/dialer/dialer/test/redistest"
)

// fastSim is a simulated network with seconds instead of minutes, so an
// end-to-end test sees many calls.
func fastSim() *sim.Config {
	c := sim.DefaultConfig()
	c.PostDial = sim.Dist{Kind: "constant", Mean: 20 * time.Millisecond}
	c.RingTime = sim.Dist{Kind: "uniform", Min: 50 * time.Millisecond, Max: 300 * time.Millisecond}
	c.Patience = sim.Dist{Kind: "constant", Mean: 5 * time.Second}
	c.TalkTime = sim.Dist{Kind: "uniform", Min: 100 * time.Millisecond, Max: 400 * time.Millisecond}
	c.WrapTime = sim.Dist{Kind: "constant", Mean: 50 * time.Millisecond}
	c.Greeting = sim.Dist{Kind: "constant", Mean: 2 * time.Second}
	// No "no answer" (it rings for the ring timeout, ≥ 15 s by law) and no
	// machines or fax (without AMD they hold an agent until they hang up).
	c.Human, c.Machine, c.Busy, c.Invalid, c.Fax, c.Congestion = 0.7, 0, 0.15, 0.05, 0, 0.1
	return &c
}

func startApp(t *testing.T, app *App) (base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- app.Run(ctx) }()
	select {
	case <-app.Ready():
	case err := <-errc:
		cancel()
		t.Fatalf("app did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("app did not start within 30s")
	}
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(60 * time.Second):
			return fmt.Errorf("app did not stop within 60s")
		}
	}
	t.Cleanup(func() { _ = stop() })
	return "http://" + app.Addr(), stop
}

func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("GET %s: %v\n%s", url, err, body)
		}
	}
	return res.StatusCode
}

type campaignView struct {
	State string `json:"state"`
	Stats struct {
		Attempts    int64            `json:"attempts"`
		LiveAnswers int64            `json:"live_answers"`
		Connected   int64            `json:"connected"`
		Abandoned   int64            `json:"abandoned"`
		Leads       map[string]int64 `json:"leads"`
	} `json:"stats"`
}

// The demo on embedded defaults (in-process Redis, simulated network and
// agents) makes calls and connects them; the API and /metrics show it.
func TestDemoRuns(t *testing.T) {
	app := &App{Demo: true, Listen: "127.0.0.1:0", DemoLeads: 500, DemoAgents: 5, Sim: fastSim()}
	base, stop := startApp(t, app)

	var v campaignView
	deadline := time.Now().Add(60 * time.Second)
	for {
		if code := getJSON(t, base+"/api/v1/campaigns/demo", &v); code != 200 {
			t.Fatalf("campaign status %d", code)
		}
		if v.Stats.Connected >= 5 && v.Stats.Attempts >= 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo did not connect calls: %+v", v)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v.State != "running" {
		t.Errorf("state = %q, want running", v.State)
	}
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, m := range []string{"dialer_calls_originated_total{campaign=\"demo\"}", "dialer_call_outcomes_total", "dialer_agents", "dialer_answer_to_connect_seconds_bucket", "dialer_pacing_decision_seconds_bucket"} {
		if !strings.Contains(string(body), m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	if strings.Contains(string(body), "555") {
		t.Errorf("/metrics shows a phone number")
	}
	if code := getJSON(t, base+"/healthz", nil); code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	if code := getJSON(t, base+"/readyz", nil); code != 200 {
		t.Errorf("/readyz = %d", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

// With --config, serve uses the configured Redis and campaigns; a restart
// keeps every lead.
func TestServeWithConfig(t *testing.T) {
	srv := redistest.Start(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "dialer.yaml")
	conf := fmt.Sprintf(`listen: 127.0.0.1:0
redis:
  url: %s
telephony:
  driver: sim
sim_agents: 3
campaigns:
  - id: c1
    name: Config campaign
    caller_id: "+12025550143"
    calling_hours: {start: "00:00", end: "23:59"}
`, srv.URL())
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path)
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	app := &App{Config: cfg, Listen: "127.0.0.1:0", Sim: fastSim()}
	base, stop := startApp(t, app)

	csv := "id,phone,name,balance\n1,2025550101,Ana,10\n2,not-a-number,Luis,20\n3,+12025550103,Eva,30\n"
	res, err := http.Post(base+"/api/v1/campaigns/c1/leads", "text/csv", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	var imp struct {
		Imported, Rejected int
		Errors             []struct {
			Row    int
			Reason string
		}
	}
	json.NewDecoder(res.Body).Decode(&imp)
	res.Body.Close()
	if res.StatusCode != 200 || imp.Imported != 2 || imp.Rejected != 1 || len(imp.Errors) != 1 || imp.Errors[0].Row != 3 {
		t.Fatalf("import: status %d, %+v", res.StatusCode, imp)
	}
	post := func(path string) int {
		res, err := http.Post(base+path, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := post("/api/v1/campaigns/c1/start"); code != 200 {
		t.Fatalf("start = %d", code)
	}
	if code := post("/api/v1/campaigns/nope/start"); code != 404 {
		t.Errorf("start unknown campaign = %d, want 404", code)
	}
	var v campaignView
	deadline := time.Now().Add(60 * time.Second)
	for {
		getJSON(t, base+"/api/v1/campaigns/c1", &v)
		if v.Stats.Attempts >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no attempts: %+v", v)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	// The leads are still in Redis after the engine stopped, none dialing.
	app2 := &App{Config: cfg, Listen: "127.0.0.1:0", Sim: fastSim()}
	base2, _ := startApp(t, app2)
	getJSON(t, base2+"/api/v1/campaigns/c1", &v)
	var total int64
	for st, n := range v.Stats.Leads {
		total += n
		if st == "dialing" && n > 0 {
			t.Errorf("%d leads left dialing after a clean stop", n)
		}
	}
	if total != 2 {
		t.Errorf("leads after restart = %d (%v), want 2", total, v.Stats.Leads)
	}
}

func TestLoadConfigErrorsNameTheField(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, yaml, want string }{
		{"unknown field", "redis: {url: redis://x:1/0}\nbogus: 1\n", "bogus"},
		{"no redis", "listen: 127.0.0.1:0\n", "redis.url"},
		{"bad driver", "redis: {url: redis://x:1/0}\ntelephony: {driver: pots}\n", "telephony.driver"},
		{"malformed", "redis: [\n", "yaml"},
		{"bad campaign", "redis: {url: redis://x:1/0}\ncampaigns:\n  - {id: c1, name: x, caller_id: '+12025550143', ring_timeout: 5s}\n", "ring_timeout"},
		{"campaign unknown field", "redis: {url: redis://x:1/0}\ncampaigns:\n  - {id: c1, name: x, caller_id: '+12025550143', turbo: true}\n", "turbo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".yaml")
			os.WriteFile(p, []byte(c.yaml), 0o600)
			_, err := loadConfig(p)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to name %q", err, c.want)
			}
		})
	}
}
