// Package api serves the dialer over HTTP: the JSON API for supervisors and
// agents under /api/v1, health and readiness probes, Prometheus metrics, and
// the embedded dashboard at /.
//
// Errors are JSON objects {"error": "message"} with a 4xx status for bad
// input (400 malformed, 404 unknown, 409 wrong state, 415 wrong media type,
// 422 invalid values) and 5xx for failures of the server or of Redis; the
// mapping from package sentinels to statuses lives in one place (errors.go).
//
// A Server is safe for concurrent use; it holds no state of its own beyond
// its dependencies.
package api
