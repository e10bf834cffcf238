package gtfs

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Pattern returns the stops that route's trips in direction ("0" or "1";
// "" for any) call at, in the order they call at them: the sequence most of
// its trips follow (the longer one when two are as common). It reads
// stop_times again, keeping only that route's trips, so that the network
// itself never holds every trip's stops.
func (n *Network) Pattern(route, direction string) ([]string, error) {
	if _, ok := n.Routes[route]; !ok {
		return nil, fmt.Errorf("route %q is not in the GTFS", route)
	}
	fsys, closer, err := n.reopen()
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	type call struct {
		seq  int
		stop string
	}
	calls := map[string][]call{}
	err = readTable(fsys, "stop_times.txt", true, []string{"trip_id", "stop_id", "stop_sequence"}, func(r row) {
		trip, ok := n.Trips[r.get("trip_id")]
		if !ok || trip.Route != route || direction != "" && trip.Direction != direction {
			return
		}
		seq, _ := strconv.Atoi(r.get("stop_sequence"))
		calls[r.get("trip_id")] = append(calls[r.get("trip_id")], call{seq, r.get("stop_id")})
	})
	if err != nil {
		return nil, fmt.Errorf("GTFS: %w", err)
	}
	count := map[string]int{}
	var best []string
	for _, cs := range calls {
		slices.SortStableFunc(cs, func(a, b call) int { return a.seq - b.seq })
		stops := make([]string, len(cs))
		for i, c := range cs {
			stops[i] = c.stop
		}
		key := strings.Join(stops, "\x00")
		count[key]++
		bestKey := strings.Join(best, "\x00")
		if c, b := count[key], count[bestKey]; c > b || c == b && (len(stops) > len(best) || len(stops) == len(best) && key < bestKey) {
			best = stops
		}
	}
	if len(best) == 0 {
		return nil, fmt.Errorf("route %q has no trips in direction %q", route, direction)
	}
	return best, nil
}
