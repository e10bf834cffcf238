// Package agent is the stop device: the one place that wires MQTT, the state
// file, the phrase book, speech and audio together.
//
// A stop document from the broker is validated, committed to the state file,
// and only then acknowledged; what changed is announced. On start the agent
// restores its state from the file, and announces what it knows once the
// broker has delivered its retained documents, or, without a broker, after
// Config.StartupWait.
package agent

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/firmware/store"
)

// Speaker plays a clip to its end; label names it (the alert id).
type Speaker interface {
	Play(ctx context.Context, clip halte.PCM, label string) error
}

// Synthesizer turns text in a language into audio.
type Synthesizer interface {
	Synthesize(ctx context.Context, text, lang string) (halte.PCM, error)
}

// Announcement is one thing the agent said; it is also the receipt
// published on the device's events topic.
type Announcement struct {
	Stop    string    `json:"stop"`
	Alert   string    `json:"alert"`
	Version uint64    `json:"version"`
	Lang    string    `json:"lang"`
	Trigger string    `json:"trigger"` // "start", "new" or "changed"
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
}

// Deps are the agent's outputs and clock. Synth is required; a nil Speaker
// means speech is only logged, a nil Now means time.Now.
type Deps struct {
	Synth      Synthesizer
	Speaker    Speaker
	Logger     *slog.Logger
	Now        func() time.Time
	OnAnnounce func(Announcement) // told after each announcement is spoken
}

// Agent is a running stop device.
type Agent struct {
	cfg   Config
	deps  Deps
	log   *slog.Logger
	store *store.Store
	loc   *time.Location
	lang  string

	speech chan queued
	ready  chan struct{} // closed once start has run

	mu        sync.Mutex
	docs      map[string]halte.StopState
	announced map[string]map[string][32]byte // stop → alert id → digest of what was last announced
	started   bool
	stats     Stats
}

// Stats counts what the agent did with the documents it received.
type Stats struct {
	Applied  int                  // documents stored
	Ignored  int                  // documents not newer than the stored one
	Rejected map[halte.Reason]int // documents refused, by reason
}

type queued struct {
	stop    string
	alertID string
	trigger string
}

// New validates the configuration, opens the state file and restores the
// stored documents. Close releases the file.
func New(cfg Config, deps Deps) (*Agent, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Synth == nil {
		return nil, errors.New("agent: no synthesizer")
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if cfg.StartupWait == 0 {
		cfg.StartupWait = 3 * time.Second
	}
	if len(cfg.Languages) == 0 {
		cfg.Languages = []string{"nl"}
	}
	tz := cfg.Timezone
	if tz == "" {
		tz = "Europe/Brussels"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("config key timezone: %w", err)
	}
	st, err := store.Open(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	a := &Agent{
		cfg: cfg, deps: deps, log: deps.Logger, store: st, loc: loc, lang: cfg.Languages[0],
		speech:    make(chan queued, 64),
		ready:     make(chan struct{}),
		docs:      map[string]halte.StopState{},
		announced: map[string]map[string][32]byte{},
		stats:     Stats{Rejected: map[halte.Reason]int{}},
	}
	restored, err := st.All()
	if err != nil {
		a.log.Error("part of the state file could not be read", "err", err)
	}
	for stop, doc := range restored {
		if a.serves(stop) {
			a.docs[stop] = doc
		}
	}
	a.log.Info("state restored", "stops", len(a.docs), "file", cfg.StateDir)
	return a, nil
}

// Ready is closed once the agent has started: it has heard the broker's
// retained documents, or given up waiting for them, and from then on
// announces every change.
func (a *Agent) Ready() <-chan struct{} { return a.ready }

// Close releases the state file.
func (a *Agent) Close() error { return a.store.Close() }

// Stats returns a copy of the counters.
func (a *Agent) Stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.stats
	s.Rejected = map[halte.Reason]int{}
	for k, v := range a.stats.Rejected {
		s.Rejected[k] = v
	}
	return s
}

// HandleDocument takes a stop document received on stop's topic: it refuses
// bad input (logged and counted, nothing stored), ignores a version that is
// not newer, else commits it to the state file and queues what changed for
// announcement. It returns an error only when the commit failed, in which
// case the message must not be acknowledged.
func (a *Agent) HandleDocument(stop string, payload []byte) error {
	doc, err := halte.DecodeStopState(payload)
	if err == nil && doc.Stop != stop {
		err = &halte.InputError{Reason: halte.ReasonWrongStop, Field: "stop",
			Problem: fmt.Sprintf("document for stop %q arrived on the topic of stop %q", doc.Stop, stop)}
	}
	if err != nil {
		a.refuse(stop, len(payload), err)
		return nil
	}
	stored, err := a.store.Put(doc)
	if err != nil {
		a.log.Error("state file write failed; the document will be redelivered", "stop", stop, "err", err)
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !stored {
		a.stats.Ignored++
		a.log.Info("stop document ignored: not newer than the stored one", "stop", stop, "version", doc.Version)
		return nil
	}
	a.stats.Applied++
	a.docs[stop] = doc
	a.log.Info("stop document stored", "stop", stop, "version", doc.Version, "alerts", len(doc.Alerts))
	if a.started {
		a.queueChangesLocked(stop, doc, "")
	}
	return nil
}

func (a *Agent) refuse(stop string, size int, err error) {
	reason, field := halte.ReasonInvalid, ""
	var ie *halte.InputError
	if errors.As(err, &ie) {
		reason, field = ie.Reason, ie.Field
	}
	a.mu.Lock()
	a.stats.Rejected[reason]++
	a.mu.Unlock()
	a.log.Warn("stop document refused", "stop", stop, "reason", string(reason), "field", field, "bytes", size, "err", err.Error())
}

// queueChangesLocked queues the active alerts of doc that were not announced
// in their present form. trigger "" means "new" or "changed", as the case is.
func (a *Agent) queueChangesLocked(stop string, doc halte.StopState, trigger string) {
	before := a.announced[stop]
	current := make(map[string][32]byte)
	a.announced[stop] = current
	for _, al := range doc.Active(a.deps.Now()) {
		d := contentDigest(al)
		current[al.ID] = d
		prev, known := before[al.ID]
		if known && prev == d {
			continue
		}
		t := trigger
		switch {
		case t != "":
		case known:
			t = "changed"
		default:
			t = "new"
		}
		select {
		case a.speech <- queued{stop: stop, alertID: al.ID, trigger: t}:
		default:
			a.log.Warn("speech queue full; announcement dropped", "alert", al.ID)
		}
	}
}

// contentDigest identifies what an alert says, ignoring its version, so that
// a mere version bump is not announced again.
func contentDigest(al halte.Alert) [32]byte {
	al.Version = 0
	b, _ := json.Marshal(al)
	return sha256.Sum256(b)
}

func (a *Agent) serves(stop string) bool {
	for _, s := range a.cfg.Stops {
		if s == stop {
			return true
		}
	}
	return false
}

// start announces what the agent knows, once, and from then on every change.
func (a *Agent) start() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.started {
		return
	}
	a.started = true
	defer close(a.ready)
	for _, stop := range a.cfg.Stops {
		a.queueChangesLocked(stop, a.docs[stop], "start")
	}
}
