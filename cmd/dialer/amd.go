package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dialer/dialer/amd"
)

const amdUsage = `usage:
  dialer amd classify [--json] [--baseline] [--config JSON] FILE...
      classify WAV files (PCM, µ-law, A-law; any rate). --json prints one
      object per line: {"file","result","decision_ms","beep_ms","sit"}.
      A recording that ends before a verdict is followed by up to 6 s of
      silence (a line gone quiet). --config takes detector settings as JSON.
  dialer amd eval [--labels test/amd/out/labels.csv] [--wav DIR] [--misses] [--config JSON]
      run our detector and the app_amd-style baseline over a labelled corpus
      (test/amd/build-corpus.sh) and print the report tables side by side.
`

// runAMD is `dialer amd ARGS...`.
func runAMD(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, amdUsage)
		return errors.New("amd: missing subcommand")
	}
	switch args[0] {
	case "classify":
		return amdClassify(ctx, args[1:], stdout, stderr)
	case "eval":
		return amdEval(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, amdUsage)
		return nil
	}
	fmt.Fprint(stderr, amdUsage)
	return fmt.Errorf("amd: unknown subcommand %q", args[0])
}

// amdPad is how much silence follows a recording that ends before a verdict.
const amdPad = 6 * time.Second

// amdResult is one line of `dialer amd classify --json`.
type amdResult struct {
	File       string  `json:"file"`
	Result     string  `json:"result"`
	DecisionMS *int64  `json:"decision_ms"`
	BeepMS     *int64  `json:"beep_ms"`
	SIT        *string `json:"sit"`
}

// amdError is the line of a file that could not be classified.
type amdError struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// classifyFile reads one WAV file and classifies it with c.
func classifyFile(path string, c amd.Classifier) (amdResult, error) {
	res := amdResult{File: path}
	f, err := os.Open(path)
	if err != nil {
		return res, err
	}
	defer f.Close()
	samples, err := amd.ReadWAV(f)
	if err != nil {
		return res, err
	}
	return summarize(path, amd.Classify(c, samples, amdPad)), nil
}

// summarize turns a call's verdicts into a result line.
func summarize(file string, vs []amd.Verdict) amdResult {
	res := amdResult{File: file, Result: amd.Unknown.String()}
	first := true
	for _, v := range vs {
		switch {
		case v.Kind == amd.Beep:
			ms := v.BeepAt.Milliseconds()
			res.BeepMS = &ms
		case first:
			first = false
			ms := v.At.Milliseconds()
			res.Result, res.DecisionMS = v.Kind.String(), &ms
			if v.Kind == amd.SIT {
				s := string(v.SIT)
				res.SIT = &s
			}
		}
	}
	return res
}

func amdClassify(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("amd classify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per file")
	baseline := fs.Bool("baseline", false, "use the app_amd-style baseline instead of our detector")
	cfgJSON := fs.String("config", "", `detector settings as JSON, e.g. '{"human_silence_ms":400}'`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := parseAMDConfig(*cfgJSON)
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, amdUsage)
		return errors.New("amd classify: no files")
	}
	enc := json.NewEncoder(stdout)
	ok := 0
	for _, path := range fs.Args() {
		var c amd.Classifier = amd.New(cfg)
		if *baseline {
			c = amd.NewBaseline(amd.BaselineConfig{})
		}
		res, err := classifyFile(path, c)
		if err == nil {
			ok++
		}
		switch {
		case *asJSON && err != nil:
			if err := enc.Encode(amdError{File: path, Error: err.Error()}); err != nil {
				return err
			}
		case *asJSON:
			if err := enc.Encode(res); err != nil {
				return err
			}
		case err != nil:
			fmt.Fprintf(stdout, "%s\terror: %v\n", path, err)
		default:
			line := fmt.Sprintf("%s\t%s\t%d ms", path, res.Result, *res.DecisionMS)
			if res.BeepMS != nil {
				line += fmt.Sprintf("\tbeep at %d ms", *res.BeepMS)
			}
			if res.SIT != nil {
				line += "\tsit " + *res.SIT
			}
			fmt.Fprintln(stdout, line)
		}
	}
	if ok == 0 {
		return errors.New("amd classify: no file could be classified")
	}
	return nil
}

// parseAMDConfig decodes --config (empty: the defaults).
func parseAMDConfig(s string) (amd.Config, error) {
	if s == "" {
		return amd.Config{}, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return amd.Config{}, fmt.Errorf("--config: %w", err)
	}
	return amd.ParseSettings(m)
}

// amdLabel is one row of the corpus labels file.
type amdLabel struct {
	File, Label    string
	UtteranceEndMS int64 // -1 when not applicable
	BeepMS         int64 // -1 when there is no beep
	SIT            string
}

func readAMDLabels(path string) ([]amdLabel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != "file,label,first_utterance_end_ms,beep_ms,sit" {
		return nil, fmt.Errorf("%s: want the header file,label,first_utterance_end_ms,beep_ms,sit and rows", path)
	}
	num := func(s string) (int64, error) {
		if s == "" {
			return -1, nil
		}
		return strconv.ParseInt(s, 10, 64)
	}
	var out []amdLabel
	for i, r := range rows[1:] {
		l := amdLabel{File: r[0], Label: r[1], SIT: r[4]}
		var e1, e2 error
		l.UtteranceEndMS, e1 = num(r[2])
		l.BeepMS, e2 = num(r[3])
		if err := errors.Join(e1, e2); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+2, err)
		}
		out = append(out, l)
	}
	return out, nil
}

func amdEval(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("amd eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	labelsPath := fs.String("labels", "test/amd/out/labels.csv", "labels CSV written by test/amd/build-corpus.sh")
	wavDir := fs.String("wav", "", "directory of the recordings (default: wav/ beside the labels)")
	misses := fs.Bool("misses", false, "list every wrong verdict")
	cfgJSON := fs.String("config", "", `our detector's settings as JSON, e.g. '{"human_silence_ms":400}'`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := parseAMDConfig(*cfgJSON)
	if err != nil {
		return err
	}
	labels, err := readAMDLabels(*labelsPath)
	if err != nil {
		return err
	}
	dir := *wavDir
	if dir == "" {
		dir = filepath.Join(filepath.Dir(*labelsPath), "wav")
	}
	audio := make([][]int16, len(labels))
	var audioDur time.Duration
	for i, l := range labels {
		f, err := os.Open(filepath.Join(dir, l.File))
		if err != nil {
			return err
		}
		audio[i], err = amd.ReadWAV(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", l.File, err)
		}
		audioDur += time.Duration(len(audio[i])) * time.Second / amd.SampleRate
	}
	type system struct {
		name string
		make func() amd.Classifier
	}
	systems := []system{
		{"ours", func() amd.Classifier { return amd.New(cfg) }},
		{"app_amd-style baseline", func() amd.Classifier { return amd.NewBaseline(amd.BaselineConfig{}) }},
	}
	reports := make([]amdReport, len(systems))
	for si, s := range systems {
		r := &reports[si]
		r.name = s.name
		for i, l := range labels {
			res := summarize(l.File, amd.Classify(s.make(), audio[i], amdPad))
			if miss := r.add(l, res); miss != "" && *misses {
				fmt.Fprintf(stdout, "%s: %s\n", s.name, miss)
			}
		}
	}
	fmt.Fprintf(stdout, "corpus: %s, %d recordings, %.0f s of audio\n\n", *labelsPath, len(labels), audioDur.Seconds())
	printAMDReports(stdout, reports)
	return nil
}

// amdReport accumulates one system's results over a corpus.
type amdReport struct {
	name                           string
	count                          map[string]int            // by true label
	got                            map[string]map[string]int // label → result → n
	humanLag, humanDecision        []int64                   // ms: after the utterance end; from the answer
	machineDecision                []int64
	beeps, beepsWithin, falseBeeps int
	beepErr                        []int64
	sitKindOK                      int
}

func (r *amdReport) add(l amdLabel, res amdResult) (miss string) {
	if r.count == nil {
		r.count, r.got = map[string]int{}, map[string]map[string]int{}
	}
	r.count[l.Label]++
	if r.got[l.Label] == nil {
		r.got[l.Label] = map[string]int{}
	}
	r.got[l.Label][res.Result]++
	dec := int64(-1)
	if res.DecisionMS != nil {
		dec = *res.DecisionMS
	}
	switch {
	case l.Label == "human" && res.Result == "human":
		r.humanLag = append(r.humanLag, dec-l.UtteranceEndMS)
		r.humanDecision = append(r.humanDecision, dec)
	case l.Label == "machine" && res.Result == "machine":
		r.machineDecision = append(r.machineDecision, dec)
	case l.Label == "sit" && res.Result == "sit" && res.SIT != nil && *res.SIT == l.SIT:
		r.sitKindOK++
	}
	if l.Label == "sit" && res.Result == "sit" && (res.SIT == nil || *res.SIT != l.SIT) {
		miss = fmt.Sprintf("%s: sit %q, got %v", l.File, l.SIT, deref(res.SIT))
	}
	if l.Label == "machine" {
		switch {
		case l.BeepMS >= 0:
			r.beeps++
			if res.BeepMS != nil {
				e := *res.BeepMS - l.BeepMS
				r.beepErr = append(r.beepErr, max(e, -e))
				if max(e, -e) <= 150 {
					r.beepsWithin++
				}
			}
			if res.BeepMS == nil || max(*res.BeepMS-l.BeepMS, l.BeepMS-*res.BeepMS) > 150 {
				miss = fmt.Sprintf("%s: beep at %d ms, got %v", l.File, l.BeepMS, deref(res.BeepMS))
			}
		case res.BeepMS != nil:
			r.falseBeeps++
			miss = fmt.Sprintf("%s: no beep, got one at %d ms", l.File, *res.BeepMS)
		}
	}
	if res.Result != l.Label {
		miss = fmt.Sprintf("%s: %s, got %s at %d ms (utterance end %d)", l.File, l.Label, res.Result, dec, l.UtteranceEndMS)
	}
	return miss
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func pct(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%% (%d/%d)", 100*float64(n)/float64(d), n, d)
}

func quantile(xs []int64, q float64) string {
	if len(xs) == 0 {
		return "-"
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(q*float64(len(s)-1) + 0.5)
	return strconv.FormatInt(s[i], 10)
}

// printAMDReports prints the reports side by side as a Markdown table.
func printAMDReports(w io.Writer, rs []amdReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprint(tw, "| metric")
	sep := "|---"
	for _, r := range rs {
		fmt.Fprintf(tw, "\t| %s", r.name)
		sep += "\t|---"
	}
	fmt.Fprintln(tw, "\t|")
	fmt.Fprintln(tw, sep+"\t|")
	row := func(name string, f func(r *amdReport) string) {
		fmt.Fprint(tw, "| "+name)
		for i := range rs {
			fmt.Fprintf(tw, "\t| %s", f(&rs[i]))
		}
		fmt.Fprintln(tw, "\t|")
	}
	got := func(label, result string) func(r *amdReport) string {
		return func(r *amdReport) string { return pct(r.got[label][result], r.count[label]) }
	}
	row("humans called machine (≤ 2%)", got("human", "machine"))
	row("humans called human", got("human", "human"))
	row("humans called unknown/silence", func(r *amdReport) string {
		return pct(r.got["human"]["unknown"]+r.got["human"]["silence"], r.count["human"])
	})
	row("human verdict after utterance end, median ms (≤ 500)", func(r *amdReport) string { return quantile(r.humanLag, 0.5) })
	row("human verdict after utterance end, p95 ms (≤ 900)", func(r *amdReport) string { return quantile(r.humanLag, 0.95) })
	row("human decision_ms median", func(r *amdReport) string { return quantile(r.humanDecision, 0.5) })
	row("machines called human (≤ 5%)", got("machine", "human"))
	row("machines called machine", got("machine", "machine"))
	row("machine decision_ms median (≤ 3000)", func(r *amdReport) string { return quantile(r.machineDecision, 0.5) })
	row("machine decision_ms p95", func(r *amdReport) string { return quantile(r.machineDecision, 0.95) })
	row("beeps found within 150 ms", func(r *amdReport) string { return pct(r.beepsWithin, r.beeps) })
	row("beep offset error median ms", func(r *amdReport) string { return quantile(r.beepErr, 0.5) })
	row("beeps reported on beepless machines", func(r *amdReport) string { return strconv.Itoa(r.falseBeeps) })
	row("fax correct (≥ 99%)", got("fax", "fax"))
	row("SIT correct (≥ 99%)", got("sit", "sit"))
	row("SIT kind correct", func(r *amdReport) string { return pct(r.sitKindOK, r.count["sit"]) })
	row("dead air called silence", got("silence", "silence"))
	row("fax, SIT, dead air called human", func(r *amdReport) string {
		return pct(r.got["fax"]["human"]+r.got["sit"]["human"]+r.got["silence"]["human"], r.count["fax"]+r.count["sit"]+r.count["silence"])
	})
	tw.Flush()
}
