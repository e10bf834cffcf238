package api

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/tts/phrases"
)

// stopAnswer is GET /v1/stops/{stop}: the stop's document as on MQTT, the
// sentences its device says in each language asked, and the signed form.
type stopAnswer struct {
	halte.StopState
	Spoken map[string][]string `json:"spoken"`
	JWS    string              `json:"jws,omitempty"`
}

// stopSummary is one stop in a list: where it is and how disrupted.
type stopSummary struct {
	Stop      string   `json:"stop"`
	Name      string   `json:"name"`
	Lat       float64  `json:"lat"`
	Lon       float64  `json:"lon"`
	Distance  *float64 `json:"distance_m,omitempty"`
	Alerts    int      `json:"alerts"`
	NotServed bool     `json:"not_served"`
	Version   uint64   `json:"version"`
}

// page is a list answer: one page of items and the cursor of the next.
type page[T any] struct {
	Items []T    `json:"items"`
	Total int    `json:"total"`
	Next  string `json:"next,omitempty"`
}

func (s *Server) stopState(w http.ResponseWriter, r *http.Request) {
	doc, langs, ok := s.stopAndLanguages(w, r)
	if !ok {
		return
	}
	writeJSON(w, r, s.answer(doc, langs), 5*time.Second)
}

// stopAndLanguages reads the request's stop and languages, or answers with
// the error.
func (s *Server) stopAndLanguages(w http.ResponseWriter, r *http.Request) (held, []string, bool) {
	id := r.PathValue("stop")
	st, known := s.cfg.Network.Stops[id]
	if !known {
		writeError(w, http.StatusNotFound, "unknown_stop", "there is no stop "+strconv.Quote(id)+" in the network's GTFS")
		return held{}, nil, false
	}
	langs, err := s.languages(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "unknown_language", err.Error())
		return held{}, nil, false
	}
	h, _ := s.store.stop(id)
	if h.doc.Stop == "" { // nothing published: no disruptions
		h.doc = halte.StopState{Stop: id, StopName: st.Name, IssuedAt: s.cfg.Now().UTC(), Alerts: []halte.Alert{}}
	}
	return h, langs, true
}

// answer is the state answer for h in langs at this moment.
func (s *Server) answer(h held, langs []string) stopAnswer {
	a := stopAnswer{StopState: h.doc, JWS: h.jws, Spoken: map[string][]string{}}
	docs := map[string]halte.StopState{h.doc.Stop: h.doc}
	for _, lang := range langs {
		a.Spoken[lang] = agent.PreviewSentences(docs, lang, s.cfg.Location, s.cfg.Lexicon, s.cfg.Now())
	}
	return a
}

// languages are the request's ?lang= (comma-separated or repeated), else
// the default ones.
func (s *Server) languages(r *http.Request) ([]string, error) {
	var out []string
	for _, v := range r.URL.Query()["lang"] {
		for _, l := range strings.Split(v, ",") {
			l = strings.TrimSpace(l)
			if !knownLanguage(l) {
				return nil, fmt.Errorf("lang %q: halte speaks %s", l, strings.Join(phrases.Languages, ", "))
			}
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return s.cfg.Languages, nil
	}
	return out, nil
}

func (s *Server) stops(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, limit, err := paging(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_parameter", err.Error())
		return
	}
	ids := s.stopIDs
	var onLine map[string]bool
	if line := q.Get("line"); line != "" {
		if _, ok := s.cfg.Network.Routes[line]; !ok {
			writeError(w, http.StatusNotFound, "unknown_line", "there is no line (route_id) "+strconv.Quote(line)+" in the network's GTFS")
			return
		}
		ids = s.cfg.Network.RouteDirectionStops(line, "")
		onLine = map[string]bool{}
		for _, id := range ids {
			onLine[id] = true
		}
	}
	var distance map[string]float64
	if near := q.Get("near"); near != "" {
		lat, lon, radius, err := nearParameters(near, q.Get("radius"))
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_parameter", err.Error())
			return
		}
		ids, distance = nil, map[string]float64{}
		for _, p := range s.places.within(lat, lon, radius) {
			if onLine == nil || onLine[p.id] {
				ids = append(ids, p.id)
				distance[p.id] = p.metres
			}
		}
	}
	disrupted := q.Get("disrupted") == "true"
	var all []stopSummary
	for _, id := range ids {
		sum := s.summary(id)
		if d, ok := distance[id]; ok {
			d = math.Round(d)
			sum.Distance = &d
		}
		if !disrupted || sum.Alerts > 0 {
			all = append(all, sum)
		}
	}
	writeJSON(w, r, paginate(w, r, all, from, limit), 5*time.Second)
}

// summary is stop id as a list shows it.
func (s *Server) summary(id string) stopSummary {
	st := s.cfg.Network.Stops[id]
	sum := stopSummary{Stop: id, Name: st.Name, Lat: st.Lat, Lon: st.Lon}
	if doc, ok := s.store.doc(id); ok {
		now := s.cfg.Now()
		sum.Version = doc.Version
		for _, a := range doc.Alerts {
			if a.Ended(now) {
				continue
			}
			sum.Alerts++
			if a.Effect == halte.NoService && a.ActiveAt(now) {
				sum.NotServed = true
			}
		}
	}
	return sum
}

// nearParameters reads near=LAT,LON and radius=M (default 500 m, at most 5 km).
func nearParameters(near, radius string) (lat, lon, r float64, err error) {
	latText, lonText, ok := strings.Cut(near, ",")
	lat, errLat := strconv.ParseFloat(strings.TrimSpace(latText), 64)
	lon, errLon := strconv.ParseFloat(strings.TrimSpace(lonText), 64)
	if !ok || errLat != nil || errLon != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return 0, 0, 0, fmt.Errorf("near %q: want LAT,LON in degrees, such as 51.0547,3.7216", near)
	}
	r = 500
	if radius != "" {
		r, err = strconv.ParseFloat(radius, 64)
		if err != nil || r <= 0 || r > 5000 {
			return 0, 0, 0, fmt.Errorf("radius %q: want metres, more than 0 and at most 5000", radius)
		}
	}
	return lat, lon, r, nil
}
