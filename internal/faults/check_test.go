package faults

import (
	"strings"
	"testing"
	"time"
)

const deviceLog = `{"time":"2026-12-03T10:00:00.000Z","msg":"stop document stored","stop":"s","version":5,"alert_ids":["a","b"]}
{"time":"2026-12-03T10:00:00.100Z","msg":"announce","stop":"s","alert":"b"}
{"time":"2026-12-03T10:00:01.000Z","msg":"stop document stored","stop":"s","version":7,"alert_ids":["a"]}
{"time":"2026-12-03T10:00:01.500Z","msg":"announce","stop":"s","alert":"a"}
{"time":"2026-12-03T10:00:02.000Z","msg":"announce","stop":"s","alert":"b"}
not json: a line of the agent's stderr
{"time":"2026-12-03T10:00:03.000Z","msg":"stop document stored","stop":"s","version":6,"alert_ids":["a","b"]}
{"time":"2026-12-03T10:00:04.000Z","msg":"stop document stored","stop":"s","version":8,"alert_ids":["b"]}
{"time":"2026-12-03T10:00:05.000Z","msg":"announce","stop":"s","alert":"b"}
`

func TestChecksReadTheDeviceLog(t *testing.T) {
	stored, announced, err := ReadLog(strings.NewReader(deviceLog))
	if err != nil || len(stored) != 4 || len(announced) != 4 {
		t.Fatalf("read %d stored, %d announced: %v", len(stored), len(announced), err)
	}
	if n := Backwards(stored); n != 1 {
		t.Errorf("backwards %d, want 1 (version 6 after 7)", n)
	}
	if n := WronglySpoken(stored, announced); n != 1 {
		t.Errorf("wrongly spoken %d, want 1 (b after version 7 ended it; not after version 8 put it back)", n)
	}
	if h := Highest(stored); h["s"] != 8 {
		t.Errorf("highest %v", h)
	}
}

func TestScenariosAreDrawnFromTheirSeed(t *testing.T) {
	a, b := Draw(42, 3), Draw(42, 3)
	if len(a.Steps) == 0 || len(a.Steps) != len(b.Steps) || a.Faults() == 0 {
		t.Fatalf("seed 42: %d and %d steps, %d faults", len(a.Steps), len(b.Steps), a.Faults())
	}
	for i := range a.Steps {
		if a.Steps[i] != b.Steps[i] {
			t.Fatalf("step %d differs: %v, %v", i, a.Steps[i], b.Steps[i])
		}
	}
	if c := Draw(43, 3); len(c.Steps) == len(a.Steps) && c.Steps[0] == a.Steps[0] && c.Storm == a.Storm {
		t.Errorf("seeds 42 and 43 drew the same scenario")
	}
	for _, s := range a.Steps {
		if s.At < 0 || s.At > a.Storm+time.Second {
			t.Errorf("step %v outside the storm of %s", s, a.Storm)
		}
	}
}

func TestProxyCutsAndResets(t *testing.T) {
	// An echo server behind the proxy.
	echo := startEcho(t)
	p, err := NewProxy(echo)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := dialEcho(t, p.Addr, "one")
	p.Reset()
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("the link survived a reset")
	}
	p.Cut(time.Hour)
	if refused := dialRefused(p.Addr); !refused {
		t.Fatal("a new link was let through during a cut")
	}
}
