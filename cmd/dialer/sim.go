package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/dialer/dialer/pacing/simulator"
)

// runSim is `dialer sim`: simulate pacing policies on a scenario in virtual
// time.
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scenario := fs.String("scenario", "", "scenario `file` (YAML; see test/scenarios)")
	mode := fs.String("mode", "predictive", "policy to simulate: progressive, power, vicidial, predictive, preview")
	compare := fs.Bool("compare", false, "run every policy on the same calls (common random numbers)")
	tune := fs.Bool("tune", false, "with --compare: tune the power and vicidial baselines (best setting under the abandon target)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dialer sim --scenario FILE [--mode M | --compare [--tune]] [--json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("sim: unexpected argument %q", fs.Arg(0))
	}
	if *scenario == "" {
		fs.Usage()
		return errors.New("sim: --scenario is required")
	}
	modeSet := false
	fs.Visit(func(f *flag.Flag) { modeSet = modeSet || f.Name == "mode" })
	if *compare && modeSet {
		return errors.New("sim: --mode and --compare are exclusive")
	}
	if *tune && !*compare {
		return errors.New("sim: --tune needs --compare")
	}
	data, err := os.ReadFile(*scenario)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	sc, err := simulator.Parse(data)
	if err != nil {
		return fmt.Errorf("sim: %s: %w", *scenario, err)
	}
	var specs []simulator.Spec
	switch {
	case *compare && *tune:
		specs = simulator.TunedSpecs(ctx, sc)
	case *compare:
		for _, name := range []string{"progressive", "power", "vicidial", "predictive"} {
			sp, _ := simulator.SpecFor(name, sc)
			specs = append(specs, sp)
		}
	default:
		sp, err := simulator.SpecFor(*mode, sc)
		if err != nil {
			return fmt.Errorf("sim: --mode: %w", err)
		}
		specs = []simulator.Spec{sp}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rep := simulator.Compare(sc, specs)
	if *asJSON {
		return rep.WriteJSON(stdout)
	}
	return rep.WriteTable(stdout)
}
