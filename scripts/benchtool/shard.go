package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/firmware/agent"
)

// A shard is one process of simulated agents, started by fleet. It reads
// watch orders on standard input and writes reports on standard output,
// one JSON object a line; it stops when its input ends.

// watchOrder asks a shard to report when each of stops' agents holds alert.
type watchOrder struct {
	Alert string   `json:"alert"`
	Stops []string `json:"stops"`
}

// shardReport is a shard's line: ready once its agents are, an alert held
// by a stop's agent (At in Unix nanoseconds), the end of a watch (Done: the
// alert's id, Missing: the stops that did not get it in time, Held: what
// the first of their agents hold, Silences), or an error.
type shardReport struct {
	Ready   int      `json:"ready,omitempty"`
	Alert   string   `json:"alert,omitempty"`
	Stop    string   `json:"stop,omitempty"`
	At      int64    `json:"at,omitempty"`
	Done    string   `json:"done,omitempty"`
	Missing []string `json:"missing,omitempty"`
	Held    []string `json:"held,omitempty"`
	// Silences is how many times the shard's agents, all told, subscribed
	// again after a silence (agent.Stats.Silences), at the end of a watch.
	Silences int    `json:"silences,omitempty"`
	Error    string `json:"error,omitempty"`
}

// heldShown bounds how many missing stops a shard describes.
const heldShown = 10

// shard runs the agents of stops s<from> to s<to-1> against one broker.
func shard(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fleet-shard", flag.ExitOnError)
	broker := fs.String("broker", "", "the broker URL, or a cluster's node URLs separated by commas")
	dir := fs.String("dir", "", "where the agents keep their state")
	from := fs.Int("from", 0, "the first stop number")
	to := fs.Int("to", 0, "one past the last stop number")
	session := fs.String("session", "kept", "the agents' session: kept or none")
	statusSpread := fs.Duration("status-spread", 0, "the agents' status_spread")
	fs.DurationVar(&deliveryDeadline, "deadline", deliveryDeadline, "how long an alert may take to reach every agent")
	fs.Parse(args)
	out := json.NewEncoder(os.Stdout)
	var mu sync.Mutex
	report := func(r shardReport) {
		mu.Lock()
		defer mu.Unlock()
		out.Encode(r)
	}
	ctx, cancel := context.WithCancel(ctx)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	held := &holdings{at: map[string]time.Time{}}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	var agents []*agent.Agent
	byStop := map[string]*agent.Agent{}
	for i := *from; i < *to; i++ {
		a, err := agent.New(agent.Config{Broker: agent.Brokers(strings.Split(*broker, ",")), Device: fmt.Sprintf("d%d", i), Stops: []string{fmt.Sprintf("s%d", i)},
			StateDir: filepath.Join(*dir, fmt.Sprint(i)), Insecure: true, StartupWait: 30 * time.Second, Session: *session, StatusSpread: *statusSpread,
			Audio: agent.AudioConfig{Output: "none"}}, agent.Deps{Engine: silence{}, Logger: quiet, OnStored: held.record})
		if err != nil {
			report(shardReport{Error: fmt.Sprintf("agent %d of %d: %v", len(agents)+1, *to-*from, err)})
			return err
		}
		agents = append(agents, a)
		byStop[fmt.Sprintf("s%d", i)] = a
		wg.Add(1)
		go func() { defer wg.Done(); a.Run(ctx); a.Close() }()
	}
	for _, a := range agents {
		<-a.Ready()
	}
	report(shardReport{Ready: len(agents)})
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(nil, 16<<20)
	for in.Scan() {
		var w watchOrder
		if err := json.Unmarshal(in.Bytes(), &w); err != nil {
			return fmt.Errorf("watch order: %w", err)
		}
		go held.watch(w, report, func(stop string) string { return holding(byStop[stop], stop) }, func() int { return silences(agents) })
	}
	return nil
}

// holdings is when each stop's agent first committed a document with each
// alert.
type holdings struct {
	mu sync.Mutex
	at map[string]time.Time // by alert id and stop
}

// record notes the alerts of a committed document; it is the agents'
// OnStored.
func (h *holdings) record(doc halte.StopState) {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, a := range doc.Alerts {
		key := a.ID + " " + doc.Stop
		if _, ok := h.at[key]; !ok {
			h.at[key] = now
		}
	}
}

// holding says, for a stop that missed an alert, what its agent holds, how
// long ago it last heard from the hub (its heartbeat comes every 30 s while
// the agent is connected) and what it did with the documents it received.
func holding(a *agent.Agent, stop string) string {
	doc, st := a.Documents()[stop], a.Stats()
	heard := "never"
	if last := a.View("nl").LastUpdate; !last.IsZero() {
		heard = fmt.Sprintf("%.0f s ago", time.Since(last).Seconds())
	}
	return fmt.Sprintf("%s; at the deadline it holds version %d (alerts %v), heard from the hub %s, had %d documents stored, %d again, refused %v, connected %d times, and subscribed again after a silence %d times",
		stop, doc.Version, doc.AlertIDs(), heard, st.Applied, st.Again, st.Rejected, st.Connects, st.Silences)
}

// silences sums the agents' Stats.Silences.
func silences(agents []*agent.Agent) int {
	n := 0
	for _, a := range agents {
		n += a.Stats().Silences
	}
	return n
}

// watch reports each of w's stops as its agent holds w's alert, until all
// do or deliveryDeadline passes, and then the end, with what the agents of
// the first heldShown missing stops hold (describe) and how many silences
// the shard's agents met (silences).
func (h *holdings) watch(w watchOrder, report func(shardReport), describe func(stop string) string, silences func() int) {
	waiting := map[string]bool{}
	for _, s := range w.Stops {
		waiting[s] = true
	}
	for deadline := time.Now().Add(deliveryDeadline); len(waiting) > 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		h.mu.Lock()
		for s := range waiting {
			if at, ok := h.at[w.Alert+" "+s]; ok {
				report(shardReport{Alert: w.Alert, Stop: s, At: at.UnixNano()})
				delete(waiting, s)
			}
		}
		h.mu.Unlock()
	}
	missing := make([]string, 0, len(waiting))
	for s := range waiting {
		missing = append(missing, s)
	}
	var held []string
	for _, s := range missing[:min(len(missing), heldShown)] {
		held = append(held, describe(s))
	}
	report(shardReport{Done: w.Alert, Missing: missing, Held: held, Silences: silences()})
}

// silence stands in for espeak-ng in the fleet: each real device
// synthesizes on its own processor, while thousands of espeak-ng runs on
// this machine's two cores would measure those cores, not delivery.
type silence struct{}

func (silence) Synthesize(_ context.Context, text, _ string, _ bool) (halte.PCM, error) {
	return halte.Silence(22050, 100*time.Millisecond), nil
}

func (silence) Key(lang string, _ bool) string { return "silence-" + lang }
