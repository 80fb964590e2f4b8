package sim

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Outcome is what a number really is, the truth the network plays out.
type Outcome string

// Outcomes of a call attempt.
const (
	Human      Outcome = "human"
	Machine    Outcome = "machine"
	Busy       Outcome = "busy"
	Invalid    Outcome = "invalid"
	Fax        Outcome = "fax"
	Congestion Outcome = "congestion"
	NoAnswer   Outcome = "no_answer"
)

// Outcomes lists every Outcome, in a stable order.
var Outcomes = []Outcome{Human, Machine, Busy, Invalid, Fax, Congestion, NoAnswer}

func (o Outcome) valid() bool {
	for _, k := range Outcomes {
		if o == k {
			return true
		}
	}
	return false
}

// answers reports whether calls of this outcome are answered (when they
// answer before the ring timeout).
func (o Outcome) answers() bool { return o == Human || o == Machine || o == Fax }

// Dist kinds.
const (
	DistConstant    = "constant"    // always Mean
	DistExponential = "exponential" // mean Mean, clamped to [Min, Max] when set
	DistLognormal   = "lognormal"   // mean Mean, standard deviation SD, clamped to [Min, Max] when set
	DistUniform     = "uniform"     // uniform on [Min, Max]
)

// Dist is a distribution of durations. An empty Kind means constant.
//
// In YAML durations are strings ("12s", "300ms"); in JSON they are strings
// too, or numbers of nanoseconds.
type Dist struct {
	Kind string        `yaml:"kind" json:"kind"`
	Mean time.Duration `yaml:"mean,omitempty" json:"mean,omitempty"`
	SD   time.Duration `yaml:"sd,omitempty" json:"sd,omitempty"`
	Min  time.Duration `yaml:"min,omitempty" json:"min,omitempty"`
	Max  time.Duration `yaml:"max,omitempty" json:"max,omitempty"`
}

// Constant is a Dist that always gives d.
func Constant(d time.Duration) Dist { return Dist{Kind: DistConstant, Mean: d} }

// Uniform is a Dist uniform on [lo, hi].
func Uniform(lo, hi time.Duration) Dist { return Dist{Kind: DistUniform, Min: lo, Max: hi} }

// Validate checks the distribution's parameters.
func (d Dist) Validate() error {
	if d.Min < 0 || d.Max < 0 || d.Mean < 0 || d.SD < 0 {
		return fmt.Errorf("negative duration")
	}
	if d.Max > 0 && d.Min > d.Max {
		return fmt.Errorf("min %v > max %v", d.Min, d.Max)
	}
	switch d.Kind {
	case "", DistConstant:
	case DistExponential:
		if d.Mean <= 0 {
			return fmt.Errorf("exponential needs mean > 0")
		}
	case DistLognormal:
		if d.Mean <= 0 {
			return fmt.Errorf("lognormal needs mean > 0")
		}
	case DistUniform:
		if d.Max <= 0 && d.Min > 0 {
			return fmt.Errorf("uniform needs max >= min")
		}
	default:
		return fmt.Errorf("unknown kind %q (want constant, exponential, lognormal or uniform)", d.Kind)
	}
	return nil
}

// Sample draws one duration (never negative). The distribution must be valid.
func (d Dist) Sample(r *rand.Rand) time.Duration {
	var x float64
	switch d.Kind {
	case "", DistConstant:
		return d.Mean
	case DistUniform:
		if d.Max <= d.Min {
			return d.Min
		}
		return d.Min + time.Duration(r.Int64N(int64(d.Max-d.Min)+1))
	case DistExponential:
		x = r.ExpFloat64() * float64(d.Mean)
	case DistLognormal:
		m, s := float64(d.Mean), float64(d.SD)
		sigma2 := math.Log1p(s * s / (m * m))
		mu := math.Log(m) - sigma2/2
		x = math.Exp(mu + math.Sqrt(sigma2)*r.NormFloat64())
	}
	if x > math.MaxInt64/2 {
		x = math.MaxInt64 / 2
	}
	v := time.Duration(x)
	if v < d.Min {
		v = d.Min
	}
	if d.Max > 0 && v > d.Max {
		v = d.Max
	}
	return v
}

// dist is Dist's JSON shape, with durations as strings.
type distJSON struct {
	Kind string          `json:"kind"`
	Mean json.RawMessage `json:"mean,omitempty"`
	SD   json.RawMessage `json:"sd,omitempty"`
	Min  json.RawMessage `json:"min,omitempty"`
	Max  json.RawMessage `json:"max,omitempty"`
}

// MarshalJSON writes durations as strings ("12s").
func (d Dist) MarshalJSON() ([]byte, error) {
	out := map[string]string{"kind": d.Kind}
	for name, v := range map[string]time.Duration{"mean": d.Mean, "sd": d.SD, "min": d.Min, "max": d.Max} {
		if v != 0 {
			out[name] = v.String()
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads durations as strings ("12s") or nanoseconds; unknown
// fields are errors.
func (d *Dist) UnmarshalJSON(b []byte) error {
	var raw distJSON
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	var out Dist
	out.Kind = raw.Kind
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *time.Duration
	}{{"mean", raw.Mean, &out.Mean}, {"sd", raw.SD, &out.SD}, {"min", raw.Min, &out.Min}, {"max", raw.Max, &out.Max}} {
		if len(f.raw) == 0 {
			continue
		}
		var s string
		if err := json.Unmarshal(f.raw, &s); err == nil {
			v, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("%s: %w", f.name, err)
			}
			*f.dst = v
			continue
		}
		var n int64
		if err := json.Unmarshal(f.raw, &n); err != nil {
			return fmt.Errorf("%s: want a duration string or nanoseconds", f.name)
		}
		*f.dst = time.Duration(n)
	}
	*d = out
	return nil
}

// UnmarshalYAML decodes a whole distribution: fields not given are zero, not
// kept from the value decoded into, and unknown fields are errors.
func (d *Dist) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(node.Content); i += 2 {
			switch k := node.Content[i].Value; k {
			case "kind", "mean", "sd", "min", "max":
			default:
				return fmt.Errorf("line %d: field %s not found in a distribution (want kind, mean, sd, min, max)", node.Content[i].Line, k)
			}
		}
	}
	type plain Dist
	var p plain
	if err := node.Decode(&p); err != nil {
		return err
	}
	*d = Dist(p)
	return nil
}

// Config describes the simulated network: what share of numbers is what, and
// how long each stage of a call takes.
type Config struct {
	// Per-attempt outcome probabilities, each in [0, 1], summing to at most
	// 1; the rest is no answer (ring until the request's Timeout, then
	// EventHangup with CauseNoAnswer).
	Human      float64 `yaml:"human" json:"human"`
	Machine    float64 `yaml:"machine" json:"machine"`
	Busy       float64 `yaml:"busy" json:"busy"`
	Invalid    float64 `yaml:"invalid" json:"invalid"`
	Fax        float64 `yaml:"fax" json:"fax"`
	Congestion float64 `yaml:"congestion" json:"congestion"`

	// RingTime is the time from originate to answer of answered calls
	// (human, machine, fax). A call whose RingTime reaches the request's
	// Timeout is not answered.
	RingTime Dist `yaml:"ring_time" json:"ring_time"`
	// PostDial is the time from originate to EventRinging, and to the
	// hang-up of busy, invalid and congested calls.
	PostDial Dist `yaml:"post_dial" json:"post_dial"`
	// Greeting is a machine's greeting length before its beep (when no
	// audio is requested; with audio the clip's length rules).
	Greeting Dist `yaml:"greeting" json:"greeting"`
	// Patience is how long an answered person who is not connected waits
	// before hanging up.
	Patience Dist `yaml:"patience" json:"patience"`
	// TalkTime is how long a connected person talks before hanging up.
	TalkTime Dist `yaml:"talk_time" json:"talk_time"`
	// WrapTime is simulated agents' wrap-up time, for the agent bots
	// (Network.WrapTime).
	WrapTime Dist `yaml:"wrap_time" json:"wrap_time"`

	// MachineSilence is how long a machine records silence after its beep
	// before it hangs up (0 means 30 s).
	MachineSilence time.Duration `yaml:"machine_silence,omitempty" json:"machine_silence,omitempty"`
	// FaxHold is how long a fax machine keeps calling before it hangs up
	// (0 means 40 s).
	FaxHold time.Duration `yaml:"fax_hold,omitempty" json:"fax_hold,omitempty"`
	// InvalidIntercept is the share of invalid numbers that, when the
	// request asks for audio, are answered by an intercept (special
	// information tones and an announcement) and then hung up with
	// CauseInvalid, as many networks do. Without audio, invalid numbers are
	// never answered.
	InvalidIntercept float64 `yaml:"invalid_intercept" json:"invalid_intercept"`

	// Fixed maps numbers to outcomes, overriding the probabilities, for
	// deterministic tests.
	Fixed map[string]Outcome `yaml:"fixed,omitempty" json:"fixed,omitempty"`
	// Seed seeds the network's randomness: the same seed and the same
	// sequence of calls give the same outcomes and times.
	Seed int64 `yaml:"seed" json:"seed"`
}

// DefaultConfig is a realistic collections list: about 30% human, 20%
// machine, 10% busy, 5% invalid, 1% fax, 1% congestion, the rest (33%) no
// answer; ring time lognormal mean 12 s (SD 6 s), talk time lognormal mean
// 120 s, wrap-up mean 15 s, patience 3–10 s.
func DefaultConfig() Config {
	return Config{
		Human: 0.30, Machine: 0.20, Busy: 0.10, Invalid: 0.05, Fax: 0.01, Congestion: 0.01,
		RingTime:         Dist{Kind: DistLognormal, Mean: 12 * time.Second, SD: 6 * time.Second, Min: 2 * time.Second},
		PostDial:         Uniform(300*time.Millisecond, 2*time.Second),
		Greeting:         Uniform(3*time.Second, 12*time.Second),
		Patience:         Uniform(3*time.Second, 10*time.Second),
		TalkTime:         Dist{Kind: DistLognormal, Mean: 120 * time.Second, SD: 60 * time.Second, Min: 10 * time.Second},
		WrapTime:         Dist{Kind: DistLognormal, Mean: 15 * time.Second, SD: 7 * time.Second, Min: 2 * time.Second},
		MachineSilence:   30 * time.Second,
		FaxHold:          40 * time.Second,
		InvalidIntercept: 0.5,
		Seed:             1,
	}
}

// Validate checks the config; the error wraps ErrConfig and names every bad
// field.
func (c Config) Validate() error {
	var problems []string
	sum := 0.0
	for _, p := range []struct {
		name string
		v    float64
	}{{"human", c.Human}, {"machine", c.Machine}, {"busy", c.Busy}, {"invalid", c.Invalid}, {"fax", c.Fax}, {"congestion", c.Congestion}, {"invalid_intercept", c.InvalidIntercept}} {
		if math.IsNaN(p.v) || p.v < 0 || p.v > 1 {
			problems = append(problems, fmt.Sprintf("%s: probability %v not in [0, 1]", p.name, p.v))
			continue
		}
		if p.name != "invalid_intercept" {
			sum += p.v
		}
	}
	if sum > 1+1e-9 {
		problems = append(problems, fmt.Sprintf("human+machine+busy+invalid+fax+congestion: probabilities sum to %.4g > 1", sum))
	}
	for _, d := range []struct {
		name string
		d    Dist
	}{{"ring_time", c.RingTime}, {"post_dial", c.PostDial}, {"greeting", c.Greeting}, {"patience", c.Patience}, {"talk_time", c.TalkTime}, {"wrap_time", c.WrapTime}} {
		if err := d.d.Validate(); err != nil {
			problems = append(problems, d.name+": "+err.Error())
		}
	}
	if c.MachineSilence < 0 {
		problems = append(problems, "machine_silence: negative")
	}
	if c.FaxHold < 0 {
		problems = append(problems, "fax_hold: negative")
	}
	for _, num := range slices.Sorted(maps.Keys(c.Fixed)) {
		if o := c.Fixed[num]; !o.valid() {
			problems = append(problems, fmt.Sprintf("fixed[%s]: unknown outcome %q", maskNumber(num), o))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrConfig, strings.Join(problems, "; "))
	}
	return nil
}

// maskNumber hides the middle of a phone number for logs: "+12025550143"
// becomes "+1202*****43".
func maskNumber(s string) string {
	if len(s) <= 6 {
		return strings.Repeat("*", len(s))
	}
	keep := 5
	if len(s) < 10 {
		keep = 3
	}
	return s[:keep] + strings.Repeat("*", len(s)-keep-2) + s[len(s)-2:]
}
