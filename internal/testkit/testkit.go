// Package testkit holds helpers for halte's own tests: waiting on a
// condition with a deadline (never sleeping and hoping), and reading the
// structured JSON log that halte's components write.
package testkit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// WaitFor polls cond every 10 ms until it is true, and fails the test with
// what if it is still false after timeout.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Log is a concurrency-safe buffer of JSON log lines.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends log output; it is an io.Writer for slog's JSON handler.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Logger returns a debug-level JSON logger writing into l.
func (l *Log) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Lines returns the decoded lines whose "msg" is msg.
func (l *Log) Lines(msg string) []map[string]any {
	l.mu.Lock()
	data := append([]byte(nil), l.buf.Bytes()...)
	l.mu.Unlock()
	return ParseLines(data, msg)
}

// String returns the whole log, for failure messages.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// ParseLines decodes JSON log lines and keeps those whose "msg" is msg;
// lines that are not JSON are skipped.
func ParseLines(data []byte, msg string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}
