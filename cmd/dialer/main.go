// Command dialer is the predictive and progressive outbound dialer.
//
//	dialer serve [--listen ADDR] [--config FILE]   run the engine, API, dashboard and metrics
//	dialer leads import --campaign ID FILE          import a CSV of leads through the API
//	dialer campaigns list|get|start|pause|stop      manage campaigns through the API
//	dialer sim --scenario FILE [--mode M|--compare] simulate pacing policies
//	dialer amd classify [--json] FILE...            answering-machine detection on WAV files
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `dialer: predictive and progressive outbound dialer

Usage:
  dialer serve [--listen ADDR] [--config FILE]    run the engine (no flags: the demo)
  dialer leads import --campaign ID [--api URL] FILE
  dialer campaigns list|get|start|pause|stop [ID] [--api URL]
  dialer sim --scenario FILE [--mode M | --compare] [--json]
  dialer amd classify [--json] FILE...
  dialer help
`

// errUsage marks an error caused by the command line; it exits with 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "dialer:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no command", errUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "leads":
		return runLeads(ctx, rest, stdout, stderr)
	case "campaigns":
		return runCampaigns(ctx, rest, stdout, stderr)
	case "sim":
		return runSim(ctx, rest, stdout, stderr)
	case "amd":
		return runAMD(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}
