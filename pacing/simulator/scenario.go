package simulator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"gonum.org/v1/gonum/stat/distuv"
)

// Scenario is a what-if: a team, a list's outcome mix and the time
// distributions of its calls. See test/scenarios for examples.
type Scenario struct {
	Name     string
	Seed     uint64
	Duration time.Duration
	// Agents is the number of logged-in agents over time.
	Agents []AgentStep
	// Outcomes per attempt; the rest is no answer.
	Human, Machine, Busy, Invalid, Fax, Failed []RateStep
	RingTime                                   Dist
	NoAnswerTimeout                            time.Duration
	// RejectTime is how long busy, invalid and failed attempts take to
	// fail (default constant 3 s).
	RejectTime Dist
	AMDTime    Dist
	TalkTime   Dist
	WrapTime   Dist
	// AbandonTarget and AbandonGrace are the campaign's ceiling and grace.
	AbandonTarget float64
	AbandonGrace  time.Duration
	// Tick is how often the policy decides (default 1 s).
	Tick time.Duration
	// PowerRatio is the power baseline's ratio (default 2; --tune searches).
	PowerRatio float64
	// MaxRatio bounds predictive and vicidial (0: no bound).
	MaxRatio float64
}

// AgentStep sets the team size from At on.
type AgentStep struct {
	At    time.Duration
	Count int
}

// RateStep sets a probability from At on.
type RateStep struct {
	At    time.Duration
	Value float64
}

// Dist is a duration distribution.
type Dist struct {
	Kind     string // constant, exponential, lognormal, gamma
	Mean, SD time.Duration
}

// Quantile returns the duration at probability u in [0, 1).
func (d Dist) Quantile(u float64) time.Duration {
	m, s := d.Mean.Seconds(), d.SD.Seconds()
	var x float64
	switch d.Kind {
	case "constant":
		x = m
	case "exponential":
		x = -m * math.Log1p(-u)
	case "lognormal":
		if s == 0 {
			x = m
			break
		}
		sig := math.Sqrt(math.Log1p(s * s / (m * m)))
		x = distuv.LogNormal{Mu: math.Log(m) - sig*sig/2, Sigma: sig}.Quantile(u)
	case "gamma":
		if s == 0 {
			x = m
			break
		}
		k := m * m / (s * s)
		x = distuv.Gamma{Alpha: k, Beta: k / m}.Quantile(u)
	}
	return time.Duration(x * float64(time.Second))
}

// yaml shapes, decoded strictly.
type rawScenario struct {
	Name            string     `yaml:"name"`
	Seed            *uint64    `yaml:"seed"`
	Duration        string     `yaml:"duration"`
	Agents          yaml.Node  `yaml:"agents"`
	Outcomes        rawOutcome `yaml:"outcomes"`
	RingTime        *rawDist   `yaml:"ring_time"`
	NoAnswerTimeout string     `yaml:"no_answer_timeout"`
	RejectTime      *rawDist   `yaml:"reject_time"`
	AMDTime         *rawDist   `yaml:"amd_time"`
	TalkTime        *rawDist   `yaml:"talk_time"`
	WrapTime        *rawDist   `yaml:"wrap_time"`
	AbandonTarget   *float64   `yaml:"abandon_target"`
	AbandonGrace    string     `yaml:"abandon_grace"`
	Tick            string     `yaml:"tick"`
	PowerRatio      float64    `yaml:"power_ratio"`
	MaxRatio        float64    `yaml:"max_ratio"`
}

type rawOutcome struct {
	Human   yaml.Node `yaml:"human"`
	Machine yaml.Node `yaml:"machine"`
	Busy    yaml.Node `yaml:"busy"`
	Invalid yaml.Node `yaml:"invalid"`
	Fax     yaml.Node `yaml:"fax"`
	Failed  yaml.Node `yaml:"failed"`
}

type rawDist struct {
	Dist string `yaml:"dist"`
	Mean string `yaml:"mean"`
	SD   string `yaml:"sd"`
}

func bad(field, format string, a ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Parse decodes and validates a scenario. Unknown fields are errors, and
// every error names the field.
func Parse(data []byte) (*Scenario, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var r rawScenario
	if err := dec.Decode(&r); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, bad("name", "is required (the scenario is empty)")
		}
		msg := err.Error()
		if i := strings.Index(msg, "field "); i >= 0 && strings.Contains(msg, "not found") {
			// yaml: "line N: field foo not found in type ..."
			f := strings.Fields(msg[i+len("field "):])
			if len(f) > 0 {
				name := f[0]
				if strings.HasSuffix(msg, "rawOutcome") {
					name = "outcomes." + name
				}
				return nil, bad(name, "unknown field")
			}
		}
		var doc yaml.Node
		if li := strings.Index(msg, "line "); li >= 0 && yaml.Unmarshal(data, &doc) == nil {
			var line int
			if _, e := fmt.Sscanf(msg[li:], "line %d:", &line); e == nil {
				if path := pathAtLine(&doc, "", line); path != "" {
					return nil, bad(path, "%s", strings.TrimSpace(msg[strings.LastIndex(msg, ":")+1:]))
				}
			}
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidScenario, err)
	}
	s := &Scenario{Name: r.Name, PowerRatio: r.PowerRatio, MaxRatio: r.MaxRatio}
	if strings.TrimSpace(s.Name) == "" {
		return nil, bad("name", "is required")
	}
	if r.Seed == nil {
		return nil, bad("seed", "is required")
	}
	s.Seed = *r.Seed
	var err error
	if s.Duration, err = dur("duration", r.Duration, true); err != nil {
		return nil, err
	}
	if s.Duration <= 0 || s.Duration > 7*24*time.Hour {
		return nil, bad("duration", "must be between 0 and 168h, got %v", s.Duration)
	}
	if s.Agents, err = agentSteps(&r.Agents, s.Duration); err != nil {
		return nil, err
	}
	for _, o := range []struct {
		name string
		node *yaml.Node
		dst  *[]RateStep
	}{
		{"outcomes.human", &r.Outcomes.Human, &s.Human},
		{"outcomes.machine", &r.Outcomes.Machine, &s.Machine},
		{"outcomes.busy", &r.Outcomes.Busy, &s.Busy},
		{"outcomes.invalid", &r.Outcomes.Invalid, &s.Invalid},
		{"outcomes.fax", &r.Outcomes.Fax, &s.Fax},
		{"outcomes.failed", &r.Outcomes.Failed, &s.Failed},
	} {
		if *o.dst, err = rateSteps(o.name, o.node, s.Duration); err != nil {
			return nil, err
		}
	}
	if len(s.Human) == 0 || s.Human[0].Value == 0 && len(s.Human) == 1 {
		return nil, bad("outcomes.human", "is required and must be above 0")
	}
	// The outcome probabilities must sum to at most 1 at every moment.
	var times []time.Duration
	for _, l := range [][]RateStep{s.Human, s.Machine, s.Busy, s.Invalid, s.Fax, s.Failed} {
		for _, st := range l {
			times = append(times, st.At)
		}
	}
	for _, t := range times {
		if sum := s.outcomeSum(t); sum > 1+1e-9 {
			return nil, bad("outcomes", "probabilities sum to %.3f at %v (must be ≤ 1)", sum, t)
		}
	}
	for _, d := range []struct {
		name     string
		raw      *rawDist
		dst      *Dist
		required bool
		def      Dist
	}{
		{"ring_time", r.RingTime, &s.RingTime, true, Dist{}},
		{"amd_time", r.AMDTime, &s.AMDTime, true, Dist{}},
		{"talk_time", r.TalkTime, &s.TalkTime, true, Dist{}},
		{"wrap_time", r.WrapTime, &s.WrapTime, true, Dist{}},
		{"reject_time", r.RejectTime, &s.RejectTime, false, Dist{Kind: "constant", Mean: 3 * time.Second}},
	} {
		if d.raw == nil {
			if d.required {
				return nil, bad(d.name, "is required")
			}
			*d.dst = d.def
			continue
		}
		if *d.dst, err = parseDist(d.name, *d.raw); err != nil {
			return nil, err
		}
	}
	if s.NoAnswerTimeout, err = dur("no_answer_timeout", r.NoAnswerTimeout, true); err != nil {
		return nil, err
	}
	if s.NoAnswerTimeout <= 0 {
		return nil, bad("no_answer_timeout", "must be positive")
	}
	if r.AbandonTarget == nil {
		return nil, bad("abandon_target", "is required")
	}
	s.AbandonTarget = *r.AbandonTarget
	if !(s.AbandonTarget > 0 && s.AbandonTarget < 1) {
		return nil, bad("abandon_target", "must be between 0 and 1, got %v", s.AbandonTarget)
	}
	if s.AbandonGrace, err = dur("abandon_grace", r.AbandonGrace, true); err != nil {
		return nil, err
	}
	if s.AbandonGrace <= 0 {
		return nil, bad("abandon_grace", "must be positive")
	}
	if s.Tick, err = dur("tick", r.Tick, false); err != nil {
		return nil, err
	}
	if s.Tick == 0 {
		s.Tick = time.Second
	}
	if s.Tick < 10*time.Millisecond || s.Tick > time.Minute {
		return nil, bad("tick", "must be between 10ms and 1m, got %v", s.Tick)
	}
	if s.PowerRatio == 0 {
		s.PowerRatio = 2
	}
	if !(s.PowerRatio >= 1 && s.PowerRatio <= 50) {
		return nil, bad("power_ratio", "must be between 1 and 50, got %v", s.PowerRatio)
	}
	if s.MaxRatio < 0 {
		return nil, bad("max_ratio", "must not be negative")
	}
	return s, nil
}

func dur(field, v string, required bool) (time.Duration, error) {
	if v == "" {
		if required {
			return 0, bad(field, "is required")
		}
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, bad(field, "%q is not a duration (like 12s or 8h)", v)
	}
	if d < 0 {
		return 0, bad(field, "must not be negative")
	}
	return d, nil
}

func parseDist(field string, r rawDist) (Dist, error) {
	d := Dist{Kind: r.Dist}
	if !slices.Contains([]string{"constant", "exponential", "lognormal", "gamma"}, r.Dist) {
		return d, bad(field+".dist", "%q is not one of constant, exponential, lognormal, gamma", r.Dist)
	}
	var err error
	if d.Mean, err = dur(field+".mean", r.Mean, true); err != nil {
		return d, err
	}
	if d.Mean <= 0 {
		return d, bad(field+".mean", "must be positive")
	}
	needSD := r.Dist == "lognormal" || r.Dist == "gamma"
	if d.SD, err = dur(field+".sd", r.SD, needSD); err != nil {
		return d, err
	}
	if !needSD && r.SD != "" {
		return d, bad(field+".sd", "is not used by %s", r.Dist)
	}
	return d, nil
}

func agentSteps(n *yaml.Node, total time.Duration) ([]AgentStep, error) {
	const field = "agents"
	switch n.Kind {
	case 0:
		return nil, bad(field, "is required")
	case yaml.ScalarNode:
		var c int
		if err := n.Decode(&c); err != nil {
			return nil, bad(field, "%q is not a number of agents", n.Value)
		}
		if c < 1 || c > 100000 {
			return nil, bad(field, "must be between 1 and 100000, got %d", c)
		}
		return []AgentStep{{0, c}}, nil
	case yaml.SequenceNode:
		var out []AgentStep
		for i, item := range n.Content {
			f := fmt.Sprintf("%s[%d]", field, i)
			var raw struct {
				At    string `yaml:"at"`
				Count *int   `yaml:"count"`
			}
			if err := decodeStrict(item, &raw); err != nil {
				return nil, bad(f, "%v", err)
			}
			var prev time.Duration
			if i > 0 {
				prev = out[i-1].At
			}
			at, err := stepAt(f+".at", raw.At, i, prev, total)
			if err != nil {
				return nil, err
			}
			if raw.Count == nil || *raw.Count < 0 || *raw.Count > 100000 {
				return nil, bad(f+".count", "is required, between 0 and 100000")
			}
			out = append(out, AgentStep{at, *raw.Count})
		}
		if len(out) == 0 {
			return nil, bad(field, "the schedule is empty")
		}
		return out, nil
	}
	return nil, bad(field, "must be a number or a schedule [{at, count}]")
}

func rateSteps(field string, n *yaml.Node, total time.Duration) ([]RateStep, error) {
	check := func(f string, v float64) error {
		if !(v >= 0 && v <= 1) {
			return bad(f, "must be a probability between 0 and 1, got %v", v)
		}
		return nil
	}
	switch n.Kind {
	case 0:
		return nil, nil
	case yaml.ScalarNode:
		var v float64
		if err := n.Decode(&v); err != nil {
			return nil, bad(field, "%q is not a probability", n.Value)
		}
		if err := check(field, v); err != nil {
			return nil, err
		}
		return []RateStep{{0, v}}, nil
	case yaml.SequenceNode:
		var out []RateStep
		for i, item := range n.Content {
			f := fmt.Sprintf("%s[%d]", field, i)
			var raw struct {
				At    string   `yaml:"at"`
				Value *float64 `yaml:"value"`
			}
			if err := decodeStrict(item, &raw); err != nil {
				return nil, bad(f, "%v", err)
			}
			var prev time.Duration
			if i > 0 {
				prev = out[i-1].At
			}
			at, err := stepAt(f+".at", raw.At, i, prev, total)
			if err != nil {
				return nil, err
			}
			if raw.Value == nil {
				return nil, bad(f+".value", "is required")
			}
			if err := check(f+".value", *raw.Value); err != nil {
				return nil, err
			}
			out = append(out, RateStep{at, *raw.Value})
		}
		return out, nil
	}
	return nil, bad(field, "must be a probability or a schedule [{at, value}]")
}

// stepAt parses the time of step i of a schedule: the first at 0h, each
// after the one before (prev), all before the end of the scenario.
func stepAt(field, raw string, i int, prev, total time.Duration) (time.Duration, error) {
	at, err := dur(field, raw, true)
	if err != nil {
		return 0, err
	}
	if i == 0 && at != 0 {
		return 0, bad(field, "the first step must be at 0h")
	}
	if i > 0 && at <= prev {
		return 0, bad(field, "steps must be in increasing time")
	}
	if at >= total {
		return 0, bad(field, "is after the end of the scenario")
	}
	return at, nil
}

// decodeStrict decodes a mapping node rejecting unknown keys.
func decodeStrict(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("must be a mapping")
	}
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

func rateAt(l []RateStep, t time.Duration) float64 {
	v := 0.0
	for _, s := range l {
		if s.At > t {
			break
		}
		v = s.Value
	}
	return v
}

func (s *Scenario) outcomeSum(t time.Duration) float64 {
	return rateAt(s.Human, t) + rateAt(s.Machine, t) + rateAt(s.Busy, t) +
		rateAt(s.Invalid, t) + rateAt(s.Fax, t) + rateAt(s.Failed, t)
}

// MaxAgents is the largest team size in the schedule.
func (s *Scenario) MaxAgents() int {
	m := 0
	for _, a := range s.Agents {
		m = max(m, a.Count)
	}
	return m
}

// pathAtLine is the dotted path of the mapping value that starts on line
// (for naming the field of a YAML type error).
func pathAtLine(n *yaml.Node, prefix string, line int) string {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if p := pathAtLine(c, prefix, line); p != "" {
				return p
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if prefix != "" {
				p = prefix + "." + p
			}
			if v.Kind == yaml.ScalarNode && v.Line == line {
				return p
			}
			if q := pathAtLine(v, p, line); q != "" {
				return q
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if q := pathAtLine(c, fmt.Sprintf("%s[%d]", prefix, i), line); q != "" {
				return q
			}
		}
	}
	return ""
}
