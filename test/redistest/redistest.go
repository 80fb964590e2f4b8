// Package redistest starts a real redis-server for tests: on a free loopback
// port, with its data in a temporary directory, so a test can stop and restart
// it (with AOF, to check that nothing is lost across a restart).
//
// Each call to Start gives an isolated server; tests never share state through
// FLUSHDB.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is one redis-server process owned by a test.
type Server struct {
	tb   testing.TB
	dir  string
	port int
	aof  bool

	mu  sync.Mutex // guards cmd
	cmd *exec.Cmd
}

// Option changes how the server is started.
type Option func(*Server)

// WithAOF turns on the append-only file with fsync on every write, as
// production runs it, so that a restart keeps every acknowledged write.
func WithAOF() Option { return func(s *Server) { s.aof = true } }

// Start runs redis-server on a free port and stops it when the test ends.
// It fails the test (not skips) when redis-server is not installed: .ci/run
// installs it.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server not found in PATH (apt-get install -y redis-server): %v", err)
	}
	_ = bin
	s := &Server{tb: tb, dir: tb.TempDir(), port: freePort(tb)}
	for _, o := range opts {
		o(s)
	}
	s.start()
	tb.Cleanup(s.Stop)
	return s
}

func freePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (s *Server) start() {
	s.tb.Helper()
	args := []string{
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--save", "",
		"--daemonize", "no",
		"--logfile", filepath.Join(s.dir, "redis.log"),
	}
	if s.aof {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	cmd := exec.Command("redis-server", args...)
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("start redis-server: %v", err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	// Wait until it answers PING: readiness before use, not a fixed sleep.
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			s.tb.Fatalf("redis-server on %s did not answer: %v\n%s", s.Addr(), err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Addr is host:port of the server.
func (s *Server) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

// URL is a redis:// URL for the server.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Client returns a new client for the server, closed when the test ends.
func (s *Server) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	s.tb.Cleanup(func() { c.Close() })
	return c
}

// Stop kills the server (SIGKILL: like a crash; with AOF and fsync always,
// acknowledged writes survive). Calling Stop twice is safe.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}

// Restart stops the server and starts it again on the same port and data dir.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	s.start()
}
