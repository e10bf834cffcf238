package hub

import (
	"sort"

	"github.com/halte-transit/halte"
)

// resolveAll returns the stops that any of the selectors reaches, sorted.
func (s *State) resolveAll(alert string, sels []halte.Selector) []string {
	set := map[string]bool{}
	for _, sel := range sels {
		for _, stop := range s.resolve(alert, sel) {
			set[stop] = true
		}
	}
	return sortedKeys(set)
}

// resolve returns the stops one selector reaches.
func (s *State) resolve(alert string, sel halte.Selector) []string {
	net := s.net
	route, dir := sel.Route, sel.Direction
	if sel.Trip != "" {
		t, ok := net.Trips[sel.Trip]
		switch {
		case ok:
			route = t.Route
			if dir == "" {
				dir = t.Direction
			}
		case route == "":
			s.unknown(alert, "trip", sel.Trip)
			return nil
		} // an unknown trip on a known line: the line
	}
	if route != "" {
		if _, ok := net.Routes[route]; !ok {
			s.unknown(alert, "line", route)
			return nil
		}
	}
	var onRoutes map[string]bool // the stops the route part allows; nil: any
	switch {
	case route != "":
		onRoutes = setOf(net.RouteDirectionStops(route, dir))
	case sel.RouteType != "" || sel.Agency != "":
		onRoutes = map[string]bool{}
		for id, r := range net.Routes {
			anyAgency := sel.Agency == "" || sel.Agency == halte.AnyAgency || r.Agency == ""
			if (sel.RouteType == "" || r.Type == sel.RouteType) && (anyAgency || r.Agency == sel.Agency) {
				for _, stop := range net.RouteDirectionStops(id, dir) {
					onRoutes[stop] = true
				}
			}
		}
	}
	if sel.Stop == "" {
		return sortedKeys(onRoutes)
	}
	if _, ok := net.Stops[sel.Stop]; !ok {
		s.unknown(alert, "stop", sel.Stop)
		return nil
	}
	var out []string
	for _, stop := range append([]string{sel.Stop}, net.Children(sel.Stop)...) {
		if onRoutes == nil || onRoutes[stop] {
			out = append(out, stop)
		}
	}
	return out
}

func (s *State) unknown(alert, what, id string) {
	s.Skipped["unknown "+what]++
	s.log.Warn("alert names a "+what+" that is not in the GTFS", "alert", alert, what, id)
}

// lines fills in names, modes and directions from the GTFS.
func (s *State) lines(in []halte.Line) []halte.Line {
	out := make([]halte.Line, len(in))
	for i, l := range in {
		if r, ok := s.net.Routes[l.ID]; ok {
			l.Name, l.Mode = r.Name, r.Mode
		}
		out[i] = l
	}
	return out
}

// linesOf lists the lines that selectors name, once each, with the
// direction's headsign when one direction is meant.
func linesOf(s *State, sels []halte.Selector) []halte.Line {
	seen := map[string]bool{}
	var out []halte.Line
	for _, sel := range sels {
		route, dir := sel.Route, sel.Direction
		if t, ok := s.net.Trips[sel.Trip]; ok && sel.Trip != "" {
			route = t.Route
			if dir == "" {
				dir = t.Direction
			}
		}
		if route == "" || seen[route+"/"+dir] {
			continue
		}
		seen[route+"/"+dir] = true
		l := halte.Line{ID: route}
		if r, ok := s.net.Routes[route]; ok && dir != "" {
			l.Direction = r.Headsigns[dir]
		}
		out = append(out, l)
	}
	return out
}

// stopsNamed lists the stops that selectors name, once each.
func stopsNamed(sels []halte.Selector) []string {
	set := map[string]bool{}
	for _, sel := range sels {
		if sel.Stop != "" {
			set[sel.Stop] = true
		}
	}
	return sortedKeys(set)
}

func setOf(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, v := range list {
		m[v] = true
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
