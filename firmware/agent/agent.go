// Package agent is the stop device: the one place that wires MQTT, the state
// file, the announcement policy, the phrase book, speech and audio together.
//
// A stop document from the broker is validated, committed to the state file,
// and only then acknowledged. The policy (halte.Policy) decides what to say
// and when; the speech worker says it, one utterance at a time, synthesized
// ahead through the audio cache. On start the agent restores its state from
// the file and starts speaking once the broker has delivered its retained
// documents, or, without a broker, after Config.StartupWait.
package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/firmware/store"
	"github.com/halte-transit/halte/sign"
	"github.com/halte-transit/halte/tts"
	"github.com/halte-transit/halte/tts/phrases"
)

// Speaker plays a clip at a volume (0 to 1) to its end, or until ctx ends;
// label names it (an alert id, "chime").
type Speaker interface {
	Play(ctx context.Context, clip halte.PCM, volume float64, label string) error
}

// Checked is a Speaker that can tell whether it can play, and tries to
// recover when asked (a sound card that comes and goes).
type Checked interface {
	Speaker
	Status() error
}

// Indicator shows the policy's signal on the LED and vibration motor, and
// acknowledges a press with a short pulse.
type Indicator interface {
	Show(halte.Signal)
	Acknowledge()
}

// Announcement is one thing the agent said; it is also the receipt
// published on the device's events topic.
type Announcement struct {
	Stop    string        `json:"stop,omitempty"`
	Alert   string        `json:"alert,omitempty"`
	Version uint64        `json:"version,omitempty"`
	Lang    string        `json:"lang"`
	Trigger halte.Trigger `json:"trigger"`
	Text    string        `json:"text"`
	At      time.Time     `json:"at"`
	// Last marks the last part of its utterance, so that whoever asked
	// (an instructor's trigger) knows the answer is complete.
	Last bool `json:"last,omitempty"`
}

// Deps are the agent's outputs and clock. Engine is required; a nil Speaker
// means speech is only logged, a nil Indicator that signals are only
// logged, a nil Now time.Now.
type Deps struct {
	Engine     tts.Engine
	Speaker    Speaker
	Indicator  Indicator
	Chime      halte.PCM
	Tick       halte.PCM // the locator tone's tick; none means no locator tone
	Ambient    Ambient   // the street's level; nil means no microphone
	Logger     *slog.Logger
	Now        func() time.Time
	OnAnnounce func(Announcement)    // told after each announcement is spoken
	OnStored   func(halte.StopState) // told after each stop document is committed
	Release    string                // the running release, reported in the device's status
}

// Agent is a running stop device.
type Agent struct {
	cfg    Config
	deps   Deps
	log    *slog.Logger
	store  *store.Store
	trust  *sign.Verifier
	speech *tts.Cache
	books  map[string]*phrases.Book
	rules  halte.Rules

	events chan halte.Event
	ready  chan struct{}      // closed once the agent speaks
	probes chan chan struct{} // Alive's questions to the policy loop
	ahead  chan struct{}      // asks prepareLoop to synthesize the answers again (prepareAhead)

	statusMu  sync.Mutex // orders the status messages (publishStatus); guards the two below
	statusDue bool       // a status is waiting for its pause (statusChanged)
	signedOff bool       // the offline status was sent: nothing follows it
	arrivals  arrivals   // the stops' documents each subscription brought (subscribe)
	silence   silence    // when the broker last delivered something live (watchSilence)

	mu          sync.Mutex
	docs        map[string]halte.StopState
	lastContact time.Time
	signal      halte.Signal
	lastPulse   time.Time
	announced   map[string]heard // by alert id: the last version played
	audioErr    error            // why the speaker cannot play; nil when it can
	storeErr    error            // why the state file cannot be written; nil when it can
	healthSent  func()           // publishes the status when a part's health changes; nil before Run connects
	stats       Stats
	coupling    float64 // dB from speaker to microphone (the calibration)
}

// Stats counts what the agent did with the documents it received.
type Stats struct {
	Applied  int                  // documents stored
	Again    int                  // the held document received again (a redelivery, a resubscription's retained copy)
	Rejected map[halte.Reason]int // documents refused, by reason (replay: not newer than the one held, and not it)
	Silences int                  // times it subscribed again, connected but hearing nothing live for Config.HubSilence
	Connects int                  // times it connected to the broker: the first, and again after each loss
}

// New validates the configuration, opens the state file and the speech
// cache, and restores the stored documents. Close releases them.
func New(cfg Config, deps Deps) (*Agent, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Engine == nil {
		return nil, errors.New("agent: no speech engine")
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
	if cfg.HubSilence == 0 {
		cfg.HubSilence = 3 * time.Minute
	}
	if len(cfg.Languages) == 0 {
		cfg.Languages = []string{"nl"}
	}
	if cfg.Timezone == "" {
		cfg.Timezone = "Europe/Brussels"
	}
	cfg.Microphone = cfg.Microphone.WithDefaults()
	cfg.Locator = cfg.Locator.withDefaults()
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("config key timezone: %w", err)
	}
	lex, err := loadLexicon(cfg.LexiconDir)
	if err != nil {
		return nil, err
	}
	trust := sign.Insecure()
	if cfg.Insecure {
		deps.Logger.Warn("INSECURE: hub signatures are not checked; anyone who can publish to this stop's topic can make it speak")
	} else if trust, err = sign.LoadVerifier(cfg.HubKeys, cfg.RevokedKeys); err != nil {
		return nil, fmt.Errorf("config key hub_keys: %w", err)
	}
	st, err := store.Open(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	cacheDir := cfg.Audio.CacheDir
	if cacheDir == "" {
		cacheDir = filepath.Join(cfg.StateDir, "cache")
	}
	cache, err := tts.OpenCache(deps.Engine, cacheDir, int64(cfg.Audio.CacheMB)<<20)
	if err != nil {
		st.Close()
		return nil, err
	}
	a := &Agent{
		cfg: cfg, deps: deps, log: deps.Logger, store: st, trust: trust, speech: cache,
		books:     map[string]*phrases.Book{},
		events:    make(chan halte.Event, 256),
		ready:     make(chan struct{}),
		probes:    make(chan chan struct{}),
		ahead:     make(chan struct{}, 1),
		docs:      map[string]halte.StopState{},
		announced: map[string]heard{},
		stats:     Stats{Rejected: map[halte.Reason]int{}},
		silence:   silence{first: cfg.HubSilence, wait: cfg.HubSilence, last: time.Now()},
		rules: halte.Rules{
			Languages: cfg.Languages, Location: loc,
			RepeatEvery: cfg.Announce.RepeatEvery, MinGap: cfg.Announce.MinGap, Coalesce: cfg.Announce.Coalesce,
			StaleAfter: cfg.Announce.StaleAfter, LanguageHold: cfg.Announce.LanguageHold,
			Volume: cfg.Announce.Volume, ButtonVolume: cfg.Announce.ButtonVolume,
			AnswerWords: cfg.Announce.AnswerWords, MoreFor: cfg.Announce.MoreFor,
			Words: phrases.Measure(loc, lex), StopName: cfg.StopName,
		},
	}
	for _, lang := range cfg.Languages {
		a.books[lang] = phrases.New(lang, loc, lex)
	}
	if deps.Ambient != nil {
		a.loadCalibration()
	}
	restored, err := st.All()
	if err != nil {
		a.log.Error("part of the state file could not be read", "err", err)
	}
	for stop, doc := range restored {
		if slices.Contains(a.cfg.Stops, stop) {
			a.docs[stop] = doc
			if doc.IssuedAt.After(a.lastContact) {
				a.lastContact = doc.IssuedAt
			}
		}
	}
	a.log.Info("state restored", "stops", len(a.docs), "dir", cfg.StateDir)
	return a, nil
}

func loadLexicon(dir string) (*phrases.Lexicon, error) {
	lex := phrases.DefaultLexicon()
	if dir == "" {
		return lex, nil
	}
	for _, lang := range phrases.Languages {
		f, err := os.Open(filepath.Join(dir, lang+".txt"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("config key lexicon_dir: %w", err)
		}
		err = lex.Load(lang, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("config key lexicon_dir: %s: %w", f.Name(), err)
		}
	}
	return lex, nil
}

// Ready is closed once the agent answers presses, from its state file. (It
// announces by itself only once the broker has delivered its retained
// documents, or StartupWait has passed.)
func (a *Agent) Ready() <-chan struct{} { return a.ready }

// Alive reports whether the policy loop, which answers the button and
// decides what is said, still turns: it takes a question and answers it
// before ctx ends. A supervisor (systemd's watchdog) restarts an agent that
// is not alive.
func (a *Agent) Alive(ctx context.Context) bool {
	reply := make(chan struct{})
	select {
	case a.probes <- reply:
	case <-ctx.Done():
		return false
	}
	select {
	case <-reply:
		return true
	case <-ctx.Done():
		return false
	}
}

// heard is an alert's version and when it was last played at the stop.
type heard struct {
	Version uint64    `json:"version"`
	At      time.Time `json:"at"`
}

// noteAnnounced records that an alert was played, for the device's status,
// and reports whether it was one (a summary names none).
func (a *Agent) noteAnnounced(ann Announcement) bool {
	if ann.Alert == "" {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.announced[ann.Alert] = heard{Version: ann.Version, At: ann.At.UTC()}
	return true
}

// Close releases the state file.
func (a *Agent) Close() error { return a.store.Close() }

// Touch tells the policy the button went down; it is acknowledged at once.
func (a *Agent) Touch() { a.event(halte.Event{Kind: halte.Touch}) }

// Press hands the policy a gesture on the button (or the screen's control).
func (a *Agent) Press(g halte.Gesture) { a.event(halte.Event{Kind: halte.Press, Gesture: g}) }

// event queues an event for the policy loop, stamped with the time now
// unless it has a time.
func (a *Agent) event(ev halte.Event) {
	if ev.At.IsZero() {
		ev.At = a.deps.Now()
	}
	select {
	case a.events <- ev:
	default:
		a.log.Warn("event queue full; event dropped", "kind", int(ev.Kind))
	}
}

// Stats returns a copy of the counters.
func (a *Agent) Stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.stats
	s.Rejected = maps.Clone(a.stats.Rejected)
	return s
}

// HandleDocument takes a stop document received on stop's topic. It
// refuses (logged once with the reason, counted, nothing stored) a document
// not signed by a trusted hub key, malformed, for another stop, from the
// future, or not newer than the one held; the held document itself, sent
// again, is only counted (Stats.Again); else it commits the document to
// the state file and tells the policy. It returns an error only when the
// commit failed, in which case the message must not be acknowledged.
func (a *Agent) HandleDocument(stop string, payload []byte) error {
	doc, err := a.open(stop, payload)
	if err != nil {
		a.refuse(stop, len(payload), err)
		return nil
	}
	stored, err := a.store.Put(doc)
	a.setStore(err)
	if err != nil {
		a.log.Error("state file write failed; the document is not acknowledged, and committed once the file can be written", "stop", stop, "err", err)
		return err
	}
	if !stored && a.holds(doc) {
		a.mu.Lock()
		a.stats.Again++
		a.mu.Unlock()
		return nil
	}
	if !stored {
		a.refuse(stop, len(payload), &halte.InputError{Reason: halte.ReasonReplay, Field: "version",
			Problem: fmt.Sprintf("version %d is not newer than the one held", doc.Version)})
		return nil
	}
	a.mu.Lock()
	a.stats.Applied++
	a.docs[stop] = doc
	// Logged under the lock, so that the log orders it truly before or
	// after each announcement (the fault campaign reads it).
	a.log.Info("stop document stored", "stop", stop, "version", doc.Version, "alerts", len(doc.Alerts), "alert_ids", doc.AlertIDs())
	a.mu.Unlock()
	if a.deps.OnStored != nil {
		a.deps.OnStored(doc)
	}
	a.contact(true)
	return nil
}

// holds tells whether doc is the document held for its stop.
func (a *Agent) holds(doc halte.StopState) bool {
	a.mu.Lock()
	held, ok := a.docs[doc.Stop]
	a.mu.Unlock()
	if !ok || held.Version != doc.Version {
		return false
	}
	h, _ := json.Marshal(held)
	d, _ := json.Marshal(doc)
	return bytes.Equal(h, d)
}

// open checks a document's signature, form, stop and time.
func (a *Agent) open(stop string, payload []byte) (halte.StopState, error) {
	body, _, err := a.trust.Open(payload)
	if err != nil {
		return halte.StopState{}, err
	}
	doc, err := halte.DecodeStopState(body)
	if err != nil {
		return halte.StopState{}, err
	}
	if doc.Stop != stop {
		return halte.StopState{}, &halte.InputError{Reason: halte.ReasonWrongStop, Field: "stop",
			Problem: fmt.Sprintf("document for stop %q arrived on the topic of stop %q", doc.Stop, stop)}
	}
	return doc, doc.CheckFresh(a.deps.Now())
}

// contact records word from the hub: a document (news) or its heartbeat.
// The answers are prepared again for news, or when a heartbeat changes the
// minute their "last update at" says; not for each heartbeat, which would
// recompute them in every language twice a minute for nothing.
func (a *Agent) contact(news bool) {
	now := a.deps.Now()
	a.mu.Lock()
	said := a.lastContact
	a.lastContact = now
	a.mu.Unlock()
	a.event(halte.Event{Kind: halte.Contact, At: now})
	if news || !now.Truncate(time.Minute).Equal(said.Truncate(time.Minute)) {
		a.prepareAhead()
	}
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

// Documents returns the stop documents the agent holds, by stop.
func (a *Agent) Documents() map[string]halte.StopState { return a.snapshot() }

// snapshot copies the documents for the policy.
func (a *Agent) snapshot() map[string]halte.StopState {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.docs)
}
