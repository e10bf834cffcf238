package halte

import (
	"sort"
	"time"
)

// StopState is the state document of one stop: every alert that concerns the
// stop, as the hub knows them at IssuedAt. A newer document replaces an older
// one entirely, so a cancelled alert is simply absent from the next document.
type StopState struct {
	// Stop is the stop id (GTFS stop_id) the document is for.
	Stop string `json:"stop"`
	// StopName is the stop's name as travelers know it, when the hub knows it.
	StopName string `json:"stop_name,omitempty"`
	// Version only grows; a document whose Version is not greater than the one
	// a device holds is ignored.
	Version uint64 `json:"version"`
	// IssuedAt is when the hub made the document.
	IssuedAt time.Time `json:"issued_at"`
	// Alerts are the alerts that concern the stop, most severe first.
	Alerts []Alert `json:"alerts"`
}

// AlertIDs are the ids of the document's alerts, in its order.
func (s StopState) AlertIDs() []string {
	ids := make([]string, len(s.Alerts))
	for i, a := range s.Alerts {
		ids[i] = a.ID
	}
	return ids
}

// Newer reports whether s should replace old: only a greater version does.
func (s StopState) Newer(old StopState) bool { return s.Version > old.Version }

// Active returns the alerts in force at t, most severe first, then by ID.
func (s StopState) Active(t time.Time) []Alert {
	var out []Alert
	for _, a := range s.Alerts {
		if a.ActiveAt(t) {
			out = append(out, a)
		}
	}
	SortBySeverity(out)
	return out
}

// SortBySeverity orders alerts most severe first, ties by ID, in place.
func SortBySeverity(alerts []Alert) {
	sort.SliceStable(alerts, func(i, j int) bool {
		ri, rj := alerts[i].Severity.Rank(), alerts[j].Severity.Rank()
		if ri != rj {
			return ri > rj
		}
		return alerts[i].ID < alerts[j].ID
	})
}
