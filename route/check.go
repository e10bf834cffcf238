package route

import (
	"strings"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/tts/phrases"
)

// Options say when, in which languages and in which time zone a route is
// checked.
type Options struct {
	At        time.Time
	Languages []string
	Location  *time.Location
	// Lexicon is the phrase book's lexicon; nil means the built-in one.
	Lexicon *phrases.Lexicon
	// Source says where the documents came from, for the report.
	Source string
}

// Report is a route checked at a time.
type Report struct {
	Route     string    `json:"route"`
	Line      string    `json:"line,omitempty"`
	At        time.Time `json:"at"`
	Languages []string  `json:"languages"`
	Source    string    `json:"source"`
	// TimeZone is the zone in which times are said and shown.
	TimeZone string  `json:"time_zone"`
	Stops    []Entry `json:"stops"`

	loc *time.Location
}

// Entry is one stop of a checked route.
type Entry struct {
	// Position is the stop's place on the route, from 1.
	Position int    `json:"position"`
	Stop     string `json:"stop"`
	Name     string `json:"name"`
	Note     string `json:"note,omitempty"`
	Walk     string `json:"walk,omitempty"`
	// Served is false when the stop is closed, or when the route's line
	// does not call at it.
	Served bool `json:"served"`
	// NotServedBy names the lines that do not call at the stop ("tram 1");
	// empty when the stop is closed to every line, or served.
	NotServedBy []string `json:"not_served_by,omitempty"`
	// Alerts are the alerts in force or still to come, as the stop holds them.
	Alerts []AlertEntry `json:"alerts"`
	// Says is, per language, what the stop answers to a press and then to
	// each "press again": the parts as the speaker says them.
	Says map[string][][]string `json:"says"`
	// Audio is, per language, the WAV file of the first answer, relative to
	// the report; empty until written.
	Audio map[string]string `json:"audio,omitempty"`
	// Version is the version of the stop's document, 0 when the stop holds
	// none (nothing concerns it).
	Version uint64 `json:"version"`
}

// AlertEntry is one alert that applies at a stop.
type AlertEntry struct {
	ID       string   `json:"id"`
	Effect   string   `json:"effect,omitempty"`
	Severity string   `json:"severity,omitempty"`
	Lines    []string `json:"lines,omitempty"`
	// Active is whether the alert is in force at the report's time; if not,
	// From is when it begins.
	Active bool      `json:"active"`
	From   time.Time `json:"from,omitzero"`
	// Until is when the period in force (or the next one) ends; zero means
	// until further notice.
	Until  time.Time `json:"until,omitzero"`
	Source string    `json:"source,omitempty"`
}

// Check is what each stop of r says at o.At: docs are the stops' state
// documents (a stop without one holds none), net gives the names of stops
// that have no document.
func Check(r Route, docs map[string]halte.StopState, net *gtfs.Network, o Options) Report {
	rep := Report{Route: r.Name, Line: r.Line, At: o.At, Languages: o.Languages, Source: o.Source,
		TimeZone: o.Location.String(), loc: o.Location}
	for i, s := range r.Stops {
		doc, ok := docs[s.ID]
		if !ok {
			doc = halte.StopState{Stop: s.ID, Version: 1, IssuedAt: o.At, Alerts: []halte.Alert{}}
		}
		if doc.StopName == "" {
			doc.StopName = net.Stops[s.ID].Name
		}
		e := Entry{Position: i + 1, Stop: s.ID, Name: doc.StopName, Note: s.Note, Walk: s.Walk,
			Alerts: alertEntries(doc, o.At), Says: map[string][][]string{}}
		if ok {
			e.Version = doc.Version
		}
		e.Served, e.NotServedBy = served(doc, r.Line, o.At)
		held := map[string]halte.StopState{s.ID: doc}
		for _, lang := range o.Languages {
			e.Says[lang] = agent.PreviewPresses(held, lang, o.Location, o.Lexicon, o.At)
		}
		rep.Stops = append(rep.Stops, e)
	}
	return rep
}

// NotServed are the stops of the report that are not served.
func (rep Report) NotServed() []Entry {
	var out []Entry
	for _, e := range rep.Stops {
		if !e.Served {
			out = append(out, e)
		}
	}
	return out
}

// served reads the alerts in force at a stop that stop the service: one
// naming no line closes the stop; one naming lines stops those lines, and
// the stop is not served when line is among them.
func served(doc halte.StopState, line string, at time.Time) (bool, []string) {
	closed, lineStopped := false, false
	var by []string
	for _, a := range doc.Active(at) {
		if a.Effect != halte.NoService {
			continue
		}
		if len(a.Lines) == 0 {
			closed = true
		}
		for _, l := range a.Lines {
			by = append(by, lineLabel(l))
			lineStopped = lineStopped || l.ID == line
		}
	}
	if closed {
		return false, nil
	}
	return !lineStopped, by
}

func lineLabel(l halte.Line) string {
	name := l.Name
	if name == "" {
		name = l.ID
	}
	return strings.TrimSpace(string(l.Mode) + " " + name)
}

func alertEntries(doc halte.StopState, at time.Time) []AlertEntry {
	out := []AlertEntry{}
	for _, a := range doc.Alerts {
		if a.Ended(at) {
			continue
		}
		e := AlertEntry{ID: a.ID, Effect: string(a.Effect), Severity: string(a.Severity), Active: a.ActiveAt(at), Source: a.Source}
		for _, l := range a.Lines {
			e.Lines = append(e.Lines, lineLabel(l))
		}
		if p, ok := periodFor(a, at); ok {
			e.Until = p.End
			if !p.Contains(at) {
				e.From = p.Start
			}
		}
		out = append(out, e)
	}
	return out
}

// periodFor is the period of a in force at t, else the next one to begin.
func periodFor(a halte.Alert, t time.Time) (halte.Period, bool) {
	var next halte.Period
	found := false
	for _, p := range a.Periods {
		switch {
		case p.Contains(t):
			return p, true
		case p.Start.After(t) && (!found || p.Start.Before(next.Start)):
			next, found = p, true
		}
	}
	return next, found
}
