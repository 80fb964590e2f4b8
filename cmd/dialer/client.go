package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

const defaultAPI = "http://127.0.0.1:8080"

// apiURL is the API base: --api, else $DIALER_API, else the default.
func apiFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("DIALER_API")
	if def == "" {
		def = defaultAPI
	}
	return fs.String("api", def, "dialer API base URL (env DIALER_API)")
}

// parseArgs parses flags wherever they stand among the positional
// arguments (`dialer campaigns get demo --api URL`), and returns the
// positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// call sends one API request and decodes a JSON answer into out. A 4xx or
// 5xx answer becomes an error carrying the API's message.
func call(ctx context.Context, method, url, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	client := &http.Client{Timeout: 10 * time.Minute}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the dialer API (is `dialer serve` running? set --api): %w", err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode >= 400 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s %s: %s (HTTP %d)", method, url, e.Error, res.StatusCode)
		}
		return fmt.Errorf("%s %s: HTTP %d: %s", method, url, res.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

func runLeads(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		return fmt.Errorf("%w: dialer leads import --campaign ID [--api URL] FILE", errUsage)
	}
	fs := flag.NewFlagSet("leads import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	campaign := fs.String("campaign", "", "campaign id (required)")
	api := apiFlag(fs)
	asJSON := fs.Bool("json", false, "print the API's answer as JSON")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if *campaign == "" || len(pos) != 1 {
		return fmt.Errorf("%w: dialer leads import --campaign ID [--api URL] FILE", errUsage)
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	var res struct {
		Imported int `json:"imported"`
		Updated  int `json:"updated"`
		Rejected int `json:"rejected"`
		Errors   []struct {
			Row    int    `json:"row"`
			Reason string `json:"reason"`
		} `json:"errors"`
	}
	var raw json.RawMessage
	url := strings.TrimRight(*api, "/") + "/api/v1/campaigns/" + *campaign + "/leads"
	if err := call(ctx, http.MethodPost, url, "text/csv", f, &raw); err != nil {
		return err
	}
	if *asJSON {
		fmt.Fprintln(stdout, string(raw))
		return nil
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d, updated %d, rejected %d\n", res.Imported, res.Updated, res.Rejected)
	for _, e := range res.Errors {
		fmt.Fprintf(stdout, "  row %d: %s\n", e.Row, e.Reason)
	}
	return nil
}

func runCampaigns(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: dialer campaigns list|get|start|pause|stop [ID]", errUsage)
	}
	op := args[0]
	fs := flag.NewFlagSet("campaigns "+op, flag.ContinueOnError)
	fs.SetOutput(stderr)
	api := apiFlag(fs)
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	base := strings.TrimRight(*api, "/") + "/api/v1/campaigns"
	var raw json.RawMessage
	switch op {
	case "list":
		if len(pos) != 0 {
			return fmt.Errorf("%w: dialer campaigns list takes no arguments", errUsage)
		}
		err = call(ctx, http.MethodGet, base, "", nil, &raw)
	case "get", "start", "pause", "stop":
		if len(pos) != 1 {
			return fmt.Errorf("%w: dialer campaigns %s ID", errUsage, op)
		}
		if op == "get" {
			err = call(ctx, http.MethodGet, base+"/"+pos[0], "", nil, &raw)
		} else {
			err = call(ctx, http.MethodPost, base+"/"+pos[0]+"/"+op, "", nil, &raw)
		}
	default:
		return fmt.Errorf("%w: unknown campaigns command %q", errUsage, op)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(raw))
	return nil
}
