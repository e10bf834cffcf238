package phrases_test

import (
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/tts/phrases"
)

func TestAnnouncementDutch(t *testing.T) {
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 30, 0, 0, brussels)
	tram := func(n string) halte.Line { return halte.Line{ID: "T" + n, Name: n, Mode: halte.Tram} }
	cases := []struct {
		name  string
		alert halte.Alert
		want  string
	}{
		{"template with lines and period today",
			halte.Alert{Effect: halte.NoService, Lines: []halte.Line{tram("1"), tram("4")},
				Periods: []halte.Period{{End: time.Date(2026, 12, 1, 18, 0, 0, 0, brussels)}}},
			"Tram 1 en 4 stopt niet aan deze halte tot 18.00 uur."},
		{"template with mixed modes and a later end",
			halte.Alert{Effect: halte.Detour, Lines: []halte.Line{tram("1"), {ID: "B70", Name: "70", Mode: halte.Bus}},
				Periods: []halte.Period{{End: time.Date(2026, 12, 3, 20, 0, 0, 0, brussels)}}},
			"Tram 1 en bus 70 rijdt een omleiding tot en met donderdag 3 december."},
		{"stop-level alert with advice",
			halte.Alert{Effect: halte.StopMoved, Advice: halte.Text{"nl": "Neem tram 1 aan de Korenmarkt"}},
			"Deze halte is verplaatst. Neem tram 1 aan de Korenmarkt."},
		{"operator header and description, markup and URL removed",
			halte.Alert{Effect: halte.Detour, Header: halte.Text{"nl": "Omleiding <b>tram 4</b>"},
				Description: halte.Text{"nl": "Meer info op https://www.delijn.be/omleidingen"}},
			"Omleiding tram 4. Meer info op."},
		{"feed's speech text wins",
			halte.Alert{Effect: halte.Detour, Header: halte.Text{"nl": "Omleiding"}, Speech: halte.Text{"nl": "Tram 4 rijdt om via de Kouter."}},
			"Tram 4 rijdt om via de Kouter."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := phrases.Announcement(c.alert, "nl", now, brussels); got != c.want {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}
