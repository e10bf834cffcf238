// Package route is the route check of route instructors: for every stop of a
// route, in order, what a press of its button will say at a given time (the
// device's own policy and phrase book), which alerts apply and until when,
// and whether the stop is served. A route comes from a GTFS line and
// direction, a list of stops, or a lesson file; the check is written as a
// transcript, as JSON and as an accessible HTML report with audio.
package route

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/halte-transit/halte/feeds/gtfs"
)

// Route is the stops of a lesson in the order the traveler reaches them.
type Route struct {
	// Name is what the report is called ("Tram 1 to Evergem Brielken").
	Name string `yaml:"name" json:"name"`
	// Line is the GTFS route travelled, "" when the lesson walks or changes
	// lines; a stop that this line does not serve is marked not served.
	Line string `yaml:"line" json:"line,omitempty"`
	// Stops are the stops, in order.
	Stops []Stop `yaml:"stops" json:"stops"`
}

// Stop is one stop of a route, with the instructor's note and the walk
// that follows it.
type Stop struct {
	ID string `yaml:"stop" json:"stop"`
	// Note is the instructor's own remark ("shelter on the left").
	Note string `yaml:"note" json:"note,omitempty"`
	// Walk is the walking leg from this stop to the next one.
	Walk string `yaml:"walk" json:"walk,omitempty"`
}

// FromLine is the route of a GTFS line in a direction ("0", "1", or "" for
// the most common trip of either): its stops in trip order. line is a
// route_id or, when no route has that id, a route_short_name that only one
// route has.
func FromLine(net *gtfs.Network, line, direction string) (Route, error) {
	route, err := findLine(net, line)
	if err != nil {
		return Route{}, err
	}
	stops, err := net.Pattern(route.ID, direction)
	if err != nil {
		return Route{}, err
	}
	r := Route{Name: lineName(route, direction), Line: route.ID}
	for _, id := range stops {
		r.Stops = append(r.Stops, Stop{ID: id})
	}
	return r, nil
}

func findLine(net *gtfs.Network, line string) (gtfs.Route, error) {
	if r, ok := net.Routes[line]; ok {
		return r, nil
	}
	var found []gtfs.Route
	for _, r := range net.Routes {
		if strings.EqualFold(r.Name, line) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return gtfs.Route{}, fmt.Errorf("line %q is not in the GTFS (give a route_id or a route_short_name)", line)
	}
	return gtfs.Route{}, fmt.Errorf("line %q names %d routes in the GTFS: give its route_id", line, len(found))
}

// lineName is "tram 1 → Evergem Brielken", or the line's name alone.
func lineName(r gtfs.Route, direction string) string {
	name := strings.TrimSpace(string(r.Mode) + " " + r.Name)
	if head := r.Headsigns[direction]; head != "" {
		return name + " → " + head
	}
	return name
}

// FromStops is a route of the given stops, in the given order.
func FromStops(ids []string) Route {
	r := Route{Name: strings.Join(ids, ", ")}
	for _, id := range ids {
		r.Stops = append(r.Stops, Stop{ID: strings.TrimSpace(id)})
	}
	return r
}

// ReadLesson reads a lesson file:
//
//	name: Van de Korenmarkt naar het Rabot
//	line: T1                  # optional: the line travelled
//	stops:
//	  - stop: "200101"
//	    note: Perron 1, on the side of the Korenmarkt.
//	    walk: Cross at the lights, 50 m.  # optional: to the next stop
//	  - stop: "200401"
func ReadLesson(path string) (Route, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Route{}, err
	}
	var r Route
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return Route{}, fmt.Errorf("lesson %s: %w", path, err)
	}
	if len(r.Stops) == 0 {
		return Route{}, fmt.Errorf("lesson %s: no stops (want a list under \"stops:\", each with \"stop: ID\")", path)
	}
	for i, s := range r.Stops {
		if s.ID == "" {
			return Route{}, fmt.Errorf("lesson %s: stop %d has no \"stop:\" id", path, i+1)
		}
	}
	if r.Name == "" {
		r.Name = path
	}
	return r, nil
}

// Resolve checks that net knows every stop of r and its line, which may be
// given by its short name; it returns r with the line's route_id.
func (r Route) Resolve(net *gtfs.Network) (Route, error) {
	var unknown []string
	for _, s := range r.Stops {
		if _, ok := net.Stops[s.ID]; !ok {
			unknown = append(unknown, s.ID)
		}
	}
	if len(unknown) > 0 {
		return Route{}, fmt.Errorf("stops not in the GTFS: %s", strings.Join(unknown, ", "))
	}
	if r.Line != "" {
		line, err := findLine(net, r.Line)
		if err != nil {
			return Route{}, err
		}
		r.Line = line.ID
	}
	return r, nil
}
