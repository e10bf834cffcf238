package api

import (
	"log/slog"
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/sign"
)

// store is what the broker holds for every stop, as the hub observes it:
// each stop's document and its signed form, and an index of the alerts by
// id with the stops whose documents carry them. Safe for concurrent use.
type store struct {
	verifier *sign.Verifier
	log      *slog.Logger

	mu      sync.RWMutex
	docs    map[string]held
	alerts  map[string]*indexed
	changed map[string]chan struct{} // closed when the stop's document changes
	gen     uint64                   // grows with every change
	refused prometheus.Counter       // documents that did not verify or decode
}

// held is one stop's document as the broker holds it.
type held struct {
	doc halte.StopState
	jws string // the signed payload; "" when the hub publishes unsigned
}

// indexed is an alert and the stops whose documents carry it: named, when
// the alert names the stop (or has no lines), else reached through its lines.
type indexed struct {
	alert halte.Alert
	stops map[string]bool
	named map[string]bool
}

func newStore(v *sign.Verifier, refused prometheus.Counter, log *slog.Logger) *store {
	if v == nil {
		v = sign.Insecure()
	}
	return &store{verifier: v, refused: refused, log: log, docs: map[string]held{}, alerts: map[string]*indexed{}, changed: map[string]chan struct{}{}}
}

// observe takes a stop document as the broker delivers it. A payload that
// does not verify or decode, or is not newer than the one held, is logged,
// counted and changes nothing; an empty one clears the stop.
func (s *store) observe(stop string, payload []byte) {
	var h held
	if len(payload) > 0 {
		body, _, err := s.verifier.Open(payload)
		if err == nil {
			h.doc, err = halte.DecodeStopState(body)
		}
		if err == nil && h.doc.Stop != stop {
			err = &halte.InputError{Reason: halte.ReasonInvalid, Field: "stop", Problem: "document for stop " + h.doc.Stop + " on the topic of stop " + stop}
		}
		if err != nil {
			s.refused.Inc()
			s.log.Warn("stop document not served by the API", "stop", stop, "err", err)
			return
		}
		if string(body) != string(payload) {
			h.jws = string(payload)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.docs[stop]
	if had && len(payload) > 0 && !h.doc.Newer(old.doc) {
		return // a late echo
	}
	for _, a := range old.doc.Alerts {
		if ix := s.alerts[a.ID]; ix != nil {
			delete(ix.stops, stop)
			delete(ix.named, stop)
			if len(ix.stops) == 0 {
				delete(s.alerts, a.ID)
			}
		}
	}
	if len(payload) == 0 {
		delete(s.docs, stop)
	} else {
		s.docs[stop] = h
		for _, a := range h.doc.Alerts {
			ix := s.alerts[a.ID]
			if ix == nil {
				ix = &indexed{stops: map[string]bool{}, named: map[string]bool{}}
				s.alerts[a.ID] = ix
			}
			ix.stops[stop] = true
			if len(a.Stops) > 0 {
				ix.named[stop] = true
			}
			if a.Version >= ix.alert.Version {
				a.Stops = nil
				ix.alert = a
			}
		}
	}
	s.gen++
	if ch, ok := s.changed[stop]; ok {
		close(ch)
		delete(s.changed, stop)
	}
}

// stop returns what the broker holds for stop, and a channel closed at its
// next change.
func (s *store) stop(stop string) (held, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.changed[stop]
	if !ok {
		ch = make(chan struct{})
		s.changed[stop] = ch
	}
	return s.docs[stop], ch
}

// doc returns stop's document; ok is false when the broker holds none.
func (s *store) doc(stop string) (halte.StopState, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	h, ok := s.docs[stop]
	return h.doc, ok
}

// alert returns the alert with id and the stops that carry it, sorted.
func (s *store) alert(id string) (halte.Alert, []string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ix, ok := s.alerts[id]
	if !ok {
		return halte.Alert{}, nil, false
	}
	return ix.alert, slices.Sorted(maps.Keys(ix.stops)), true
}

// allAlerts returns every alert held, sorted by id, each with the stops
// that carry it, and the stops of each that its documents name.
func (s *store) allAlerts() ([]halte.Alert, map[string][]string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]halte.Alert, 0, len(s.alerts))
	named := make(map[string][]string, len(s.alerts))
	for id, ix := range s.alerts {
		a := ix.alert
		a.Stops = slices.Sorted(maps.Keys(ix.stops))
		out = append(out, a)
		named[id] = slices.Sorted(maps.Keys(ix.named))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, named
}

// generation grows with every change of any stop.
func (s *store) generation() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.gen
}
