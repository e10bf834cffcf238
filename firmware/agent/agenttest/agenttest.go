// Package agenttest runs a real agent for tests: the real espeak-ng
// speaking into WAV files, a JSON log to read, and, when the test ends, a
// clean stop and a consistency check of its state file.
package agenttest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/halte-transit/halte/device/audio"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/firmware/store"
	"github.com/halte-transit/halte/internal/testkit"
)

// Device is a running agent.
type Device struct {
	*agent.Agent
	Log      *testkit.Log
	Engine   *testkit.Espeak // counts the texts synthesized
	WAVDir   string
	StateDir string
	// Stop ends the agent (once) and checks its state file.
	Stop func()
}

// Start runs an agent with cfg and waits until it speaks. An empty
// StateDir gets a temporary one.
func Start(t testing.TB, cfg agent.Config) *Device {
	t.Helper()
	return StartAt(t, cfg, nil)
}

// StartAt is Start with the agent's clock (nil: the real one).
func StartAt(t testing.TB, cfg agent.Config, now func() time.Time) *Device {
	t.Helper()
	testkit.RequireTool(t, "espeak-ng")
	if cfg.StateDir == "" {
		cfg.StateDir = t.TempDir()
	}
	d := &Device{Log: &testkit.Log{}, Engine: &testkit.Espeak{}, WAVDir: t.TempDir(), StateDir: cfg.StateDir}
	a, err := agent.New(cfg, agent.Deps{Engine: d.Engine, Speaker: &audio.WAVDir{Dir: d.WAVDir},
		Chime: audio.Chime(), Logger: d.Log.Logger(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	d.Agent = a
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	var once sync.Once
	d.Stop = func() {
		once.Do(func() {
			cancel()
			<-done
			a.Close()
			s, err := store.Open(cfg.StateDir)
			if err != nil {
				t.Errorf("reopen state file: %v", err)
				return
			}
			defer s.Close()
			if err := s.Check(); err != nil {
				t.Errorf("state file inconsistent: %v", err)
			}
		})
	}
	t.Cleanup(d.Stop)
	select {
	case <-a.Ready():
	case <-time.After(20 * time.Second):
		t.Fatalf("the agent did not start:\n%s", d.Log)
	}
	return d
}
