package route_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/route"
)

var (
	brussels, _ = time.LoadLocation("Europe/Brussels")
	lessonTime  = time.Date(2026, 12, 4, 9, 30, 0, 0, brussels)
)

func stopIDs(r route.Route) []string {
	var ids []string
	for _, s := range r.Stops {
		ids = append(ids, s.ID)
	}
	return ids
}

func TestRouteOfALine(t *testing.T) {
	net := sample.GhentNetwork()
	r, err := route.FromLine(net, "1", "1") // by its short name
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"200901", "200501", "200401", "200102", "200701", "200201", "200601"}
	if r.Line != "T1" || r.Name != "tram 1 → Flanders Expo" || !slices.Equal(stopIDs(r), want) {
		t.Fatalf("got %q %q %v, want T1, tram 1 → Flanders Expo, %v", r.Line, r.Name, stopIDs(r), want)
	}
	if _, err := route.FromLine(net, "99", "0"); err == nil || !strings.Contains(err.Error(), `line "99" is not in the GTFS`) {
		t.Fatalf("an unknown line: %v", err)
	}
}

func TestLessonFile(t *testing.T) {
	net := sample.GhentNetwork()
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	r, err := route.ReadLesson(write("good.yaml", "name: Kouter to Gravensteen\nline: \"1\"\nstops:\n"+
		"  - stop: \"200701\"\n    note: Shelter on the left.\n    walk: 300 m along the Veldstraat.\n  - stop: \"200401\"\n"))
	if err == nil {
		r, err = r.Resolve(net)
	}
	if err != nil || r.Line != "T1" || r.Stops[0].Note != "Shelter on the left." || r.Stops[0].Walk == "" || !slices.Equal(stopIDs(r), []string{"200701", "200401"}) {
		t.Fatalf("%+v, %v", r, err)
	}
	bad := map[string]string{
		"name: empty\n":                      `no stops`,
		"stops:\n  - stopp: \"200701\"\n":    `field stopp not found`,
		"stops:\n  - note: no id\n":          `stop 1 has no "stop:" id`,
		"stops:\n  - stop: \"nowhere\"\n":    `stops not in the GTFS: nowhere`,
		"line: \"9\"\nstops:\n  - stop: a\n": `stops not in the GTFS: a`,
	}
	for text, want := range bad {
		r, err := route.ReadLesson(write("bad.yaml", text))
		if err == nil {
			_, err = r.Resolve(net)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("lesson %q: %v, want an error with %q", text, err, want)
		}
	}
}

func document(stop string, alerts ...halte.Alert) halte.StopState {
	return halte.StopState{Stop: stop, Version: 7, IssuedAt: lessonTime, Alerts: alerts}
}

// TestServed: a closure of the stop, a stop of the route's line, and a
// stop of another line are told apart; an alert still to come is listed
// with its start and does not make the stop unserved.
func TestServed(t *testing.T) {
	net := sample.GhentNetwork()
	r, err := route.FromLine(net, "T1", "0")
	if err != nil {
		t.Fatal(err)
	}
	tomorrow := lessonTime.Add(24 * time.Hour)
	docs := map[string]halte.StopState{
		"200101": document("200101", halte.Alert{ID: "closed", Version: 1, Effect: halte.NoService, Stops: []string{"200101"}}),
		"200401": document("200401", halte.Alert{ID: "t1", Version: 1, Effect: halte.NoService,
			Lines: []halte.Line{{ID: "T1", Name: "1", Mode: halte.Tram}}, Periods: []halte.Period{{End: tomorrow}}}),
		"200201": document("200201", halte.Alert{ID: "b70", Version: 1, Effect: halte.NoService, Lines: []halte.Line{{ID: "B70", Name: "70", Mode: halte.Bus}}},
			halte.Alert{ID: "later", Version: 1, Effect: halte.Detour, Periods: []halte.Period{{Start: tomorrow, End: tomorrow.Add(time.Hour)}}}),
	}
	rep := route.Check(r, docs, net, route.Options{At: lessonTime, Languages: []string{"nl", "en"}, Location: brussels, Source: "test"})
	byStop := map[string]route.Entry{}
	for _, e := range rep.Stops {
		byStop[e.Stop] = e
	}
	cases := []struct {
		stop   string
		served bool
		by     []string
	}{{"200101", false, nil}, {"200401", false, []string{"tram 1"}}, {"200201", true, []string{"bus 70"}}, {"200601", true, nil}}
	for _, c := range cases {
		e := byStop[c.stop]
		if e.Served != c.served || !slices.Equal(e.NotServedBy, c.by) {
			t.Errorf("stop %s: served %v by-not %v, want %v %v", c.stop, e.Served, e.NotServedBy, c.served, c.by)
		}
	}
	if got := byStop["200201"].Alerts[1]; got.ID != "later" || got.Active || !got.From.Equal(tomorrow) || !got.Until.Equal(tomorrow.Add(time.Hour)) {
		t.Errorf("the alert to come: %+v", got)
	}
	if e := byStop["200601"]; e.Version != 0 || e.Name != "Gent P+R Flanders Expo" || len(e.Alerts) != 0 {
		t.Errorf("a stop without a document: %+v", e)
	}
	if got := rep.NotServed(); len(got) != 2 || got[0].Stop != "200101" || got[1].Stop != "200401" {
		t.Errorf("not served: %+v", got)
	}
	if got := byStop["200401"].Says["en"][0]; !slices.Equal(got, []string{"This is Gent Gravensteen.", "One disruption at this stop.", "Tram 1 does not stop here until tomorrow at 9:30 am."}) {
		t.Errorf("what a press says in English: %q", got)
	}
}

// TestTranscript: one block per stop, in order, each starting with the
// stop's name; the stops not served are named at the top.
func TestTranscript(t *testing.T) {
	net := sample.GhentNetwork()
	r := route.FromStops([]string{"200701", "200101"})
	docs := map[string]halte.StopState{"200101": document("200101", halte.Alert{ID: "closed", Version: 1, Effect: halte.NoService, Stops: []string{"200101"}})}
	rep := route.Check(r, docs, net, route.Options{At: lessonTime, Languages: []string{"nl"}, Location: brussels, Source: "test"})
	var b strings.Builder
	if err := rep.WriteTranscript(&b); err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(b.String(), "\n\n")
	if len(blocks) != 3 || !strings.Contains(blocks[0], "Not served: Gent Korenmarkt perron 1 (stop 2)") {
		t.Fatalf("transcript:\n%s", b.String())
	}
	for i, name := range []string{"Gent Kouter", "Gent Korenmarkt perron 1"} {
		if !strings.HasPrefix(blocks[i+1], name+" (stop ") {
			t.Errorf("block %d starts %q, want the name %q", i+1, blocks[i+1], name)
		}
	}
	if !strings.Contains(blocks[2], "  nl: Halte Gent Korenmarkt perron 1. Eén storing aan deze halte. Deze halte wordt niet bediend.") {
		t.Errorf("the closed stop's block:\n%s", blocks[2])
	}
}
