package hub_test

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/gtfsrt"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/tts/phrases"
)

func decodeRT(t *testing.T, path, lang string) []halte.FeedAlert {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := gtfsrt.Decode(raw, gtfsrt.Options{Prefix: "rt:", Language: lang})
	if err != nil {
		t.Fatal(err)
	}
	return alerts
}

func byStop(docs []halte.StopState) map[string]halte.StopState {
	m := map[string]halte.StopState{}
	for _, d := range docs {
		m[d.Stop] = d
	}
	return m
}

func ids(doc halte.StopState) []string {
	out := doc.AlertIDs()
	slices.Sort(out)
	return out
}

// TestBARTAlertsReachTheirStops resolves BART's test alerts with BART's own
// static GTFS: the one on stop FTVL reaches Fruitvale, the one on route 05
// every stop of that route.
func TestBARTAlertsReachTheirStops(t *testing.T) {
	net, err := gtfs.Load(testkit.Corpus(t, "gtfs_static/bart/bart.zip"))
	if err != nil {
		t.Fatal(err)
	}
	alerts := decodeRT(t, testkit.Corpus(t, "gtfs_rt/bart/BA-alerts.json"), "en")
	s := hub.NewState(net, quiet)
	at := time.Unix(1527719250, 0) // the feed's own time
	docs := byStop(s.Plan(s.ReplaceFeed("bart", alerts, at), at))
	ftvl, ok := docs["FTVL"]
	if !ok || ftvl.StopName != "Fruitvale" {
		t.Fatalf("no document for Fruitvale: %+v", ftvl)
	}
	var onStop, onRoute string
	for _, fa := range alerts {
		for _, sel := range fa.Selectors {
			if sel == (halte.Selector{Stop: "FTVL"}) || (sel.Stop == "FTVL" && sel.Route == "") {
				onStop = fa.Alert.ID
			}
			if sel.Route == "05" && sel.Stop == "" {
				onRoute = fa.Alert.ID
			}
		}
	}
	if onStop == "" || onRoute == "" {
		t.Fatal("the fixture lost its alerts on FTVL and route 05")
	}
	if !slices.Contains(ids(ftvl), onStop) {
		t.Fatalf("Fruitvale's document %v lacks the alert on FTVL (%s)", ids(ftvl), onStop)
	}
	for _, stop := range net.RouteStops("05") {
		if !slices.Contains(ids(docs[stop]), onRoute) {
			t.Fatalf("stop %s of route 05 lacks the alert on the route: %v", stop, ids(docs[stop]))
		}
	}
	if len(net.RouteStops("05")) == 0 {
		t.Fatal("route 05 serves no stop: the check above proved nothing")
	}
}

// TestGhentDetour runs the project's De Lijn-like fixture through the hub:
// every stop of tram 1 gets the detour, the two stops not served towards
// Evergem also the NO_SERVICE alert, and both read in Dutch and French.
func TestGhentDetour(t *testing.T) {
	net := sample.GhentNetwork()
	alerts := decodeRT(t, "../gtfsrt/testdata/delijn-detour.txtpb", net.Language)
	s := hub.NewState(net, quiet)
	at := time.Unix(1796112000+3600, 0)
	docs := byStop(s.Plan(s.ReplaceFeed("delijn", alerts, at), at))
	for _, stop := range net.RouteStops("T1") {
		if !slices.Contains(ids(docs[stop]), "rt:omleiding-2026-1234") {
			t.Fatalf("stop %s of tram 1 lacks the detour: %v", stop, ids(docs[stop]))
		}
	}
	for _, stop := range []string{"200401", "200501"} {
		if got := ids(docs[stop]); len(got) != 2 {
			t.Fatalf("stop %s: %v, want the detour and the stop not served", stop, got)
		}
	}
	if got := ids(docs["200101"]); len(got) != 1 {
		t.Fatalf("Korenmarkt perron 1 is served: %v", got)
	}
	brussels, _ := time.LoadLocation(net.Timezone)
	rabot := docs["200501"]
	if rabot.StopName != "Gent Rabot" || rabot.Alerts[0].Severity != halte.Severe {
		t.Fatalf("Rabot: %+v", rabot)
	}
	for lang, want := range map[string]string{
		"nl": "Haltes Gravensteen en Rabot niet bediend richting Evergem.",
		"fr": "Arrêts Gravensteen et Rabot non desservis direction Evergem.",
	} {
		if got := phrases.New(lang, brussels, nil).Alert(rabot.Alerts[0], at); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	detour := docs["200101"].Alerts[0]
	if got := phrases.New("fr", brussels, nil).Alert(detour, at); got != "Le tram 1 est dévié pour des travaux au Gravensteen. Prenez le tram 4 au Korenmarkt." {
		t.Errorf("the feed's speech text in French: %q", got)
	}
	if detour.Lines[0].Name != "1" || detour.Lines[0].Mode != halte.Tram {
		t.Errorf("line not resolved: %+v", detour.Lines)
	}
}

func TestFeedAlertsEndWhenNoLongerListed(t *testing.T) {
	net := sample.GhentNetwork()
	alerts := decodeRT(t, "../gtfsrt/testdata/delijn-detour.txtpb", "nl")
	s := hub.NewState(net, quiet)
	at := time.Unix(1796112000+3600, 0)
	first := byStop(s.Plan(s.ReplaceFeed("delijn", alerts, at), at))
	if n := len(s.Plan(s.ReplaceFeed("delijn", alerts, at), at)); n != 0 {
		t.Fatalf("the same feed again republished %d documents", n)
	}
	after := byStop(s.Plan(s.ReplaceFeed("delijn", alerts[:1], at), at))
	for _, stop := range []string{"200401", "200501"} {
		if got := ids(after[stop]); len(got) != 1 || after[stop].Version <= first[stop].Version {
			t.Fatalf("stop %s after the feed dropped an alert: %v (version %d after %d)", stop, got, after[stop].Version, first[stop].Version)
		}
	}
	if _, ok := after["200101"]; ok {
		t.Fatal("a stop whose alerts did not change got a new document")
	}
	gone := byStop(s.Plan(s.ReplaceFeed("delijn", nil, at), at))
	if len(gone["200101"].Alerts) != 0 {
		t.Fatalf("an empty feed left %v", ids(gone["200101"]))
	}
}

func TestFeedProblemsAreCounted(t *testing.T) {
	s := hub.NewState(sample.GhentNetwork(), quiet)
	at := time.Unix(1796112000, 0)
	alerts := []halte.FeedAlert{
		{Alert: halte.Alert{ID: "nowhere", Version: 1, Effect: halte.Detour}, Selectors: []halte.Selector{{Stop: "nope"}}},
		{Alert: halte.Alert{ID: "odd", Version: 1, Effect: halte.OtherEffect}, Selectors: []halte.Selector{{Route: "T4"}}, Unmapped: []string{"condition pti13_0"}},
		{Alert: halte.Alert{ID: "later", Version: 1, Effect: halte.Detour}, Selectors: []halte.Selector{{Route: "B70"}},
			Publish: []halte.Period{{Start: at.Add(time.Hour)}}},
		{Alert: halte.Alert{ID: "everywhere", Version: 1, Effect: halte.ReducedService}, Selectors: []halte.Selector{{Agency: halte.AnyAgency}}},
	}
	docs := byStop(s.Plan(s.ReplaceFeed("x", alerts, at), at))
	if s.Skipped["unknown stop"] != 1 || s.Skipped["alert on no known stop"] != 1 || s.Skipped["unplaced condition pti13_0"] != 1 {
		t.Fatalf("counters %v", s.Skipped)
	}
	if slices.Contains(ids(docs["200801"]), "later") {
		t.Fatal("an alert was published before its publication window")
	}
	if len(docs) != len(stopsServed(sample.GhentNetwork())) {
		t.Fatalf("a network-wide alert reached %d stops, want every served stop (%d)", len(docs), len(stopsServed(sample.GhentNetwork())))
	}
	for _, d := range docs {
		if err := d.Validate(); err != nil {
			t.Fatalf("stop %s: %v", d.Stop, err)
		}
	}
	later := byStop(s.Plan(s.ReplaceFeed("x", alerts, at.Add(2*time.Hour)), at.Add(2*time.Hour)))
	if !slices.Contains(ids(later["200801"]), "later") {
		t.Fatal("the alert did not come once its window opened")
	}
}

func stopsServed(n *gtfs.Network) map[string]bool {
	out := map[string]bool{}
	for id := range n.Routes {
		for _, s := range n.RouteStops(id) {
			out[s] = true
		}
	}
	return out
}

// A feed alert without a severity (TripUpdates give none) is published
// once: its echo from the broker matches what the hub holds.
func TestFeedAlertWithoutSeverityIsPublishedOnce(t *testing.T) {
	s := hub.NewState(sample.GhentNetwork(), quiet)
	skip := halte.FeedAlert{Alert: halte.Alert{ID: "tu:skip", Version: 1, Effect: halte.NoService},
		Selectors: []halte.Selector{{Route: "T1", Direction: "0", Stop: "200401"}}}
	docs := s.Plan(s.ReplaceFeed("trips", []halte.FeedAlert{skip}, t0), t0)
	if len(docs) != 1 {
		t.Fatalf("%d documents, want Gravensteen's", len(docs))
	}
	echo := payload(t, docs[0])
	if s.ObservePublished("200401", echo, false, docs[0].Version) {
		if again := s.Plan([]string{"200401"}, t0); len(again) > 0 {
			t.Fatalf("the echo of Gravensteen's document made the hub publish it again: %+v", again[0])
		}
	}
}

// An operator's alert that names a stop and a line wins over a skip that
// trips make there on that line, and so does an alert feed's; elsewhere on
// the line the skip stays.
func TestOperatorAlertWinsOverASkip(t *testing.T) {
	s := hub.NewState(sample.GhentNetwork(), quiet)
	s.FromTrips("trips")
	skips := []halte.FeedAlert{
		{Alert: halte.Alert{ID: "skip-gravensteen", Version: 1, Effect: halte.NoService}, Selectors: []halte.Selector{{Route: "T1", Stop: "200401"}}},
		{Alert: halte.Alert{ID: "skip-rabot", Version: 1, Effect: halte.NoService}, Selectors: []halte.Selector{{Route: "T1", Stop: "200501"}}},
	}
	s.Plan(s.ReplaceFeed("trips", skips, t0), t0)
	op := halte.Alert{ID: "works", Version: 1, Effect: halte.Detour, Lines: []halte.Line{{ID: "T1"}}, Stops: []string{"200401"},
		Header: halte.Text{"nl": "Tram 1 stopt niet aan het Gravensteen."}}
	docs := byStop(apply(t, s, "works", payload(t, op), t0))
	if got := ids(docs["200401"]); !slices.Equal(got, []string{"works"}) {
		t.Fatalf("Gravensteen holds %v, want the operator's alert alone", got)
	}
	if got := ids(docs["200501"]); !slices.Equal(got, []string{"skip-rabot", "works"}) {
		t.Fatalf("Rabot holds %v, want its skip and the operator's line alert", got)
	}
	feed := halte.FeedAlert{Alert: halte.Alert{ID: "rt:rabot", Version: 1, Effect: halte.NoService, Header: halte.Text{"nl": "Rabot niet bediend"}},
		Selectors: []halte.Selector{{Route: "T1", Stop: "200501", Direction: "0"}}}
	docs = byStop(s.Plan(s.ReplaceFeed("delijn", []halte.FeedAlert{feed}, t0), t0))
	if got := ids(docs["200501"]); !slices.Equal(got, []string{"rt:rabot", "works"}) {
		t.Fatalf("Rabot holds %v, want the feed's alert instead of the skip", got)
	}
}
