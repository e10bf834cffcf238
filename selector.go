package halte

// Selector names what an alert concerns in the terms of the feed it came
// from (a GTFS-Realtime informed_entity, a SIRI-SX affected object). The
// fields that are set must all match: a route at a stop is that stop on that
// route only; an agency alone is every stop of the agency. A selector with
// no field set matches nothing.
type Selector struct {
	Agency    string // agency_id, or AnyAgency
	Route     string // route_id
	RouteType string // route_type, as in routes.txt
	Trip      string // trip_id: the stops of its route
	Stop      string // stop_id; a station reaches its platforms
	Direction string // direction_id, "0" or "1"; "" means both
}

// AnyAgency as a selector's Agency matches every agency: the whole network.
const AnyAgency = "*"

// FeedAlert is an alert as a feed gives it: the alert itself (texts,
// effect, periods) and, in feed terms, what it concerns. The hub resolves
// the selectors to stops with the static GTFS.
type FeedAlert struct {
	Alert     Alert
	Selectors []Selector
	// Unmapped lists what the feed said that halte could not place (an
	// unknown effect or condition), for the hub to count.
	Unmapped []string
	// Publish are the windows in which the alert may be told (SIRI's
	// PublicationWindow); none means always.
	Publish []Period
}

// Selectors returns an operator alert's targets as selectors: each stop
// and each line it names.
func (a Alert) Selectors() []Selector {
	var out []Selector
	for _, s := range a.Stops {
		out = append(out, Selector{Stop: s})
	}
	for _, l := range a.Lines {
		out = append(out, Selector{Route: l.ID})
	}
	return out
}
