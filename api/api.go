// Package api is halte's open service: the hub's HTTP API for app builders,
// the city and journey planners. It serves, read-only, what the broker holds
// for every stop (the documents the hub publishes, observed as devices
// receive them), with the sentences a stop's device says (the same policy
// and phrase book), the announcement as audio, the alerts in force, changes
// as server-sent events, and the merged alerts as a GTFS-Realtime feed. The
// contract is openapi.json, served at /openapi.json.
package api

import (
	_ "embed"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/sign"
	"github.com/halte-transit/halte/tts"
	"github.com/halte-transit/halte/tts/phrases"
)

// OpenAPI is the API's description (OpenAPI 3.1), as served at /openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

//go:embed index.html
var indexPage []byte

// examplePage is a small accessible web app that uses the API from a browser.
//
//go:embed web/example.html
var examplePage []byte

// Config is what the API serves from. Network is required.
type Config struct {
	// Network is the static GTFS: the stops, their names and positions, the lines.
	Network *gtfs.Network
	// Documents checks the hub's signature on the documents observed; nil
	// takes them as they are.
	Documents *sign.Verifier
	// Languages are the languages of the spoken sentences when a request
	// names none; empty means Dutch.
	Languages []string
	// Location is the stops' time zone, for spoken times; nil means UTC.
	Location *time.Location
	// Lexicon is the pronunciation lexicon; nil means the built-in one.
	Lexicon *phrases.Lexicon
	// Speech synthesizes the audio answers; nil means espeak-ng.
	Speech tts.Engine
	// Rate and Burst limit each client's requests (per API key, else per
	// address); a zero Rate means 20 per second, a zero Burst 40.
	Rate  rate.Limit
	Burst int
	// Keys maps API keys to the names of their holders, for accounting; a
	// request may go without a key, but an unknown key is refused.
	Keys map[string]string
	// Metrics is where requests are counted, by endpoint, status and
	// client, and the documents refused; nil means nowhere.
	Metrics prometheus.Registerer
	// Logger receives the API's log; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is the API: an http.Handler, fed with Observe.
type Server struct {
	cfg      Config
	store    *store
	stopIDs  []string // the network's stops, sorted
	places   places   // those with a position, by latitude
	mux      *http.ServeMux
	clients  *limiter
	audio    *audioCache
	export   singleflight.Group
	exported *lru.Cache[string, []byte] // the GTFS-Realtime feed, by generation and minute
	count    *prometheus.CounterVec
}

// New makes the API for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Network == nil {
		return nil, errors.New("api: no Network")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Speech == nil {
		cfg.Speech = tts.Espeak{}
	}
	if len(cfg.Languages) == 0 {
		cfg.Languages = []string{"nl"}
	}
	if cfg.Rate == 0 {
		cfg.Rate = 20
	}
	if cfg.Burst == 0 {
		cfg.Burst = 40
	}
	refused := prometheus.NewCounter(prometheus.CounterOpts{Name: "halte_api_documents_refused_total",
		Help: "Stop documents the API did not take from the broker: not signed by the hub, or not valid."})
	s := &Server{cfg: cfg, store: newStore(cfg.Documents, refused, cfg.Logger), mux: http.NewServeMux(),
		clients: newLimiter(cfg.Rate, cfg.Burst), audio: newAudioCache(256)}
	for id := range cfg.Network.Stops {
		s.stopIDs = append(s.stopIDs, id)
	}
	slices.Sort(s.stopIDs)
	s.places = placesOf(cfg.Network)
	s.exported, _ = lru.New[string, []byte](2)
	s.count = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "halte_api_requests_total",
		Help: "API requests answered, by endpoint, HTTP status and client (an API key's holder, or anonymous)."},
		[]string{"endpoint", "code", "client"})
	if cfg.Metrics != nil {
		for _, c := range []prometheus.Collector{s.count, refused} {
			if err := cfg.Metrics.Register(c); err != nil {
				return nil, err
			}
		}
	}
	s.handle("/{$}", static("text/html; charset=utf-8", indexPage))
	s.handle("/openapi.json", static("application/json", OpenAPI))
	s.handle("/example", static("text/html; charset=utf-8", examplePage))
	s.handle("/v1/stops", s.stops)
	s.handle("/v1/stops/{stop}", s.stopState)
	s.handle("/v1/stops/{stop}/audio", s.stopAudio)
	s.handle("/v1/stops/{stop}/events", s.stopEvents)
	s.handle("/v1/alerts", s.alerts)
	s.handle("/v1/alerts/{id}", s.alertByID)
	s.handle("/v1/gtfs-rt/alerts.pb", s.gtfsRealtime)
	s.handle("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.URL.Path+" (see /openapi.json)")
	})
	return s, nil
}

// Observe takes a stop document as the broker delivers it (hub.Config's
// Observe): the API serves what devices hold.
func (s *Server) Observe(stop string, payload []byte) { s.store.observe(stop, payload) }

// ServeHTTP answers a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// static answers with an embedded file, kept for an hour.
func static(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		writeCached(w, r, body)
	}
}

func knownLanguage(lang string) bool {
	for _, l := range phrases.Languages {
		if l == lang {
			return true
		}
	}
	return false
}
