package simulator

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"text/tabwriter"
)

// Report is the simulator's output for one scenario.
type Report struct {
	Scenario string   `json:"scenario"`
	Results  []Result `json:"results"`
}

// Compare runs every spec on the same scenario (so on the same leads:
// common random numbers), at most two at a time, and returns the results in
// the order of specs.
func Compare(s *Scenario, specs []Spec) Report {
	out := make([]Result, len(specs))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, sp := range specs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = Run(s, sp)
		})
	}
	wg.Wait()
	return Report{Scenario: s.Name, Results: out}
}

// WriteJSON writes the report as JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes the report as an aligned text table.
func (r Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "scenario %s\n", r.Scenario)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "policy\tattempts\tlive\tconnected\tabandoned\tabandon%\tmax 1h%\tutil\ttalk occ\tidle s/h\tmean wait s\tp90 wait s\tsettings\t")
	for _, x := range r.Results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.2f\t%.2f\t%.3f\t%.3f\t%.0f\t%.1f\t%.1f\t%s\t\n",
			x.Policy, x.Attempts, x.LiveAnswers, x.Connected, x.Abandoned,
			100*x.AbandonRate, 100*x.MaxWindowAbandonRate, x.Utilization, x.TalkOccupancy,
			x.IdleSecondsPerAgentHour, x.MeanWaitSeconds, x.P90WaitSeconds, x.Settings)
	}
	return tw.Flush()
}
