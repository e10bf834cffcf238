package phrases_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/tts/phrases"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var brussels = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		panic(err)
	}
	return loc
}()

// now is Tuesday 1 December 2026, 9:30 in Ghent.
var now = time.Date(2026, 12, 1, 9, 30, 0, 0, brussels)

func at(day, hour, minute int) time.Time {
	return time.Date(2026, 12, day, hour, minute, 0, 0, brussels)
}

var (
	tram1   = halte.Line{ID: "T1", Name: "1", Mode: halte.Tram}
	tram4   = halte.Line{ID: "T4", Name: "4", Mode: halte.Tram, Direction: "UZ Gent"}
	bus70   = halte.Line{ID: "B70", Name: "70", Mode: halte.Bus}
	advice  = halte.Text{"nl": "Neem bus 70 aan Gent Zuid.", "fr": "Prenez le bus 70 à Gand Sud.", "en": "Take bus 70 at Gent Zuid.", "de": "Nehmen Sie den Bus 70 an Gent Zuid."}
	periods = []struct {
		name string
		end  time.Time
	}{
		{"open-ended", time.Time{}},
		{"today 14:00", at(1, 14, 0)},
		{"tonight 20:30", at(1, 20, 30)},
		{"tomorrow 6:00", at(2, 6, 0)},
		{"through today", at(2, 0, 0)},
		{"through tomorrow", at(3, 0, 0)},
		{"this week, Friday 18:00", at(4, 18, 0)},
		{"through Thursday 3 December, whole days", at(4, 0, 0)},
		{"later, 15 December 7:15", at(15, 7, 15)},
	}
	lineSets = []struct {
		name  string
		lines []halte.Line
	}{
		{"no line", nil},
		{"tram 1", []halte.Line{tram1}},
		{"trams 1 and 4 (direction UZ)", []halte.Line{tram1, tram4}},
		{"tram 1 and bus 70", []halte.Line{tram1, bus70}},
	}
)

// golden compares got with testdata/name, or rewrites it with -update. The
// files are meant to be read by people: each line is a case and its text.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(want) != got {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s line %d:\n got  %s\n want %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d", path, len(gl), len(wl))
	}
}

// TestGoldenSentences writes out every effect with every kind of line list,
// with and without advice, for every kind of period, and with the feed's
// own speech text, in each language.
func TestGoldenSentences(t *testing.T) {
	for _, lang := range phrases.Languages {
		b := phrases.New(lang, brussels, nil)
		var out strings.Builder
		fmt.Fprintf(&out, "# %s, at %s (regenerate with go test -update, then read the diff)\n", lang, now.Format("Monday 2 January 2006 15:04 MST"))
		for _, e := range halte.Effects {
			for _, ls := range lineSets {
				a := halte.Alert{ID: "x", Version: 1, Effect: e, Lines: ls.lines, Stops: []string{"200101"}}
				fmt.Fprintf(&out, "%s, %s | %s\n", e, ls.name, b.Alert(a, now))
			}
		}
		for _, p := range periods {
			a := halte.Alert{ID: "x", Version: 1, Effect: halte.NoService, Lines: []halte.Line{tram1}}
			if !p.end.IsZero() {
				a.Periods = []halte.Period{{Start: at(1, 6, 0), End: p.end}}
			}
			fmt.Fprintf(&out, "period %s | %s\n", p.name, b.Alert(a, now))
			a.Advice = advice
			fmt.Fprintf(&out, "period %s, with advice | %s\n", p.name, b.Alert(a, now))
		}
		withSpeech := halte.Alert{ID: "x", Version: 1, Effect: halte.Detour, Lines: []halte.Line{tram4},
			Header: halte.Text{lang: "HEADER NOT SPOKEN"},
			Speech: halte.Text{"nl": "Tram 4 rijdt om via de Kouter.", "fr": "Le tram 4 est dévié par le Kouter.", "en": "Tram 4 is diverted via the Kouter.", "de": "Die Straßenbahn 4 wird über den Kouter umgeleitet."},
			Advice: advice}
		fmt.Fprintf(&out, "feed speech text, with advice | %s\n", b.Alert(withSpeech, now))
		header := halte.Alert{ID: "x", Version: 1, Effect: halte.Detour, Header: halte.Text{lang: "<p>Werken aan de St.-Pietersnieuwstraat</p>"},
			Description: halte.Text{lang: "Meer info op https://www.delijn.be/omleidingen\nParkeer aan de P+R Gentbrugge"}}
		fmt.Fprintf(&out, "operator header and description (markup, URL, abbreviations) | %s\n", b.Alert(header, now))
		upcoming := halte.Alert{ID: "x", Version: 1, Effect: halte.Detour, Lines: []halte.Line{tram1},
			Periods: []halte.Period{{Start: at(7, 0, 0), End: at(9, 0, 0)}}}
		fmt.Fprintf(&out, "upcoming from Monday | %s\n", b.Upcoming(upcoming, at(7, 0, 0), now))
		fmt.Fprintf(&out, "upcoming from tomorrow 6:00 | %s\n", b.From(at(2, 6, 0), now))
		fmt.Fprintf(&out, "upcoming from tonight 21:00 | %s\n", b.From(at(1, 21, 0), now))
		for _, n := range []int{1, 2, 3, 12} {
			fmt.Fprintf(&out, "summary %d | %s\n", n, b.Summary(n))
		}
		fmt.Fprintf(&out, "no disruptions, updated at 9:05 | %s\n", b.NoDisruptions(at(1, 9, 5), now))
		fmt.Fprintf(&out, "no disruptions, updated yesterday | %s\n", b.NoDisruptions(at(30, 17, 45).AddDate(0, -1, 0), now))
		fmt.Fprintf(&out, "no disruptions, updated last week | %s\n", b.NoDisruptions(at(26, 8, 0).AddDate(0, -1, 0), now))
		fmt.Fprintf(&out, "no disruptions, never updated | %s\n", b.NoDisruptions(time.Time{}, now))
		fmt.Fprintf(&out, "stale since 9:05 | %s\n", b.Stale(at(1, 9, 5), now))
		fmt.Fprintf(&out, "language name | %s\n", b.LanguageName())
		golden(t, lang+".txt", out.String())
	}
}

// TestSampleStopNames applies the lexicon to every stop name of the sample
// Ghent network: no abbreviation is left to be spelled out.
func TestSampleStopNames(t *testing.T) {
	var out strings.Builder
	net := sample.GhentNetwork()
	b := phrases.New("nl", brussels, nil)
	ids := make([]string, 0, len(net.Stops))
	for id := range net.Stops {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		spoken := b.Speakable(net.Stops[id].Name)
		if strings.Contains(spoken, "St.") || strings.Contains(spoken, "P+R") {
			t.Errorf("stop %s: %q still holds an abbreviation", id, spoken)
		}
		fmt.Fprintf(&out, "%s | %s | %s\n", id, net.Stops[id].Name, spoken)
	}
	golden(t, "ghent-stops.txt", out.String())
}

func TestLexiconFileErrorsNameTheLine(t *testing.T) {
	l := phrases.DefaultLexicon()
	err := l.Load("nl", strings.NewReader("# ok\nP+R = P en R\nzonder gelijkteken\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("got %v, want an error naming line 3", err)
	}
	if err := l.Load("nl", strings.NewReader("Korenmarkt = Koorenmarkt\n")); err != nil {
		t.Fatal(err)
	}
	if got := l.Apply("nl", "Halte Korenmarkt, Korenmarktstraat"); got != "Halte Koorenmarkt, Korenmarktstraat" {
		t.Fatalf("operator entry applied as %q (whole words only)", got)
	}
}
