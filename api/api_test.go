package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/api"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/test/redistest"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := redistest.Start(t)
	rdb := srv.Client()
	h := api.New(api.Options{
		Store:    campaigns.NewStore(rdb),
		Agents:   agents.NewRegistry(rdb),
		Gatherer: prometheus.NewRegistry(),
	})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

type response struct {
	status int
	body   map[string]any
	raw    string
}

func do(t *testing.T, ts *httptest.Server, method, path, ctype, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

const goodCampaign = `{"id":"c1","name":"Campaign one","mode":"progressive","caller_id":"+12025550143","default_region":"US"}`

func TestCampaignLifecycle(t *testing.T) {
	ts := newServer(t)
	if r := do(t, ts, "POST", "/api/v1/campaigns", "application/json", goodCampaign); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	if r := do(t, ts, "POST", "/api/v1/campaigns", "application/json", goodCampaign); r.status != 409 {
		t.Errorf("create twice: %d %s", r.status, r.raw)
	}
	r := do(t, ts, "GET", "/api/v1/campaigns/c1", "", "")
	if r.status != 200 || r.body["state"] != "stopped" {
		t.Fatalf("get: %d %s", r.status, r.raw)
	}
	for _, op := range []string{"start", "pause", "stop", "start"} {
		if r := do(t, ts, "POST", "/api/v1/campaigns/c1/"+op, "", ""); r.status != 200 {
			t.Errorf("%s: %d %s", op, r.status, r.raw)
		}
	}
	r = do(t, ts, "GET", "/api/v1/campaigns", "", "")
	if r.status != 200 || !strings.Contains(r.raw, `"running"`) {
		t.Errorf("list: %d %s", r.status, r.raw)
	}
	upd := strings.Replace(goodCampaign, "Campaign one", "Renamed", 1)
	if r := do(t, ts, "PUT", "/api/v1/campaigns/c1", "application/json", upd); r.status != 200 {
		t.Errorf("update: %d %s", r.status, r.raw)
	}
	if r := do(t, ts, "GET", "/api/v1/campaigns/c1", "", ""); !strings.Contains(r.raw, "Renamed") {
		t.Errorf("update not visible: %s", r.raw)
	}
}

// Bad input gets a 4xx with a message naming the problem, and changes
// nothing.
func TestBadInput(t *testing.T) {
	ts := newServer(t)
	do(t, ts, "POST", "/api/v1/campaigns", "application/json", goodCampaign)
	cases := []struct {
		name, method, path, ctype, body string
		status                          int
		want                            string
	}{
		{"invalid JSON", "POST", "/api/v1/campaigns", "application/json", `{"id":`, 400, ""},
		{"unknown field", "POST", "/api/v1/campaigns", "application/json", `{"id":"c2","name":"x","caller_id":"+12025550143","turbo":1}`, 400, "turbo"},
		{"invalid values", "POST", "/api/v1/campaigns", "application/json", `{"id":"c2","name":"x","caller_id":"+12025550143","ring_timeout":"5s","mode":"warp"}`, 422, "ring_timeout"},
		{"wrong media type", "POST", "/api/v1/campaigns", "text/plain", goodCampaign, 415, "application/json"},
		{"id mismatch", "PUT", "/api/v1/campaigns/c1", "application/json", strings.Replace(goodCampaign, `"c1"`, `"c9"`, 1), 422, "id"},
		{"unknown campaign", "GET", "/api/v1/campaigns/nope", "", "", 404, "nope"},
		{"start unknown", "POST", "/api/v1/campaigns/nope/start", "", "", 404, ""},
		{"leads not csv", "POST", "/api/v1/campaigns/c1/leads", "application/json", "{}", 415, "text/csv"},
		{"leads unknown campaign", "POST", "/api/v1/campaigns/nope/leads", "text/csv", "phone\n+12025550100\n", 404, ""},
		{"csv without phone", "POST", "/api/v1/campaigns/c1/leads", "text/csv", "name\nAna\n", 400, "phone"},
		{"bad count", "GET", "/api/v1/campaigns/c1/attempts?count=0", "", "", 400, "count"},
		{"login unknown campaign", "POST", "/api/v1/agents/a1/login", "application/json", `{"campaign":"nope"}`, 422, "campaign"},
		{"login unknown field", "POST", "/api/v1/agents/a1/login", "application/json", `{"campaign":"c1","desk":3}`, 400, "desk"},
		{"ready unknown agent", "POST", "/api/v1/agents/ghost/ready", "", "", 404, ""},
		{"no such endpoint", "GET", "/api/v1/nothing", "", "", 404, "no such endpoint"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := do(t, ts, c.method, c.path, c.ctype, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.raw)
			}
			msg, _ := r.body["error"].(string)
			if msg == "" {
				t.Fatalf("no error message: %s", r.raw)
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q does not mention %q", msg, c.want)
			}
		})
	}
	// Nothing changed: still one campaign, with its original name.
	r := do(t, ts, "GET", "/api/v1/campaigns", "", "")
	if strings.Count(r.raw, `"id": "c`) != 1 || !strings.Contains(r.raw, "Campaign one") {
		t.Errorf("campaigns changed by bad input: %s", r.raw)
	}
}

func TestLeadImportAndAgents(t *testing.T) {
	ts := newServer(t)
	do(t, ts, "POST", "/api/v1/campaigns", "application/json", goodCampaign)
	csv := "id,phone,name,priority,balance\n" +
		"A1,(202) 555-0101,Ana,1,100\n" +
		"A2,12,Bad,1,5\n" +
		"A3,+1 202 555 0103,Eva,x,7\n" +
		"A4,2025550104,Raúl,2,9\n"
	r := do(t, ts, "POST", "/api/v1/campaigns/c1/leads", "text/csv", csv)
	if r.status != 200 {
		t.Fatalf("import: %d %s", r.status, r.raw)
	}
	if r.body["imported"] != 2.0 || r.body["rejected"] != 2.0 {
		t.Errorf("import counts: %s", r.raw)
	}
	// Re-import updates instead of duplicating.
	r = do(t, ts, "POST", "/api/v1/campaigns/c1/leads", "text/csv", "id,phone,name\nA1,2025550101,Ana María\n")
	if r.body["updated"] != 1.0 || r.body["imported"] != 0.0 {
		t.Errorf("re-import: %s", r.raw)
	}

	steps := []struct {
		path, body string
		status     int
		state      string
	}{
		{"/api/v1/agents/a1/login", `{"campaign":"c1","station":"PJSIP/1001"}`, 200, "paused"},
		{"/api/v1/agents/a1/ready", "", 200, "ready"},
		{"/api/v1/agents/a1/disposition", `{"code":"paid"}`, 409, ""},
		{"/api/v1/agents/a1/pause", `{"reason":"lunch"}`, 200, "paused"},
		{"/api/v1/agents/a1/logout", "", 200, "offline"},
	}
	for _, s := range steps {
		r := do(t, ts, "POST", s.path, "application/json", s.body)
		if r.status != s.status {
			t.Fatalf("%s: %d %s", s.path, r.status, r.raw)
		}
		if s.state != "" && r.body["state"] != s.state {
			t.Errorf("%s: state %v, want %s", s.path, r.body["state"], s.state)
		}
	}
}
