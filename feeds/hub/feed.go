package hub

import (
	"time"

	"github.com/halte-transit/halte"
)

// ReplaceFeed takes the whole current content of a feed (every poll gives
// all of it) and returns the stops whose documents may change: an alert
// that is new or changed is put in force, one that the feed no longer lists
// (or whose publication window is not open at now) ends. Alerts that
// concern no known stop are logged and counted.
func (s *State) ReplaceFeed(source string, alerts []halte.FeedAlert, now time.Time) []string {
	var touched []string
	listed := map[string]bool{}
	var ids []string
	for _, fa := range alerts {
		if !inWindow(fa.Publish, now) {
			continue
		}
		a := fa.Alert
		for _, what := range fa.Unmapped {
			s.Skipped["unplaced "+what]++
		}
		stops := s.resolveAll(a.ID, fa.Selectors)
		if len(stops) == 0 {
			s.Skipped["alert on no known stop"]++
			s.log.Warn("feed alert concerns no stop of the GTFS; not published", "source", source, "alert", a.ID)
			continue
		}
		a.Source = source
		if a.Severity == "" {
			a.Severity = halte.UnknownSeverity // as a document decodes it, so that its echo matches
		}
		a.Lines = s.lines(linesOf(s, fa.Selectors))
		a.Stops = stopsNamed(fa.Selectors)
		if old, ok := s.alerts[a.ID]; ok {
			a.Version = old.alert.Version
		}
		if changed := s.put(a, stops, s.trips[source]); len(changed) > 0 {
			// content changed (or is new): its version grows
			e := s.alerts[a.ID]
			e.alert.Version++
			s.alerts[a.ID] = e
			touched = append(touched, changed...)
		}
		listed[a.ID] = true
		ids = append(ids, a.ID)
	}
	for _, id := range s.feeds[source] {
		if !listed[id] {
			s.log.Info("feed no longer lists alert; it ends", "source", source, "alert", id)
			touched = append(touched, s.remove(id)...)
		}
	}
	s.feeds[source] = ids
	return touched
}

// FromTrips marks source as a feed of alerts inferred from trips (stops
// they skip): its alerts give way to an operator's alert on the same line
// and stop.
func (s *State) FromTrips(source string) { s.trips[source] = true }

// inWindow reports whether now falls in one of the windows (or there are none).
func inWindow(windows []halte.Period, now time.Time) bool {
	for _, w := range windows {
		if w.Contains(now) {
			return true
		}
	}
	return len(windows) == 0
}
