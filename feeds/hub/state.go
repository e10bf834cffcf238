// Package hub turns operators' alerts into one state document per stop.
//
// State is the hub's memory, pure and without I/O: the alerts in force, which
// stops each concerns (resolved with the static GTFS), and what was last
// published for each stop. Run wires it to MQTT. A stop's document is
// republished only when its content changes, with a version greater than any
// the hub has seen on that stop's topic.
package hub

import (
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"sort"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs"
)

// State is the hub's memory. It is not safe for concurrent use: Run owns it.
type State struct {
	net *gtfs.Network
	log *slog.Logger

	alerts    map[string]halte.Alert     // in force, by id, resolved
	versions  map[string]uint64          // highest version seen per alert id, cancels included
	byStop    map[string]map[string]bool // stop → ids of the alerts that concern it
	published map[string]published       // stop → what its topic holds
	floor     uint64                     // no document version at or below this
	Rejected  map[halte.Reason]int       // payloads refused, by reason
}

type published struct {
	version uint64
	digest  [32]byte
}

// NewState makes an empty hub state for a network.
func NewState(net *gtfs.Network, log *slog.Logger) *State {
	return &State{
		net: net, log: log,
		alerts:    map[string]halte.Alert{},
		versions:  map[string]uint64{},
		byStop:    map[string]map[string]bool{},
		published: map[string]published{},
		Rejected:  map[halte.Reason]int{},
	}
}

// ApplyAlert takes an operator's alert payload from topic id and returns the
// stops whose documents may change. An empty payload (a cleared retained
// message) ends the alert like a cancel document. A refused payload is
// logged, counted and changes nothing.
func (s *State) ApplyAlert(id string, payload []byte) []string {
	if len(payload) == 0 {
		return s.remove(id)
	}
	a, err := halte.DecodeAlert(payload)
	if err == nil && a.ID != id {
		err = &halte.InputError{Reason: halte.ReasonInvalid, Field: "id",
			Problem: "alert " + a.ID + " was published on the topic of alert " + id}
	}
	if err != nil {
		s.reject(id, err)
		return nil
	}
	if a.Version <= s.versions[a.ID] {
		s.log.Info("operator alert ignored: not newer", "alert", a.ID, "version", a.Version, "have", s.versions[a.ID])
		return nil
	}
	s.versions[a.ID] = a.Version
	touched := s.remove(a.ID)
	if a.Cancelled {
		s.log.Info("operator alert cancelled", "alert", a.ID, "version", a.Version)
		return touched
	}
	a = s.resolve(a)
	stops := s.stopsOf(a)
	if len(stops) == 0 {
		s.reject(id, &halte.InputError{Reason: halte.ReasonInvalid, Field: "stops",
			Problem: "none of the alert's stops and lines is in the GTFS"})
		return touched
	}
	s.alerts[a.ID] = a
	for _, stop := range stops {
		if s.byStop[stop] == nil {
			s.byStop[stop] = map[string]bool{}
		}
		s.byStop[stop][a.ID] = true
	}
	s.log.Info("operator alert accepted", "alert", a.ID, "version", a.Version, "stops", len(stops))
	return append(touched, stops...)
}

func (s *State) reject(id string, err error) {
	reason := halte.ReasonInvalid
	if ie, ok := err.(*halte.InputError); ok {
		reason = ie.Reason
	}
	s.Rejected[reason]++
	s.log.Warn("operator alert refused", "alert", id, "reason", string(reason), "err", err.Error())
}

// remove forgets alert id and returns the stops it concerned.
func (s *State) remove(id string) []string {
	a, ok := s.alerts[id]
	if !ok {
		return nil
	}
	delete(s.alerts, id)
	stops := s.stopsOf(a)
	for _, stop := range stops {
		delete(s.byStop[stop], id)
		if len(s.byStop[stop]) == 0 {
			delete(s.byStop, stop)
		}
	}
	return stops
}

// ObservePublished records a stop document seen on the broker (retained from
// before a restart, or the echo of the hub's own) and reports whether the
// stop should be reconciled because the document is not what the hub holds.
func (s *State) ObservePublished(stop string, payload []byte) bool {
	if len(payload) == 0 {
		delete(s.published, stop)
		return true
	}
	doc, err := halte.DecodeStopState(payload)
	if err != nil || doc.Stop != stop {
		s.log.Warn("stop document on the broker is not valid; it will be replaced", "stop", stop)
		s.published[stop] = published{version: s.published[stop].version}
		return true
	}
	p := s.published[stop]
	if doc.Version < p.version {
		return false
	}
	p.version = doc.Version
	p.digest = digest(doc.StopName, doc.Alerts)
	s.RaiseFloor(doc.Version)
	s.published[stop] = p
	return true
}

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
		doc := s.document(stop, now)
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

func (s *State) document(stop string, now time.Time) halte.StopState {
	doc := halte.StopState{Stop: stop, StopName: s.net.Stops[stop].Name, IssuedAt: now.UTC(), Alerts: []halte.Alert{}}
	for id := range s.byStop[stop] {
		if a := s.alerts[id]; !a.Ended(now) {
			doc.Alerts = append(doc.Alerts, a)
		}
	}
	halte.SortBySeverity(doc.Alerts)
	return doc
}

// resolve fills in line names and modes from the GTFS.
func (s *State) resolve(a halte.Alert) halte.Alert {
	lines := make([]halte.Line, len(a.Lines))
	for i, l := range a.Lines {
		if r, ok := s.net.Routes[l.ID]; ok {
			l.Name, l.Mode = r.Name, r.Mode
		}
		lines[i] = l
	}
	a.Lines = lines
	return a
}

// stopsOf returns the GTFS stops an alert concerns: the stops it names (a
// station's platforms with it) and every stop its lines serve.
func (s *State) stopsOf(a halte.Alert) []string {
	set := map[string]bool{}
	for _, id := range a.Stops {
		if _, ok := s.net.Stops[id]; !ok {
			s.log.Warn("alert names a stop that is not in the GTFS", "alert", a.ID, "stop", id)
			continue
		}
		set[id] = true
		for _, child := range s.net.Children(id) {
			set[child] = true
		}
	}
	for _, l := range a.Lines {
		if _, ok := s.net.Routes[l.ID]; !ok {
			s.log.Warn("alert names a line that is not in the GTFS", "alert", a.ID, "line", l.ID)
			continue
		}
		for _, stop := range s.net.RouteStops(l.ID) {
			set[stop] = true
		}
	}
	return sortedKeys(set)
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
