package halte

import (
	"encoding/json"
	"time"
)

// Alert is one disruption: what happens (Effect), where (Lines, Stops), when
// (Periods) and what to say about it. It is both the operator's alert on the
// wire and an entry of a stop's state document.
type Alert struct {
	// ID names the alert uniquely within its Source; it never changes.
	ID string `json:"id"`
	// Version grows with every change of the alert by its source.
	Version uint64 `json:"version"`
	// Cancelled marks a cancel document: the alert with this ID has ended.
	// A cancel document needs only ID and Version.
	Cancelled bool `json:"cancelled,omitempty"`

	Effect   Effect   `json:"effect,omitempty"`
	Severity Severity `json:"severity,omitempty"`
	// Lines are the lines (GTFS routes) affected; every stop they serve is
	// concerned. Names and modes are filled in by the hub.
	Lines []Line `json:"lines,omitempty"`
	// Stops are the stop ids (GTFS stop_id) affected directly.
	Stops []string `json:"stops,omitempty"`
	// Periods are when the alert is active; none means "until cancelled".
	Periods []Period `json:"active_periods,omitempty"`

	Header      Text `json:"header,omitempty"`
	Description Text `json:"description,omitempty"`
	// Speech is text written to be spoken (GTFS-RT tts_header_text and
	// tts_description_text); when present it is spoken instead of Header and
	// Description.
	Speech Text `json:"tts,omitempty"`
	// Advice is the alternative for the traveler ("take tram 1 at Korenmarkt").
	Advice Text `json:"advice,omitempty"`
	// Cause is why, as a GTFS-Realtime cause name (CONSTRUCTION, STRIKE...).
	Cause string `json:"cause,omitempty"`
	// URL is where to read more, per language; shown, never spoken.
	URL Text `json:"url,omitempty"`

	// Source names where the alert comes from: "operator:<name>", a feed URL.
	Source string `json:"source,omitempty"`
}

// Line is a line (a GTFS route) as an alert names it: by ID alone on the
// operator's side, with Name and Mode once the hub has resolved it.
type Line struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Mode Mode   `json:"mode,omitempty"`
	// Direction is the headsign of the affected direction ("Evergem
	// Brielken"); empty means both directions.
	Direction string `json:"direction,omitempty"`
}

// UnmarshalJSON accepts a line as an object or, for operators' convenience, as
// a bare route id string.
func (l *Line) UnmarshalJSON(b []byte) error {
	var id string
	if err := json.Unmarshal(b, &id); err == nil {
		*l = Line{ID: id}
		return nil
	}
	type plain Line
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*l = Line(p)
	return nil
}

// Mode is the kind of vehicle on a line, as travelers name it.
type Mode string

// The modes halte speaks of; the zero value means "not known".
const (
	Tram  Mode = "tram"
	Metro Mode = "metro"
	Train Mode = "train"
	Bus   Mode = "bus"
	Ferry Mode = "ferry"
)

// Period is a time range in which an alert is active. A zero Start means
// "since ever", a zero End "until further notice".
type Period struct {
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
}

// Contains reports whether t falls in the period (Start inclusive, End exclusive).
func (p Period) Contains(t time.Time) bool {
	return (p.Start.IsZero() || !t.Before(p.Start)) && (p.End.IsZero() || t.Before(p.End))
}

// ActiveAt reports whether the alert is in force at t: not cancelled and, if
// it has periods, inside one of them.
func (a Alert) ActiveAt(t time.Time) bool {
	if a.Cancelled {
		return false
	}
	if len(a.Periods) == 0 {
		return true
	}
	for _, p := range a.Periods {
		if p.Contains(t) {
			return true
		}
	}
	return false
}

// Ended reports whether every period of the alert lies before t.
func (a Alert) Ended(t time.Time) bool {
	if a.Cancelled {
		return true
	}
	if len(a.Periods) == 0 {
		return false
	}
	for _, p := range a.Periods {
		if p.End.IsZero() || t.Before(p.End) {
			return false
		}
	}
	return true
}
