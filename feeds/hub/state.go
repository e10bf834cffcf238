// Package hub turns operators' alerts and the alerts of GTFS-Realtime and
// SIRI-SX feeds into one state document per stop.
//
// State is the hub's memory, pure and without I/O: the alerts in force, which
// stops each concerns (resolved with the static GTFS), and what was last
// published for each stop. Run wires it to MQTT and to the feeds' pollers. A
// stop's document is republished only when its content changes, with a
// version greater than any the hub has seen on that stop's topic.
package hub

import (
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"slices"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/sign"
)

// State is the hub's memory. It is not safe for concurrent use: Run owns it.
type State struct {
	net *gtfs.Network
	log *slog.Logger

	alerts    map[string]entry           // in force, by id, resolved
	versions  map[string]uint64          // highest version seen per operator alert id, cancels included
	feeds     map[string][]string        // feed source → ids of its alerts
	trips     map[string]bool            // feed sources whose alerts are inferred from trips
	byStop    map[string]map[string]bool // stop → ids of the alerts that concern it
	published map[string]published       // stop → what its topic holds
	floor     uint64                     // no document version at or below this

	// Operators checks the signatures of operators' alerts; nil accepts
	// unsigned alerts (closed test set-ups only).
	Operators *sign.Verifier
	// Own checks the hub's own documents read back from the broker; nil
	// accepts unsigned ones.
	Own *sign.Verifier
	// Now is the clock for operator alerts' freshness; nil means time.Now.
	Now func() time.Time

	// Rejected counts operator alerts refused, by reason.
	Rejected map[halte.Reason]int
	// Skipped counts what feeds said that could not be placed: alerts on
	// unknown stops, effects and conditions halte has no word for.
	Skipped map[string]int
	// Lost counts stop documents the broker acknowledged and then no longer
	// held; each was published again.
	Lost int
}

// entry is an alert in force with the stops it concerns.
type entry struct {
	alert    halte.Alert
	stops    []string
	digest   [32]byte // of the alert without its version, and its stops
	inferred bool     // inferred from trips that skip stops
}

type published struct {
	version uint64
	digest  [32]byte
}

// NewState makes an empty hub state for a network.
func NewState(net *gtfs.Network, log *slog.Logger) *State {
	return &State{
		net: net, log: log,
		alerts:    map[string]entry{},
		versions:  map[string]uint64{},
		feeds:     map[string][]string{},
		trips:     map[string]bool{},
		byStop:    map[string]map[string]bool{},
		published: map[string]published{},
		Rejected:  map[halte.Reason]int{},
		Skipped:   map[string]int{},
	}
}

// put records an alert in force and returns the stops whose documents may
// change: none when the alert and its stops are as they were. inferred
// marks an alert inferred from trips.
func (s *State) put(a halte.Alert, stops []string, inferred bool) []string {
	bare := a
	bare.Version = 0
	b, _ := json.Marshal(struct {
		A halte.Alert
		S []string
	}{bare, stops})
	e := entry{alert: a, stops: stops, digest: sha256.Sum256(b), inferred: inferred}
	if old, ok := s.alerts[a.ID]; ok && old.digest == e.digest {
		return nil
	}
	touched := s.remove(a.ID)
	s.alerts[a.ID] = e
	for _, stop := range stops {
		if s.byStop[stop] == nil {
			s.byStop[stop] = map[string]bool{}
		}
		s.byStop[stop][a.ID] = true
	}
	return append(touched, stops...)
}

// remove forgets alert id and returns the stops it concerned.
func (s *State) remove(id string) []string {
	e, ok := s.alerts[id]
	if !ok {
		return nil
	}
	delete(s.alerts, id)
	for _, stop := range e.stops {
		delete(s.byStop[stop], id)
		if len(s.byStop[stop]) == 0 {
			delete(s.byStop, stop)
		}
	}
	return e.stops
}

// ObservePublished records a stop document seen on the broker (retained from
// before a restart, or the echo of the hub's own) and reports whether the
// stop should be reconciled because the document is not what the hub holds.
// A retained document older than the one the hub published means the
// broker lost it (Mosquitto killed before it saved it, a NATS node lost as
// the cluster stored it, or killed before it acknowledged it): the stop is
// published again, and counted in Lost if it was older than acknowledged,
// the newest version of the stop the broker acknowledged (0: none). An
// older echo, which is not retained, is only late.
func (s *State) ObservePublished(stop string, payload []byte, retained bool, acknowledged uint64) bool {
	if len(payload) == 0 {
		delete(s.published, stop)
		return true
	}
	body, err := open(s.Own, payload)
	var doc halte.StopState
	if err == nil {
		doc, err = halte.DecodeStopState(body)
	}
	if err == nil {
		err = doc.CheckFresh(s.now()) // a version from the future would block every later one
	}
	if err != nil || doc.Stop != stop {
		s.log.Warn("stop document on the broker is not valid; it will be replaced", "stop", stop)
		s.published[stop] = published{version: s.published[stop].version}
		return true
	}
	p := s.published[stop]
	if doc.Version < p.version {
		if retained {
			s.log.Warn("the broker holds an older document than the hub published; it will be published again",
				"stop", stop, "held", doc.Version, "published", p.version, "acknowledged", acknowledged)
			s.published[stop] = published{version: p.version}
			if doc.Version < acknowledged {
				s.Lost++
			}
		}
		return retained
	}
	p.version = doc.Version
	p.digest = digest(doc.StopName, doc.Alerts)
	s.RaiseFloor(doc.Version)
	s.published[stop] = p
	return true
}

// Remember marks stops as having had a document published (read from the
// hub's state folder): until the broker shows what it holds for them, each
// is published again, even without alerts, so that a document the broker
// lost (killed before it saved it) is replaced.
func (s *State) Remember(stops []string) {
	for _, stop := range stops {
		if _, ok := s.published[stop]; !ok {
			s.published[stop] = published{}
		}
	}
}

// PublishedStops are the stops with a published document, sorted.
func (s *State) PublishedStops() []string { return sortedKeys(s.published) }

// Floor is the highest document version the hub has issued or seen.
func (s *State) Floor() uint64 { return s.floor }

// RaiseFloor makes every later document version greater than v.
func (s *State) RaiseFloor(v uint64) { s.floor = max(s.floor, v) }

// KnownStops returns every stop that has alerts or a published document.
func (s *State) KnownStops() []string {
	set := map[string]bool{}
	for stop := range s.byStop {
		set[stop] = true
	}
	for stop := range s.published {
		set[stop] = true
	}
	return sortedKeys(set)
}

// Plan returns the documents to publish for stops, whose content differs
// from what was last published, and records them as published. now stamps
// the documents and drops alerts that have ended.
func (s *State) Plan(stops []string, now time.Time) []halte.StopState {
	set := map[string]bool{}
	for _, stop := range stops {
		set[stop] = true
	}
	var docs []halte.StopState
	for _, stop := range sortedKeys(set) {
		doc := s.Document(stop, now)
		d := digest(doc.StopName, doc.Alerts)
		p, seen := s.published[stop]
		if seen && p.digest == d || !seen && len(doc.Alerts) == 0 {
			continue
		}
		doc.Version = max(p.version+1, s.floor+1, uint64(now.UnixMilli()))
		s.floor = doc.Version
		s.published[stop] = published{version: doc.Version, digest: d}
		docs = append(docs, doc)
	}
	return docs
}

// Document is stop's state document at now, unversioned: the alerts that
// concern it and have not ended, most severe first.
func (s *State) Document(stop string, now time.Time) halte.StopState {
	doc := halte.StopState{Stop: stop, StopName: s.net.Stops[stop].Name, IssuedAt: now.UTC(), Alerts: []halte.Alert{}}
	for id := range s.byStop[stop] {
		a := s.alerts[id].alert
		if a.Ended(now) {
			continue
		}
		// The alert as it concerns this stop: a document does not carry
		// every stop an alert names (35,000 for a network-wide one). It
		// names the stop when the alert named it (or its station), so that
		// the device says this stop's own disruptions first; an alert that
		// reaches it through its lines names none.
		switch {
		case s.names(a, stop) || len(a.Lines) == 0:
			a.Stops = []string{stop}
		default:
			a.Stops = nil
		}
		doc.Alerts = append(doc.Alerts, a)
	}
	doc.Alerts = slices.DeleteFunc(doc.Alerts, func(a halte.Alert) bool { return s.saidElsewhere(stop, a, now) })
	halte.SortBySeverity(doc.Alerts)
	return doc
}

// saidElsewhere reports whether a, inferred from trips, is already said at
// stop by an alert that an operator or an alert feed gives, in force and
// naming the stop (or its station): one on the same line, or one that closes
// the stop to every line. Their words win; the stop says it once.
func (s *State) saidElsewhere(stop string, a halte.Alert, now time.Time) bool {
	if !s.alerts[a.ID].inferred {
		return false
	}
	for id := range s.byStop[stop] {
		e := s.alerts[id]
		if e.inferred || e.alert.Ended(now) || !s.names(e.alert, stop) {
			continue
		}
		if len(e.alert.Lines) == 0 && e.alert.Effect == halte.NoService {
			return true
		}
		for _, l := range e.alert.Lines {
			if slices.ContainsFunc(a.Lines, func(m halte.Line) bool { return m.ID == l.ID }) {
				return true
			}
		}
	}
	return false
}

// names reports whether alert a names stop, or the station stop belongs to.
func (s *State) names(a halte.Alert, stop string) bool {
	parent := s.net.Stops[stop].Parent
	return slices.ContainsFunc(a.Stops, func(named string) bool { return named == stop || parent != "" && named == parent })
}

// digest identifies a document's content. Alert versions are left out: a
// version bump that changes nothing else is not worth a new document.
func digest(name string, alerts []halte.Alert) [32]byte {
	bare := make([]halte.Alert, len(alerts))
	for i, a := range alerts {
		a.Version = 0
		bare[i] = a
	}
	b, _ := json.Marshal(struct {
		Name   string        `json:"n"`
		Alerts []halte.Alert `json:"a"`
	}{name, bare})
	return sha256.Sum256(b)
}

func (s *State) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// open checks a signed payload with v; a nil v takes it as it is.
func open(v *sign.Verifier, payload []byte) ([]byte, error) {
	if v == nil {
		v = sign.Insecure()
	}
	body, _, err := v.Open(payload)
	return body, err
}
