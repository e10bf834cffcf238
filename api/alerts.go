package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/halte-transit/halte"
)

// GET /v1/alerts: the alerts the stops' documents carry, each with the
// stops that carry it, filtered by line, stop, effect and the time they are
// active at.
func (s *Server) alerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, limit, err := paging(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_parameter", err.Error())
		return
	}
	keep := []func(halte.Alert) bool{}
	if line := q.Get("line"); line != "" {
		if _, ok := s.cfg.Network.Routes[line]; !ok {
			writeError(w, http.StatusNotFound, "unknown_line", "there is no line (route_id) "+strconv.Quote(line)+" in the network's GTFS")
			return
		}
		keep = append(keep, func(a halte.Alert) bool {
			return slices.ContainsFunc(a.Lines, func(l halte.Line) bool { return l.ID == line })
		})
	}
	if stop := q.Get("stop"); stop != "" {
		if _, ok := s.cfg.Network.Stops[stop]; !ok {
			writeError(w, http.StatusNotFound, "unknown_stop", "there is no stop "+strconv.Quote(stop)+" in the network's GTFS")
			return
		}
		keep = append(keep, func(a halte.Alert) bool { return slices.Contains(a.Stops, stop) })
	}
	if v := q.Get("effect"); v != "" {
		effect, err := halte.ParseEffect(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_parameter", "effect: "+err.Error())
			return
		}
		keep = append(keep, func(a halte.Alert) bool { return a.Effect == effect })
	}
	if v := q.Get("active_at"); v != "" {
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_parameter", "active_at "+strconv.Quote(v)+": want an RFC 3339 time, such as 2026-12-04T14:00:00+01:00")
			return
		}
		keep = append(keep, func(a halte.Alert) bool { return a.ActiveAt(at) })
	}
	all, _ := s.store.allAlerts()
	all = slices.DeleteFunc(all, func(a halte.Alert) bool {
		return slices.ContainsFunc(keep, func(f func(halte.Alert) bool) bool { return !f(a) })
	})
	writeJSON(w, r, paginate(w, r, all, from, limit), 5*time.Second)
}

// GET /v1/alerts/{id}: one alert and the stops whose documents carry it.
func (s *Server) alertByID(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a, stops, ok := s.store.alert(id)
	if !ok {
		writeError(w, http.StatusNotFound, "unknown_alert", "no stop's document carries an alert "+strconv.Quote(id)+" (it may have ended)")
		return
	}
	a.Stops = stops
	writeJSON(w, r, a, 5*time.Second)
}
