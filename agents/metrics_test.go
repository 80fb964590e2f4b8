package agents_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dialer/dialer/agents"
	"github.com/prometheus/client_golang/prometheus"
)

// scrape gathers reg and returns dialer_agents as "campaign/state" → value.
func scrape(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "dialer_agents" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			out[l["campaign"]+"/"+l["state"]] = m.GetGauge().GetValue()
		}
	}
	return out
}

func TestCollector(t *testing.T) {
	r, _ := newRegistry(t)
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		must(r.Login(ctx, id, "c1", "s", at(0))).of(t)
	}
	must(r.Ready(ctx, "a", at(1))).of(t)
	must(r.Ready(ctx, "b", at(1))).of(t)
	must(r.Reserve(ctx, "c1", "x", time.Minute, at(2))).of(t) // a
	must(r.Login(ctx, "d", "c2", "s", at(0))).of(t)
	must(r.Logout(ctx, "d", at(1))).of(t)

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(agents.NewCollector(r, func() []string { return []string{"c1", "c2", "c1"} }))
	want := map[string]float64{}
	for _, c := range []string{"c1", "c2"} {
		for _, s := range agents.States {
			want[c+"/"+string(s)] = 0
		}
	}
	want["c1/paused"], want["c1/ready"], want["c1/reserved"], want["c2/offline"] = 1, 1, 1, 1
	if got := scrape(t, reg); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("scrape\n got %v\nwant %v", got, want)
	}
	// Read at scrape time: a change shows at the next scrape.
	must(r.Connect(ctx, "a", "x", at(3))).of(t)
	want["c1/reserved"], want["c1/talking"] = 0, 1
	if got := scrape(t, reg); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("scrape after connect\n got %v\nwant %v", got, want)
	}
}
