package sim

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dialer/dialer/internal/clock"
	"github.com/dialer/dialer/telephony"
)

func TestDistSample(t *testing.T) {
	const n = 200_000
	tests := []struct {
		name           string
		d              Dist
		mean, sd       time.Duration // expected moments (sd < 0: not checked)
		min, max       time.Duration
		relMean, relSD float64
	}{
		{"constant", Constant(7 * time.Second), 7 * time.Second, 0, 7 * time.Second, 7 * time.Second, 0, 0},
		{"empty kind is constant", Dist{Mean: time.Second}, time.Second, 0, time.Second, time.Second, 0, 0},
		{"uniform", Uniform(3*time.Second, 10*time.Second), 6500 * time.Millisecond, time.Duration(7e9 / math.Sqrt(12)), 3 * time.Second, 10 * time.Second, 0.01, 0.01},
		{"exponential", Dist{Kind: DistExponential, Mean: 4 * time.Second}, 4 * time.Second, 4 * time.Second, 0, time.Duration(math.MaxInt64), 0.02, 0.03},
		{"lognormal", Dist{Kind: DistLognormal, Mean: 12 * time.Second, SD: 6 * time.Second}, 12 * time.Second, 6 * time.Second, 0, time.Duration(math.MaxInt64), 0.02, 0.05},
		{"lognormal clamped", Dist{Kind: DistLognormal, Mean: 12 * time.Second, SD: 6 * time.Second, Min: 10 * time.Second, Max: 14 * time.Second}, -1, -1, 10 * time.Second, 14 * time.Second, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.d.Validate(); err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(1, 2))
			var sum, sum2 float64
			lo, hi := time.Duration(math.MaxInt64), time.Duration(0)
			for range n {
				v := tc.d.Sample(r)
				lo, hi = min(lo, v), max(hi, v)
				x := v.Seconds()
				sum += x
				sum2 += x * x
			}
			mean := sum / n
			sd := math.Sqrt(sum2/n - mean*mean)
			if lo < tc.min || hi > tc.max {
				t.Errorf("samples in [%v, %v], want within [%v, %v]", lo, hi, tc.min, tc.max)
			}
			if tc.mean >= 0 && math.Abs(mean-tc.mean.Seconds()) > tc.relMean*tc.mean.Seconds()+1e-9 {
				t.Errorf("mean %.4gs, want %v ±%.0f%%", mean, tc.mean, tc.relMean*100)
			}
			if tc.sd >= 0 && math.Abs(sd-tc.sd.Seconds()) > tc.relSD*tc.sd.Seconds()+1e-9 {
				t.Errorf("sd %.4gs, want %v ±%.0f%%", sd, tc.sd, tc.relSD*100)
			}
		})
	}
}

func TestDistValidate(t *testing.T) {
	bad := []Dist{
		{Kind: "gaussian", Mean: time.Second},
		{Kind: DistExponential},
		{Kind: DistLognormal, SD: time.Second},
		{Kind: DistUniform, Min: 2 * time.Second, Max: time.Second},
		{Kind: DistConstant, Mean: -time.Second},
	}
	for _, d := range bad {
		if err := d.Validate(); err == nil {
			t.Errorf("%+v: valid, want an error", d)
		}
	}
}

func TestDistJSON(t *testing.T) {
	var d Dist
	if err := json.Unmarshal([]byte(`{"kind":"lognormal","mean":"12s","sd":6000000000,"max":"1m"}`), &d); err != nil {
		t.Fatal(err)
	}
	want := Dist{Kind: DistLognormal, Mean: 12 * time.Second, SD: 6 * time.Second, Max: time.Minute}
	if d != want {
		t.Fatalf("got %+v, want %+v", d, want)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Dist
	if err := json.Unmarshal(b, &back); err != nil || back != d {
		t.Fatalf("round trip %s → %+v, %v", b, back, err)
	}
	for _, in := range []string{`{"kind":"constant","mean":"soon"}`, `{"kind":"constant","average":"1s"}`, `{"kind":"constant","mean":true}`} {
		if err := json.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

func TestConfigYAML(t *testing.T) {
	src := `
human: 0.4
machine: 0.1
ring_time: {kind: uniform, min: 2s, max: 20s}
talk_time: {kind: lognormal, mean: 90s, sd: 30s}
fixed: {"+15550100": busy}
seed: 7
`
	c := DefaultConfig()
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if c.Human != 0.4 || c.RingTime != Uniform(2*time.Second, 20*time.Second) || c.TalkTime.Mean != 90*time.Second || c.Fixed["+15550100"] != Busy || c.Seed != 7 {
		t.Fatalf("decoded %+v", c)
	}
	if c.Busy != DefaultConfig().Busy {
		t.Errorf("unset field lost its default: busy = %v", c.Busy)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.TalkTime.Min != 0 {
		t.Errorf("talk_time kept the default's min %v", c.TalkTime.Min)
	}
	for _, in := range []string{"humans: 0.4\n", "ring_time: {kind: uniform, min: 2s, maximum: 3s}\n", "ring_time: {kind: constant, mean: soon}\n"} {
		dec = yaml.NewDecoder(strings.NewReader(in))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	// Marshal and decode back (cmd/dialer does this with the file's node).
	out, err := yaml.Marshal(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var back Config
	if err := yaml.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back.RingTime != DefaultConfig().RingTime || back.Human != DefaultConfig().Human {
		t.Errorf("yaml round trip:\n%s\n→ %+v", out, back)
	}
}

func TestConfigValidateFields(t *testing.T) {
	tests := []struct {
		mut  func(*Config)
		want string
	}{
		{func(c *Config) { c.Busy = -0.1 }, "busy"},
		{func(c *Config) { c.Fax = 1.5 }, "fax"},
		{func(c *Config) { c.Congestion = math.NaN() }, "congestion"},
		{func(c *Config) { c.InvalidIntercept = 2 }, "invalid_intercept"},
		{func(c *Config) { c.PostDial = Dist{Kind: DistExponential} }, "post_dial"},
		{func(c *Config) { c.Patience.Kind = "normal" }, "patience"},
		{func(c *Config) { c.Greeting = Uniform(5*time.Second, time.Second) }, "greeting"},
		{func(c *Config) { c.WrapTime.Mean = -1 }, "wrap_time"},
		{func(c *Config) { c.TalkTime.Kind = "x" }, "talk_time"},
		{func(c *Config) { c.MachineSilence = -time.Second }, "machine_silence"},
		{func(c *Config) { c.FaxHold = -time.Second }, "fax_hold"},
	}
	for _, tc := range tests {
		c := DefaultConfig()
		tc.mut(&c)
		_, err := New(c, clock.Real)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want+":") {
			t.Errorf("%s: err %v", tc.want, err)
		}
	}
}

// TestOutcomeShares draws many plans from DefaultConfig and checks each
// outcome's share against its probability (within 5 standard errors).
func TestOutcomeShares(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RingTime = Constant(5 * time.Second) // all answer within the timeout
	n, err := New(cfg, clock.Real)
	if err != nil {
		t.Fatal(err)
	}
	const draws = 100_000
	got := map[Outcome]int{}
	for range draws {
		p, _ := n.drawLocked(telephony.OriginateRequest{Number: "+15550000", Timeout: 25 * time.Second})
		got[p.truth]++
	}
	want := map[Outcome]float64{Human: .30, Machine: .20, Busy: .10, Invalid: .05, Fax: .01, Congestion: .01, NoAnswer: .33}
	for o, p := range want {
		share := float64(got[o]) / draws
		se := math.Sqrt(p * (1 - p) / draws)
		if math.Abs(share-p) > 5*se {
			t.Errorf("%s: share %.4f, want %.2f ± %.4f", o, share, p, 5*se)
		}
	}
}

func TestRingTimeoutMakesNoAnswer(t *testing.T) {
	cfg := fixedConfig()
	cfg.RingTime = Uniform(0, 40*time.Second)
	n, err := New(cfg, clock.Real)
	if err != nil {
		t.Fatal(err)
	}
	for range 10_000 {
		p, _ := n.drawLocked(telephony.OriginateRequest{Number: "+1000", Timeout: 20 * time.Second})
		switch {
		case p.truth == Human && p.answerAt >= 20*time.Second:
			t.Fatalf("human answering at %v with a 20s timeout", p.answerAt)
		case p.truth == NoAnswer && p.answerAt < 20*time.Second:
			t.Fatalf("no answer though it answers at %v", p.answerAt)
		case p.answerAt < p.postDial:
			t.Fatalf("answers at %v before ringing at %v", p.answerAt, p.postDial)
		}
	}
}

func TestSeedDeterminism(t *testing.T) {
	seq := func(seed int64) []Outcome {
		cfg := DefaultConfig()
		cfg.Seed = seed
		n, err := New(cfg, clock.Real)
		if err != nil {
			t.Fatal(err)
		}
		var out []Outcome
		for range 200 {
			n.WrapTime() // wrap-up draws must not disturb calls
			p, _ := n.drawLocked(telephony.OriginateRequest{Number: "+15550000", Timeout: 25 * time.Second})
			out = append(out, p.truth)
		}
		return out
	}
	a, b, c := seq(42), seq(42), seq(43)
	same := func(x, y []Outcome) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("same seed, different outcomes")
	}
	if same(a, c) {
		t.Error("different seeds, same 200 outcomes")
	}
}

func TestWrapTime(t *testing.T) {
	cfg := DefaultConfig()
	cfg.WrapTime = Uniform(10*time.Second, 20*time.Second)
	n, err := New(cfg, clock.Real)
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[time.Duration]bool{}
	for range 100 {
		w := n.WrapTime()
		if w < 10*time.Second || w > 20*time.Second {
			t.Fatalf("wrap %v outside [10s, 20s]", w)
		}
		distinct[w] = true
	}
	if len(distinct) < 90 {
		t.Errorf("only %d distinct wrap times of 100", len(distinct))
	}
}
