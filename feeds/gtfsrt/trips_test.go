package gtfsrt_test

import (
	"os"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/gtfsrt"
	"github.com/halte-transit/halte/internal/testkit"
)

func ghentTrips() gtfsrt.TripOptions {
	net := sample.GhentNetwork()
	return gtfsrt.TripOptions{Prefix: "tu:", Trip: func(id string) (string, string, bool) {
		t, ok := net.Trips[id]
		return t.Route, t.Direction, ok
	}}
}

func TestSkippedStopsBecomeNotServed(t *testing.T) {
	data, err := os.ReadFile("testdata/delijn-trips-skipped.txtpb")
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := gtfsrt.DecodeTrips(data, ghentTrips())
	if err != nil {
		t.Fatal(err)
	}
	feedTime := time.Unix(1796115600, 0).UTC()
	want := map[string]struct {
		sel halte.Selector
		end time.Time
	}{
		// three trips of tram 1 towards Evergem: from the feed's time to a minute after the last
		"tu:skip:T1:0:200401": {halte.Selector{Route: "T1", Direction: "0", Stop: "200401"}, time.Unix(1796118900+60, 0)},
		"tu:skip:T1:0:200501": {halte.Selector{Route: "T1", Direction: "0", Stop: "200501"}, time.Unix(1796117580+60, 0)},
		// no time in the trip: the feed's time
		"tu:skip:T4:0:200102": {halte.Selector{Route: "T4", Direction: "0", Stop: "200102"}, feedTime.Add(time.Minute)},
	}
	if len(alerts) != len(want) {
		t.Fatalf("got %d alerts, want %d: %+v", len(alerts), len(want), alerts)
	}
	unmapped := 0
	for _, fa := range alerts {
		w, ok := want[fa.Alert.ID]
		if !ok {
			t.Fatalf("unexpected alert %s", fa.Alert.ID)
		}
		if fa.Alert.Effect != halte.NoService || len(fa.Selectors) != 1 || fa.Selectors[0] != w.sel {
			t.Errorf("%s: effect %s, selectors %+v; want NO_SERVICE and %+v", fa.Alert.ID, fa.Alert.Effect, fa.Selectors, w.sel)
		}
		if p := fa.Alert.Periods; len(p) != 1 || !p[0].Start.Equal(feedTime) || !p[0].End.Equal(w.end) {
			t.Errorf("%s: periods %+v, want %s to %s", fa.Alert.ID, p, feedTime, w.end.UTC())
		}
		unmapped += len(fa.Unmapped)
	}
	if unmapped != 1 {
		t.Errorf("%d skipped calls counted as unmapped, want 1 (the call without stop_id)", unmapped)
	}
}

// The real Edmonton Transit TripUpdates feed of ../shared/corpus: every
// SKIPPED call with a stop becomes part of a "not served" alert.
func TestCorpusTripUpdates(t *testing.T) {
	data, err := os.ReadFile(testkit.Corpus(t, "gtfs_rt/ets_edmonton/TripUpdates.pb"))
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := gtfsrt.DecodeTrips(data, gtfsrt.TripOptions{Prefix: "ets:"})
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) == 0 {
		t.Fatal("no stop not served found in a feed with 69 SKIPPED calls")
	}
	stops := map[string]bool{}
	for _, fa := range alerts {
		sel := fa.Selectors[0]
		if fa.Alert.Effect != halte.NoService || sel.Stop == "" || sel.Route == "" && sel.Trip == "" {
			t.Fatalf("alert %s: effect %s, selector %+v", fa.Alert.ID, fa.Alert.Effect, sel)
		}
		if p := fa.Alert.Periods; len(p) != 1 || p[0].Start.IsZero() || !p[0].End.After(p[0].Start) {
			t.Fatalf("alert %s: periods %+v, want one from the feed's time to after the last skip", fa.Alert.ID, p)
		}
		stops[sel.Stop] = true
	}
	t.Logf("%d (line, direction, stop) not served, at %d stops", len(alerts), len(stops))
}
