package halte_test

import (
	"slices"
	"testing"
	"time"

	"github.com/halte-transit/halte"
)

// closure is one stop closure as an agency publishes it once per route.
func closure(id, route string) halte.Alert {
	return halte.Alert{ID: id, Version: 1, Effect: halte.NoService, Cause: "CONSTRUCTION", Stops: []string{"s1"},
		Lines:  []halte.Line{{ID: route, Name: route, Mode: halte.Bus}},
		Header: halte.Text{"en": "Route " + route + ": Quinpool Rd (8223) closed for construction"}}
}

func TestMergeSaysTheSameOnce(t *testing.T) {
	items := []halte.Item{
		{Kind: halte.ItemAlert, Stop: "s1", Alert: closure("c90", "90")},
		{Kind: halte.ItemAlert, Stop: "s1", Alert: closure("c4", "4")},
		{Kind: halte.ItemAlert, Stop: "s1", Alert: halte.Alert{ID: "d", Version: 1, Effect: halte.Detour, Lines: []halte.Line{{ID: "4", Name: "4"}}}},
		{Kind: halte.ItemAlert, Stop: "s1", Alert: closure("c7A", "7A")},
		{Kind: halte.ItemAlert, Stop: "s1", Alert: closure("c8", "8")},
	}
	got := halte.Merge(items)
	if len(got) != 2 {
		t.Fatalf("merged into %d items, want 2 (the closure, the detour)", len(got))
	}
	lead := got[0]
	var lines []string
	for _, l := range lead.Alert.Lines {
		lines = append(lines, l.Name)
	}
	if !slices.Equal(lines, []string{"4", "7A", "8", "90"}) {
		t.Errorf("lines %v, want every route in natural order", lines)
	}
	var ids []string
	for _, m := range append([]halte.Item{lead}, lead.Also...) {
		ids = append(ids, m.Alert.ID)
	}
	if !slices.Equal(ids, []string{"c90", "c4", "c7A", "c8"}) {
		t.Errorf("members %v: merging must keep every alert", ids)
	}
	if h := lead.Alert.Header["en"]; h != halte.LinesPlaceholder+": Quinpool Rd (8223) closed for construction" {
		t.Errorf("merged header %q, want the route's name replaced by the placeholder", h)
	}
	if got[1].Alert.ID != "d" || len(got[1].Also) != 0 {
		t.Errorf("the detour was merged: %+v", got[1])
	}
}

func TestMergeKeepsWhatDiffers(t *testing.T) {
	later := closure("c4", "4")
	later.Periods = []halte.Period{{End: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)}}
	other := closure("c7", "7")
	other.Header = halte.Text{"en": "Route 7: Robie St closed"}
	severe := closure("c8", "8")
	severe.Severity = halte.Severe
	items := []halte.Item{{Kind: halte.ItemAlert, Alert: closure("c1", "1")}, {Kind: halte.ItemAlert, Alert: later},
		{Kind: halte.ItemAlert, Alert: other}, {Kind: halte.ItemAlert, Alert: severe}}
	if got := halte.Merge(items); len(got) != 4 {
		t.Fatalf("merged %d of 4 alerts that differ in period, text or severity", 4-len(got)+1)
	}
}

func TestMergeAcrossFeedsAndStops(t *testing.T) {
	a := closure("rt:1", "4")
	b := closure("siri:9", "4")
	b.Source = "siri"
	c := closure("rt:1", "4")
	items := []halte.Item{{Kind: halte.ItemAlert, Stop: "s1", Alert: a}, {Kind: halte.ItemAlert, Stop: "s1", Alert: b},
		{Kind: halte.ItemAlert, Stop: "s2", Alert: c}}
	got := halte.Merge(items)
	if len(got) != 1 || len(got[0].Also) != 2 || got[0].Also[1].Stop != "s2" {
		t.Fatalf("the same alert from two feeds and at two stops: %d items", len(got))
	}
}

func TestOrderThisStopFirst(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	item := func(id string, e halte.Effect, sev halte.Severity, stops []string, start time.Time) halte.Item {
		return halte.Item{Kind: halte.ItemAlert, Stop: "s1", Alert: halte.Alert{ID: id, Effect: e, Severity: sev, Stops: stops,
			Periods: []halte.Period{{Start: start}}}}
	}
	early, late := now.Add(-48*time.Hour), now.Add(-time.Hour)
	items := []halte.Item{
		item("line-severe", halte.Detour, halte.Severe, nil, early),
		item("neighbour-closed", halte.NoService, halte.Warning, nil, early),
		item("here-delays", halte.SignificantDelays, halte.Severe, []string{"s1"}, early),
		item("here-moved-late", halte.StopMoved, halte.Warning, []string{"s1"}, late),
		item("here-moved-early", halte.StopMoved, halte.Warning, []string{"s1"}, early),
		item("here-closed", halte.NoService, halte.Severe, []string{"s1"}, late),
	}
	halte.Order(items, now)
	var got []string
	for _, it := range items {
		got = append(got, it.Alert.ID)
	}
	want := []string{"here-closed", "here-moved-early", "here-moved-late", "here-delays", "line-severe", "neighbour-closed"}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}
