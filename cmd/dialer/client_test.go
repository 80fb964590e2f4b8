package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The admin subcommands talk to a running server's API.
func TestLeadsImportAndCampaignsCommands(t *testing.T) {
	app := &App{Demo: true, Listen: "127.0.0.1:0", DemoLeads: 20, DemoAgents: 1, Sim: fastSim()}
	base, _ := startApp(t, app)
	csv := filepath.Join(t.TempDir(), "leads.csv")
	os.WriteFile(csv, []byte("id,phone,name,plan\nX1,+12025550177,Ana,gold\nX2,123,Bad,silver\n"), 0o600)
	ctx := context.Background()

	var out, errb bytes.Buffer
	if err := run(ctx, []string{"leads", "import", "--campaign", "demo", "--api", base, csv}, &out, &errb); err != nil {
		t.Fatalf("import: %v", err)
	}
	if !strings.Contains(out.String(), "imported 1, updated 0, rejected 1") || !strings.Contains(out.String(), "row 3:") {
		t.Errorf("import output: %q", out.String())
	}

	out.Reset()
	err := run(ctx, []string{"leads", "import", "--campaign", "nope", "--api", base, csv}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("import to an unknown campaign: %v", err)
	}
	if err := run(ctx, []string{"leads", "import", "--api", base, csv}, &out, &errb); err == nil {
		t.Errorf("import without --campaign succeeded")
	}

	for _, op := range []string{"pause", "get", "start"} {
		out.Reset()
		if err := run(ctx, []string{"campaigns", op, "demo", "--api", base}, &out, &errb); err != nil {
			t.Fatalf("campaigns %s: %v", op, err)
		}
		if !strings.Contains(out.String(), `"demo"`) {
			t.Errorf("campaigns %s output: %q", op, out.String())
		}
	}
	out.Reset()
	if err := run(ctx, []string{"campaigns", "list", "--api", base}, &out, &errb); err != nil || !strings.Contains(out.String(), "Demo collections list") {
		t.Errorf("campaigns list: %v %q", err, out.String())
	}
	if err := run(ctx, []string{"campaigns", "list", "--api", "http://127.0.0.1:1"}, &out, &errb); err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("unreachable API: %v", err)
	}
}
