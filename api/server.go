package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/amd"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/internal/clock"
)

// Engine is what the API needs of the running engine.
type Engine interface {
	// Live reports calls in flight by stage for a campaign this instance owns.
	Live(campaign string) (map[string]int, bool)
	// Wake tells the campaign's calls waiting for an agent to look again.
	Wake(campaign string)
	// PreviewNext dials the next lead for an agent of a preview campaign.
	PreviewNext(ctx context.Context, agentID string) (campaigns.Attempt, error)
}

// Options configure a Server. Store and Agents are required.
type Options struct {
	Store  *campaigns.Store
	Agents *agents.Registry
	// Engine may be nil (an API-only instance).
	Engine Engine
	// Gatherer serves /metrics; nil serves the default registry.
	Gatherer prometheus.Gatherer
	// Ready reports whether the instance can serve (e.g. Redis answers).
	Ready func(ctx context.Context) error
	Clock clock.Clock
	// Logger; nil discards.
	Logger *slog.Logger
	// MaxImportBytes bounds a CSV upload (default 256 MiB).
	MaxImportBytes int64
}

// Server is the HTTP API.
type Server struct {
	opts Options
	log  *slog.Logger
	clk  clock.Clock
	mux  *http.ServeMux
}

// New returns a Server; it is an http.Handler.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Clock == nil {
		o.Clock = clock.Real
	}
	if o.Gatherer == nil {
		o.Gatherer = prometheus.DefaultGatherer
	}
	if o.MaxImportBytes <= 0 {
		o.MaxImportBytes = 256 << 20
	}
	s := &Server{opts: o, log: o.Logger, clk: o.Clock, mux: http.NewServeMux()}
	s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("GET /metrics", promhttp.HandlerFor(s.opts.Gatherer, promhttp.HandlerOpts{}))

	m.HandleFunc("GET /api/v1/campaigns", s.listCampaigns)
	m.HandleFunc("POST /api/v1/campaigns", s.createCampaign)
	m.HandleFunc("GET /api/v1/campaigns/{id}", s.getCampaign)
	m.HandleFunc("PUT /api/v1/campaigns/{id}", s.updateCampaign)
	m.HandleFunc("POST /api/v1/campaigns/{id}/start", s.setState(campaigns.StateRunning))
	m.HandleFunc("POST /api/v1/campaigns/{id}/pause", s.setState(campaigns.StatePaused))
	m.HandleFunc("POST /api/v1/campaigns/{id}/stop", s.setState(campaigns.StateStopped))
	m.HandleFunc("POST /api/v1/campaigns/{id}/leads", s.importLeads)
	m.HandleFunc("GET /api/v1/campaigns/{id}/attempts", s.attempts)
	m.HandleFunc("GET /api/v1/campaigns/{id}/agents", s.campaignAgents)

	m.HandleFunc("GET /api/v1/agents/{id}", s.getAgent)
	m.HandleFunc("POST /api/v1/agents/{id}/login", s.login)
	m.HandleFunc("POST /api/v1/agents/{id}/ready", s.agentOp("ready"))
	m.HandleFunc("POST /api/v1/agents/{id}/pause", s.agentOp("pause"))
	m.HandleFunc("POST /api/v1/agents/{id}/logout", s.agentOp("logout"))
	m.HandleFunc("POST /api/v1/agents/{id}/disposition", s.agentOp("disposition"))
	m.HandleFunc("POST /api/v1/agents/{id}/next", s.previewNext)

	m.Handle("GET /", webHandler())
	m.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(http.StatusNotFound, fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path)))
	})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.opts.Ready != nil {
		if err := s.opts.Ready(r.Context()); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "error": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// CampaignView is a campaign with its state and live figures.
type CampaignView struct {
	Campaign campaigns.Config `json:"campaign"`
	State    campaigns.State  `json:"state"`
	Stats    *campaigns.Stats `json:"stats,omitempty"`
	// Live counts this instance's calls in flight by stage (null when
	// another instance runs the campaign).
	Live map[string]int `json:"live,omitempty"`
	// Agents counts the campaign's logged-in agents by state.
	Agents map[agents.State]int `json:"agents,omitempty"`
}

func (s *Server) view(ctx context.Context, cfg campaigns.Config) (CampaignView, error) {
	v := CampaignView{Campaign: cfg}
	st, err := s.opts.Store.GetState(ctx, cfg.ID)
	if err != nil {
		return v, err
	}
	v.State = st
	stats, err := s.opts.Store.Stats(ctx, cfg.ID)
	if err != nil {
		return v, err
	}
	v.Stats = &stats
	if s.opts.Engine != nil {
		if live, ok := s.opts.Engine.Live(cfg.ID); ok {
			v.Live = live
		}
	}
	counts, err := s.opts.Agents.Counts(ctx, cfg.ID)
	if err != nil {
		return v, err
	}
	v.Agents = counts
	return v, nil
}

func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) {
	list, err := s.opts.Store.ListCampaigns(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]CampaignView, 0, len(list))
	for _, cfg := range list {
		v, err := s.view(r.Context(), cfg)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaigns": out})
}

func (s *Server) getCampaign(w http.ResponseWriter, r *http.Request) {
	cfg, err := s.opts.Store.GetCampaign(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.view(r.Context(), cfg)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// readBody reads a JSON body, checking its media type and size.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return nil, errorf(http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type must be application/json, not %q", ct))
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "reading body: "+err.Error())
	}
	if int64(len(body)) > limit {
		return nil, errorf(http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", limit))
	}
	return body, nil
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request) {
	s.saveCampaign(w, r, "")
}

func (s *Server) updateCampaign(w http.ResponseWriter, r *http.Request) {
	s.saveCampaign(w, r, r.PathValue("id"))
}

func (s *Server) saveCampaign(w http.ResponseWriter, r *http.Request, pathID string) {
	body, err := readBody(r, 1<<20)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cfg, err := campaigns.ParseJSON(body)
	if err != nil {
		// Values that decode but are invalid are 422; JSON that does not
		// decode (syntax, unknown fields, wrong types) is 400.
		var ve *campaigns.ValidationError
		if !errors.As(err, &ve) {
			err = errorf(http.StatusBadRequest, err.Error())
		}
		s.writeError(w, r, err)
		return
	}
	if _, err := amd.ParseSettings(cfg.AMD.Settings); err != nil {
		s.writeError(w, r, errorf(http.StatusUnprocessableEntity, "amd.settings: "+err.Error()))
		return
	}
	status := http.StatusCreated
	if pathID != "" {
		if cfg.ID != pathID {
			s.writeError(w, r, errorf(http.StatusUnprocessableEntity, fmt.Sprintf("id: %q does not match the path's %q", cfg.ID, pathID)))
			return
		}
		if _, err := s.opts.Store.GetCampaign(r.Context(), pathID); err != nil {
			s.writeError(w, r, err)
			return
		}
		status = http.StatusOK
	} else if _, err := s.opts.Store.GetCampaign(r.Context(), cfg.ID); err == nil {
		s.writeError(w, r, errorf(http.StatusConflict, fmt.Sprintf("campaign %q exists: PUT /api/v1/campaigns/%s to change it", cfg.ID, cfg.ID)))
		return
	}
	if err := s.opts.Store.SaveCampaign(r.Context(), cfg); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, cfg)
}

func (s *Server) setState(st campaigns.State) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if _, err := s.opts.Store.GetCampaign(r.Context(), id); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.opts.Store.SetState(r.Context(), id, st); err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "state": st})
	}
}

func (s *Server) importLeads(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "text/csv" {
		s.writeError(w, r, errorf(http.StatusUnsupportedMediaType, "Content-Type must be text/csv"))
		return
	}
	if _, err := s.opts.Store.GetCampaign(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxImportBytes)
	res, err := s.opts.Store.ImportCSV(r.Context(), id, body, s.clk.Now())
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = errorf(http.StatusRequestEntityTooLarge, fmt.Sprintf("CSV larger than %d bytes", mbe.Limit))
		}
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) attempts(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.opts.Store.GetCampaign(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	count := int64(100)
	if c := r.URL.Query().Get("count"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n < 1 || n > 10000 {
			s.writeError(w, r, errorf(http.StatusBadRequest, "count: must be a whole number from 1 to 10000"))
			return
		}
		count = n
	}
	recs, err := s.opts.Store.AttemptLog(r.Context(), id, r.URL.Query().Get("after"), count)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"attempts": recs})
}

func (s *Server) campaignAgents(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.opts.Store.GetCampaign(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.opts.Agents.List(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"agents": list})
}

func (s *Server) getAgent(w http.ResponseWriter, r *http.Request) {
	a, err := s.opts.Agents.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// decodeStrict decodes a JSON body into v, refusing unknown fields. An empty
// body decodes as {}.
func decodeStrict(r *http.Request, v any) error {
	body, err := readBody(r, 64<<10)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(http.StatusBadRequest, "invalid JSON: "+err.Error())
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "invalid JSON: more than one value")
	}
	return nil
}

type loginRequest struct {
	Campaign string `json:"campaign"`
	Station  string `json:"station"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decodeStrict(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Campaign == "" {
		s.writeError(w, r, errorf(http.StatusUnprocessableEntity, "campaign: required"))
		return
	}
	if _, err := s.opts.Store.GetCampaign(r.Context(), req.Campaign); err != nil {
		if errors.Is(err, campaigns.ErrNotFound) {
			err = errorf(http.StatusUnprocessableEntity, fmt.Sprintf("campaign: no campaign %q", req.Campaign))
		}
		s.writeError(w, r, err)
		return
	}
	a, err := s.opts.Agents.Login(r.Context(), r.PathValue("id"), req.Campaign, req.Station, s.clk.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

type agentRequest struct {
	Reason string `json:"reason,omitempty"`
	Code   string `json:"code,omitempty"`
}

func (s *Server) agentOp(op string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req agentRequest
		if err := decodeStrict(r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		id := r.PathValue("id")
		now := s.clk.Now()
		ctx := r.Context()
		var (
			a   agents.Agent
			err error
		)
		switch op {
		case "ready":
			a, err = s.opts.Agents.Ready(ctx, id, now)
		case "pause":
			if req.Reason == "" {
				req.Reason = "break"
			}
			a, err = s.opts.Agents.Pause(ctx, id, req.Reason, now)
		case "logout":
			a, err = s.opts.Agents.Logout(ctx, id, now)
		case "disposition":
			if req.Code == "" {
				s.writeError(w, r, errorf(http.StatusUnprocessableEntity, "code: required"))
				return
			}
			var before agents.Agent
			before, err = s.opts.Agents.Disposition(ctx, id, req.Code, now)
			if err == nil {
				if rerr := s.opts.Store.RecordDisposition(ctx, before.Campaign, before.AttemptID, id, req.Code, now); rerr != nil {
					s.log.Warn("record disposition", "agent", id, "err", rerr)
				}
				a, err = s.opts.Agents.Get(ctx, id)
			}
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if s.opts.Engine != nil && a.State == agents.StateReady {
			s.opts.Engine.Wake(a.Campaign)
		}
		writeJSON(w, http.StatusOK, a)
	}
}

// previewNext is preview dialing: the agent asks for its next lead, which is
// dialed for it at once. The answer carries the attempt and the lead.
func (s *Server) previewNext(w http.ResponseWriter, r *http.Request) {
	if s.opts.Engine == nil {
		s.writeError(w, r, errorf(http.StatusServiceUnavailable, "no engine runs in this instance"))
		return
	}
	at, err := s.opts.Engine.PreviewNext(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, at)
}
