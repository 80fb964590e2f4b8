package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"go.yaml.in/yaml/v3"

	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/amd"
	"github.com/dialer/dialer/api"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/dialer"
	"github.com/dialer/dialer/internal/clock"
	"github.com/dialer/dialer/telephony/sim"
)

// serveConfig is the file given to `dialer serve --config`.
type serveConfig struct {
	// Listen is the HTTP address (the --listen flag wins).
	Listen string `yaml:"listen"`
	// InstanceID names this instance in campaign leases (default host-pid).
	InstanceID string `yaml:"instance_id"`
	Redis      struct {
		URL string `yaml:"url"`
	} `yaml:"redis"`
	Telephony struct {
		// Driver: "sim" (the simulated network; ARI arrives later).
		Driver string `yaml:"driver"`
		// Sim overrides the simulated network's defaults.
		Sim yaml.Node `yaml:"sim"`
	} `yaml:"telephony"`
	// SimAgents logs this many simulated agents into every configured
	// campaign (load tests, demos on a real Redis).
	SimAgents int `yaml:"sim_agents"`
	// AMDCorpus is a directory of labelled recordings (test/amd) the
	// simulated network plays to the AMD; empty uses synthetic audio.
	AMDCorpus string `yaml:"amd_corpus"`
	// Campaigns are created or updated at start (their state is kept).
	Campaigns []campaigns.Config `yaml:"campaigns"`
}

// loadConfig reads and checks a config file; errors name the bad field.
func loadConfig(path string) (serveConfig, error) {
	var cfg serveConfig
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("%s: empty config", path)
		}
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	var problems []string
	if cfg.Redis.URL == "" {
		problems = append(problems, "redis.url: required (e.g. redis://127.0.0.1:6379/0)")
	} else if _, err := redis.ParseURL(cfg.Redis.URL); err != nil {
		problems = append(problems, "redis.url: "+err.Error())
	}
	switch cfg.Telephony.Driver {
	case "", "sim":
	default:
		problems = append(problems, fmt.Sprintf("telephony.driver: %q is not a driver (sim)", cfg.Telephony.Driver))
	}
	if cfg.SimAgents < 0 || cfg.SimAgents > 5000 {
		problems = append(problems, "sim_agents: must be from 0 to 5000")
	}
	if _, err := simConfig(cfg); err != nil {
		problems = append(problems, err.Error())
	}
	seen := map[string]bool{}
	for i := range cfg.Campaigns {
		c := &cfg.Campaigns[i]
		if err := c.Normalize(); err != nil {
			problems = append(problems, fmt.Sprintf("campaigns[%d]: %v", i, err))
			continue
		}
		if _, err := amd.ParseSettings(c.AMD.Settings); err != nil {
			problems = append(problems, fmt.Sprintf("campaigns[%d].amd.settings: %v", i, err))
		}
		if seen[c.ID] {
			problems = append(problems, fmt.Sprintf("campaigns[%d].id: %q appears twice", i, c.ID))
		}
		seen[c.ID] = true
	}
	if len(problems) > 0 {
		return cfg, fmt.Errorf("%s: %s", path, strings.Join(problems, "; "))
	}
	return cfg, nil
}

// simConfig is the simulated network's config: defaults, then the file's
// telephony.sim section, strictly decoded.
func simConfig(cfg serveConfig) (sim.Config, error) {
	sc := sim.DefaultConfig()
	if cfg.Telephony.Sim.Kind == 0 {
		return sc, nil
	}
	raw, err := yaml.Marshal(&cfg.Telephony.Sim)
	if err != nil {
		return sc, fmt.Errorf("telephony.sim: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&sc); err != nil {
		return sc, fmt.Errorf("telephony.sim: %w", err)
	}
	return sc, nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "", "HTTP address to serve (default 127.0.0.1:8080)")
	config := fs.String("config", "", "config file (YAML); without it, run the demo on embedded defaults")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	check := fs.Bool("check", false, "with --config: check the config file and exit")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, fs.Args())
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("%w: --log-level: %v", errUsage, err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))

	app := &App{Log: log, Out: stdout}
	if *check && *config == "" {
		return fmt.Errorf("%w: --check needs --config FILE", errUsage)
	}
	if *config != "" {
		cfg, err := loadConfig(*config)
		if err != nil {
			return err
		}
		if *check {
			fmt.Fprintf(stdout, "%s: ok (%d campaigns)\n", *config, len(cfg.Campaigns))
			return nil
		}
		app.Config = cfg
	} else {
		app.Demo = true
	}
	app.Listen = *listen
	if app.Listen == "" {
		app.Listen = app.Config.Listen
	}
	if app.Listen == "" {
		app.Listen = "127.0.0.1:8080"
	}
	return app.Run(ctx)
}

// App is `dialer serve`: Redis, the telephony driver, the engine and the
// HTTP API, started and stopped in order. Tests run it on 127.0.0.1:0.
type App struct {
	Config serveConfig
	// Demo runs on embedded defaults: in-process Redis, simulated network,
	// simulated agents and a demo campaign.
	Demo bool
	// DemoLeads and DemoAgents size the demo (defaults 10,000 and 20).
	DemoLeads, DemoAgents int
	Listen                string
	// Sim, if set, replaces the simulated network's config (tests).
	Sim   *sim.Config
	Log   *slog.Logger
	Out   io.Writer
	Clock clock.Clock

	mu   sync.Mutex // guards addr
	addr string
	// ready is closed when the HTTP server is listening.
	ready     chan struct{}
	readyOnce sync.Once
}

// Ready is closed once the app serves HTTP; Addr is then its address.
func (a *App) Ready() <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ready == nil {
		a.ready = make(chan struct{})
	}
	return a.ready
}

// Addr is the HTTP address the app listens on.
func (a *App) Addr() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.addr
}

// Run starts everything and serves until ctx is done, then shuts down in
// order: stop pacing and originating, settle calls in flight, close the
// telephony driver, close Redis.
func (a *App) Run(ctx context.Context) error {
	log := a.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	out := a.Out
	if out == nil {
		out = io.Discard
	}
	clk := a.Clock
	if clk == nil {
		clk = clock.Real
	}
	_ = a.Ready()

	// Redis: in-process for the demo, the configured server otherwise.
	var rdb *redis.Client
	if a.Demo {
		mr := miniredis.NewMiniRedis()
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return fmt.Errorf("in-process redis: %w", err)
		}
		defer mr.Close()
		rdb = redis.NewClient(&redis.Options{Addr: mr.Addr()})
	} else {
		opt, err := redis.ParseURL(a.Config.Redis.URL)
		if err != nil {
			return fmt.Errorf("redis.url: %w", err)
		}
		rdb = redis.NewClient(opt)
	}
	defer rdb.Close()
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := rdb.Ping(pingCtx).Err()
	cancel()
	if err != nil {
		return fmt.Errorf("redis at %s does not answer: %w", rdb.Options().Addr, err)
	}

	store := campaigns.NewStore(rdb)
	reg := agents.NewRegistry(rdb)

	sc, err := simConfig(a.Config)
	if err != nil {
		return err
	}
	if a.Demo {
		sc = demoSimConfig(sc)
	}
	if a.Sim != nil {
		sc = *a.Sim
	}
	simOpts, err := simAudioOptions(a.Config.AMDCorpus, log)
	if err != nil {
		return err
	}
	network, err := sim.New(sc, clk, simOpts...)
	if err != nil {
		return fmt.Errorf("telephony.sim: %w", err)
	}
	defer network.Close()

	promReg := prometheus.NewRegistry()
	promReg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	instance := a.Config.InstanceID
	if instance == "" {
		host, _ := os.Hostname()
		instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	simAgents := dialer.NewSimAgents(reg, store, clk, network.WrapTime, uint64(clk.Now().UnixNano()), log)
	defer simAgents.Close()

	eng, err := dialer.New(dialer.Options{
		Store:      store,
		Agents:     reg,
		Driver:     network,
		Clock:      clk,
		Logger:     log,
		Registerer: promReg,
		InstanceID: instance,
		OnWrapUp:   simAgents.WrapUp,
	})
	if err != nil {
		return err
	}
	simAgents.Wake = eng.Wake

	// Campaigns: the demo's, or the configured ones.
	var ids []string
	if a.Demo {
		id, err := setupDemo(ctx, store, simAgents, clk, a.DemoLeads, a.DemoAgents, log)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		ids = append(ids, id)
	} else {
		for _, c := range a.Config.Campaigns {
			if err := store.SaveCampaign(ctx, c); err != nil {
				return fmt.Errorf("campaign %s: %w", c.ID, err)
			}
			ids = append(ids, c.ID)
			if a.Config.SimAgents > 0 {
				if _, err := simAgents.Login(ctx, c.ID, a.Config.SimAgents); err != nil {
					return fmt.Errorf("campaign %s: sim agents: %w", c.ID, err)
				}
			}
		}
	}
	promReg.MustRegister(agents.NewCollector(reg, func() []string {
		list, err := store.ListCampaigns(context.Background())
		if err != nil {
			return ids
		}
		out := make([]string, 0, len(list))
		for _, c := range list {
			out = append(out, c.ID)
		}
		return out
	}))

	srv := &http.Server{
		Handler: api.New(api.Options{
			Store:    store,
			Agents:   reg,
			Engine:   eng,
			Gatherer: promReg,
			Ready:    func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
			Clock:    clk,
			Logger:   log,
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	ln, err := net.Listen("tcp", a.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.Listen, err)
	}
	a.mu.Lock()
	a.addr = ln.Addr().String()
	a.mu.Unlock()

	httpErr := make(chan error, 1)
	go func() { httpErr <- srv.Serve(ln) }()

	engCtx, stopEngine := context.WithCancel(ctx)
	defer stopEngine()
	engDone := make(chan error, 1)
	go func() { engDone <- eng.Run(engCtx) }()

	base := "http://" + a.Addr()
	fmt.Fprintf(out, "dialer serving on %s\n", base)
	fmt.Fprintf(out, "  dashboard  %s/\n", base)
	fmt.Fprintf(out, "  API        %s/api/v1/campaigns\n", base)
	fmt.Fprintf(out, "  metrics    %s/metrics\n", base)
	fmt.Fprintf(out, "  health     %s/healthz  %s/readyz\n", base, base)
	if a.Demo {
		fmt.Fprintf(out, "demo: in-process Redis, simulated network, %d simulated agents, campaign %q with %d leads; Ctrl-C stops\n",
			demoAgents(a.DemoAgents), "demo", demoLeads(a.DemoLeads))
	}
	a.readyOnce.Do(func() {
		a.mu.Lock()
		close(a.ready)
		a.mu.Unlock()
	})

	select {
	case <-ctx.Done():
	case err := <-httpErr:
		stopEngine()
		<-engDone
		return fmt.Errorf("http: %w", err)
	}
	log.Info("shutting down: stop pacing, settle calls in flight, then close telephony and Redis")
	stopEngine()
	engErr := <-engDone
	simAgents.Close()
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	return engErr
}
