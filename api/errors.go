package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/dialer/dialer/agents"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/dialer"
)

// Error is an API error with its HTTP status.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(status int, msg string) *Error { return &Error{Status: status, Message: msg} }

// statusOf maps errors of the packages below to HTTP statuses, in one place.
func statusOf(err error) int {
	var ae *Error
	switch {
	case errors.As(err, &ae):
		return ae.Status
	case errors.Is(err, campaigns.ErrNotFound), errors.Is(err, agents.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, campaigns.ErrInvalid), errors.Is(err, agents.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, campaigns.ErrBadCSV):
		return http.StatusBadRequest
	case errors.Is(err, agents.ErrInvalidTransition), errors.Is(err, agents.ErrLeaseLost),
		errors.Is(err, dialer.ErrNotOwner), errors.Is(err, dialer.ErrNotPreview):
		return http.StatusConflict
	case errors.Is(err, dialer.ErrNoLead):
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	msg := err.Error()
	if status >= 500 {
		s.log.Error("api", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "internal error: " + msg
	}
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		slog.Default().Debug("write response", "err", err)
	}
}
