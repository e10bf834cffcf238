package hub_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/hub"
)

var (
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	t0    = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
)

func payload(t *testing.T, a any) []byte {
	t.Helper()
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func tram1(version uint64) halte.Alert {
	return halte.Alert{ID: "a1", Version: version, Effect: halte.NoService, Lines: []halte.Line{{ID: "T1"}},
		Header: halte.Text{"nl": "Tram 1 rijdt niet."}}
}

func stopsOf(docs []halte.StopState) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.Stop)
	}
	return out
}

// apply feeds one alert and returns the documents the hub would publish.
func apply(t *testing.T, s *hub.State, id string, raw []byte, now time.Time) []halte.StopState {
	t.Helper()
	return s.Plan(s.ApplyAlert(id, raw), now)
}

func TestLineAlertReachesEveryStopOfTheLine(t *testing.T) {
	s := hub.NewState(sample.GhentNetwork(), quiet)
	docs := apply(t, s, "a1", payload(t, tram1(1)), t0)
	want := sample.GhentNetwork().RouteStops("T1")
	if !slices.Equal(stopsOf(docs), want) {
		t.Fatalf("documents for %v, want the stops of T1 %v", stopsOf(docs), want)
	}
	for _, d := range docs {
		if err := d.Validate(); err != nil {
			t.Fatalf("stop %s: invalid document: %v", d.Stop, err)
		}
		l := d.Alerts[0].Lines[0]
		if l.Name != "1" || l.Mode != halte.Tram {
			t.Fatalf("line not resolved: %+v", l)
		}
	}
	if docs[0].StopName == "" {
		t.Fatalf("stop %s has no name", docs[0].Stop)
	}
}

func TestStationAlertReachesItsPlatforms(t *testing.T) {
	s := hub.NewState(sample.GhentNetwork(), quiet)
	a := halte.Alert{ID: "lift", Version: 1, Effect: halte.AccessibilityIssue, Stops: []string{"korenmarkt"}}
	docs := apply(t, s, "lift", payload(t, a), t0)
	if got := stopsOf(docs); !slices.Equal(got, []string{"200101", "200102", "korenmarkt"}) {
		t.Fatalf("documents for %v", got)
	}
	for _, d := range docs { // each document names its own stop, not the station
		if got := d.Alerts[0].Stops; !slices.Equal(got, []string{d.Stop}) {
			t.Fatalf("stop %s: the alert names stops %v, want only this stop", d.Stop, got)
		}
	}
}

// A document carries the alert as it concerns its stop: not every stop the
// alert names (a network-wide alert names them all).
func TestDocumentsNameOnlyTheirStop(t *testing.T) {
	s := hub.NewState(sample.GhentNetwork(), quiet)
	all := slices.Sorted(maps.Keys(sample.GhentNetwork().Stops))
	a := halte.Alert{ID: "strike", Version: 1, Effect: halte.ReducedService, Stops: all, Lines: []halte.Line{{ID: "T1"}}}
	docs := apply(t, s, "strike", payload(t, a), t0)
	if len(docs) != len(all) {
		t.Fatalf("%d documents, want one per stop (%d)", len(docs), len(all))
	}
	for _, d := range docs {
		got := d.Alerts[0]
		if !slices.Equal(got.Stops, []string{d.Stop}) || len(got.Lines) != 1 {
			t.Fatalf("stop %s: the alert names stops %v and lines %v, want this stop and T1", d.Stop, got.Stops, got.Lines)
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("stop %s: invalid document: %v", d.Stop, err)
		}
	}
}

func TestUpdatesCancelsAndVersions(t *testing.T) {
	s := hub.NewState(sample.GhentNetwork(), quiet)
	first := apply(t, s, "a1", payload(t, tram1(5)), t0)
	if n := len(apply(t, s, "a1", payload(t, tram1(5)), t0)); n != 0 {
		t.Fatalf("same version republished %d documents", n)
	}
	if n := len(apply(t, s, "a1", payload(t, tram1(4)), t0)); n != 0 {
		t.Fatalf("older version republished %d documents", n)
	}
	// A version bump with the same content changes no stop's document.
	if n := len(apply(t, s, "a1", payload(t, tram1(6)), t0)); n != 0 {
		t.Fatalf("unchanged content republished %d documents", n)
	}
	// Cancel, with the clock gone back an hour: versions must still grow.
	cancel := halte.Alert{ID: "a1", Version: 7, Cancelled: true}
	docs := apply(t, s, "a1", payload(t, cancel), t0.Add(-time.Hour))
	if len(docs) != len(first) {
		t.Fatalf("cancel published %d documents, want %d", len(docs), len(first))
	}
	for i, d := range docs {
		if len(d.Alerts) != 0 {
			t.Fatalf("stop %s still lists %d alerts after the cancel", d.Stop, len(d.Alerts))
		}
		if d.Version <= first[i].Version {
			t.Fatalf("stop %s: version %d after %d", d.Stop, d.Version, first[i].Version)
		}
	}
	// A cancel of an alert the hub never had is harmless.
	if n := len(apply(t, s, "zz", payload(t, halte.Alert{ID: "zz", Version: 1, Cancelled: true}), t0)); n != 0 {
		t.Fatalf("unknown cancel published %d documents", n)
	}
}

// TestRestart replays what a restarted hub reads from the broker: its own
// retained documents and the retained operator alerts.
func TestRestart(t *testing.T) {
	restarted := func() *hub.State {
		s := hub.NewState(sample.GhentNetwork(), quiet)
		s.Now = func() time.Time { return t0.Add(time.Minute) }
		return s
	}
	before := hub.NewState(sample.GhentNetwork(), quiet)
	published := apply(t, before, "a1", payload(t, tram1(1)), t0)

	t.Run("nothing changed: nothing republished", func(t *testing.T) {
		after := restarted()
		for _, d := range published {
			after.ObservePublished(d.Stop, payload(t, d), true, 0)
		}
		after.ApplyAlert("a1", payload(t, tram1(1)))
		if docs := after.Plan(after.KnownStops(), t0.Add(time.Minute)); len(docs) != 0 {
			t.Fatalf("restart republished %v", stopsOf(docs))
		}
	})
	t.Run("cancelled while down: every stop gets a document without it", func(t *testing.T) {
		after := restarted()
		for _, d := range published {
			after.ObservePublished(d.Stop, payload(t, d), true, 0)
		}
		after.ApplyAlert("a1", payload(t, halte.Alert{ID: "a1", Version: 2, Cancelled: true}))
		docs := after.Plan(after.KnownStops(), t0.Add(time.Minute))
		if len(docs) != len(published) {
			t.Fatalf("republished %d documents, want %d", len(docs), len(published))
		}
		for _, d := range docs {
			if len(d.Alerts) != 0 {
				t.Fatalf("stop %s still lists the cancelled alert", d.Stop)
			}
		}
	})
}

func TestEndedAlertsAreDropped(t *testing.T) {
	s := hub.NewState(sample.GhentNetwork(), quiet)
	a := tram1(1)
	a.Periods = []halte.Period{{End: t0.Add(time.Hour)}}
	apply(t, s, "a1", payload(t, a), t0)
	docs := s.Plan(s.KnownStops(), t0.Add(2*time.Hour))
	if len(docs) == 0 || len(docs[0].Alerts) != 0 {
		t.Fatalf("after the end, documents %+v", docs)
	}
}

func TestBadAlertsAreCountedAndChangeNothing(t *testing.T) {
	s := hub.NewState(sample.GhentNetwork(), quiet)
	apply(t, s, "a1", payload(t, tram1(1)), t0)
	bad := map[string][]byte{
		"a1": []byte("not json"),
		"a2": []byte(`{"id":"a2","version":1,"effect":"EXPLOSION","lines":["T1"]}`),
		"a3": []byte(`{"id":"a3","version":1,"effect":"DETOUR"}`),
		"a4": []byte(`{"id":"a4","version":1,"effect":"DETOUR","stops":["nowhere"]}`),
		"a5": []byte(`{"id":"other","version":1,"effect":"DETOUR","lines":["T1"]}`),
	}
	for id, raw := range bad {
		if docs := apply(t, s, id, raw, t0); len(docs) != 0 {
			t.Fatalf("bad alert %s published %v", id, stopsOf(docs))
		}
	}
	total := 0
	for _, n := range s.Rejected {
		total += n
	}
	if total != len(bad) {
		t.Fatalf("counted %v, want %d refusals", s.Rejected, len(bad))
	}
	if docs := s.Plan(s.KnownStops(), t0); len(docs) != 0 {
		t.Fatalf("the good alert's documents changed: %v", stopsOf(docs))
	}
}

// TestDocumentsTellThisStopFromTheLine checks that a document names its
// stop only where the alert named it (or its station): "this stop is
// closed" is told apart from "a stop on your line is closed".
func TestDocumentsTellThisStopFromTheLine(t *testing.T) {
	s := hub.NewState(sample.GhentNetwork(), quiet)
	a := halte.Alert{ID: "gravensteen", Version: 1, Effect: halte.NoService, Stops: []string{"200401", "korenmarkt"}, Lines: []halte.Line{{ID: "T1"}}}
	named := map[string][]string{}
	for _, d := range apply(t, s, "gravensteen", payload(t, a), t0) {
		named[d.Stop] = d.Alerts[0].Stops
		if err := d.Validate(); err != nil {
			t.Fatalf("stop %s: invalid document: %v", d.Stop, err)
		}
	}
	want := map[string][]string{"200401": {"200401"}, "200101": {"200101"}, "200102": {"200102"}, "200501": nil, "200601": nil}
	for stop, stops := range want {
		if got, ok := named[stop]; !ok || !slices.Equal(got, stops) {
			t.Errorf("stop %s: the alert names %v (document: %v), want %v", stop, got, ok, stops)
		}
	}
}

// TestBrokerThatLostADocument: a broker killed before it saved an
// acknowledged document gives back an older one on reconnection; the hub
// publishes the stop again, newer than what it had published. A late echo
// of an older document changes nothing; only a retained one older than
// the broker acknowledged counts as lost.
func TestBrokerThatLostADocument(t *testing.T) {
	s := hub.NewState(sample.GhentNetwork(), quiet)
	first := apply(t, s, "a1", payload(t, tram1(1)), t0)[0]
	update := tram1(2)
	update.Header = halte.Text{"nl": "Tram 1 rijdt niet, ook morgen niet."}
	second := apply(t, s, "a1", payload(t, update), t0.Add(time.Second))
	var newest halte.StopState
	for _, d := range second {
		if d.Stop == first.Stop {
			newest = d
		}
	}
	if newest.Version <= first.Version {
		t.Fatalf("the update made no newer document for %s", first.Stop)
	}
	if s.ObservePublished(first.Stop, payload(t, first), false, newest.Version) {
		t.Fatal("a late echo of an older document asked for the stop to be published again")
	}
	if !s.ObservePublished(first.Stop, payload(t, first), true, first.Version) || s.Lost != 0 {
		t.Fatalf("a retained document older than one not yet acknowledged did not ask for the stop to be published again, or was counted lost (%d)", s.Lost)
	}
	if !s.ObservePublished(first.Stop, payload(t, first), true, newest.Version) || s.Lost != 1 {
		t.Fatalf("a retained document older than the broker acknowledged did not ask for the stop to be published again (%d counted lost)", s.Lost)
	}
	docs := s.Plan([]string{first.Stop}, t0.Add(2*time.Second))
	if len(docs) != 1 || docs[0].Version <= newest.Version || docs[0].Alerts[0].Version != 2 {
		t.Fatalf("republished %+v, want the stop's current document above version %d", docs, newest.Version)
	}
}

// TestBrokerThatLostAStop: a broker killed before it saved a stop's
// document, then the hub restarted: the hub, remembering that the stop had
// a document, publishes it again, without the alert cancelled meanwhile.
func TestBrokerThatLostAStop(t *testing.T) {
	before := hub.NewState(sample.GhentNetwork(), quiet)
	published := apply(t, before, "a1", payload(t, tram1(1)), t0)
	after := hub.NewState(sample.GhentNetwork(), quiet)
	after.Remember(before.PublishedStops()) // the broker gives back nothing
	after.ApplyAlert("a1", payload(t, halte.Alert{ID: "a1", Version: 2, Cancelled: true}))
	docs := after.Plan(after.KnownStops(), t0.Add(time.Minute))
	if len(docs) != len(published) {
		t.Fatalf("republished %d documents, want one for each of the %d stops that had one", len(docs), len(published))
	}
	for _, d := range docs {
		if len(d.Alerts) != 0 {
			t.Fatalf("stop %s still lists the cancelled alert", d.Stop)
		}
	}
	if again := after.Plan(after.KnownStops(), t0.Add(2*time.Minute)); len(again) != 0 {
		t.Fatalf("published %d documents again once they were on the broker", len(again))
	}
}
