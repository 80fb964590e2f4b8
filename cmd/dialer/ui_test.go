package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// chromium runs Debian's headless Chromium on a page and returns the DOM
// after the page's scripts ran.
func chromium(t *testing.T, url string, extra ...string) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium not installed (apt-get install -y chromium): %v", err)
	}
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
		"--virtual-time-budget=4000",
	}, extra...)
	args = append(args, "--dump-dom", url)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return string(out)
}

// The dashboard, rendered by a real browser, shows the demo campaign with
// live figures from the API.
func TestDashboardInChromium(t *testing.T) {
	app := &App{Demo: true, Listen: "127.0.0.1:0", DemoLeads: 200, DemoAgents: 3, Sim: fastSim()}
	base, _ := startApp(t, app)
	deadline := time.Now().Add(60 * time.Second)
	var v campaignView
	for v.Stats.Attempts < 5 {
		if time.Now().After(deadline) {
			t.Fatal("no attempts")
		}
		getJSON(t, base+"/api/v1/campaigns/demo", &v)
		time.Sleep(100 * time.Millisecond)
	}
	dom := chromium(t, base+"/")
	for _, want := range []string{`data-loaded="true"`, "Demo collections list", `class="state badge running"`, "attempts", "ready"} {
		if !strings.Contains(dom, want) {
			t.Errorf("dashboard DOM lacks %q", want)
		}
	}
	// The attempts tile shows a number the API also shows (it grows, so
	// only check it is a positive number).
	i := strings.Index(dom, `class="attempts">`)
	if i < 0 {
		t.Fatalf("no attempts tile in DOM")
	}
	n := dom[i+len(`class="attempts">`):]
	n = n[:strings.Index(n, "<")]
	if n == "" || n == "0" {
		t.Errorf("attempts tile shows %q", n)
	}
}
