package phrases_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/halte-transit/halte/tts/phrases"
)

// TestSpeakable covers each rule that makes an agency's text fit to hear.
func TestSpeakable(t *testing.T) {
	cases := []struct{ lang, in, want string }{
		{"en", "Robie St closed", "Robie Street closed"},
		{"en", "St. John's Church", "Saint John's Church"},
		{"en", "Use Quinpool Rd (8223) or E Berkeley St (Stop #36541)", "Use Quinpool Road or East Berkeley Street"},
		{"en", "Route 4 NB & SB w/ delays @ Main St", "Route 4 northbound and southbound with delays at Main Street"},
		{"en", "DETOUR IN EFFECT", "Detour in effect"},
		{"en", "Affected routes:\r\n9\r\n11\r\n\r\nSee www.mbta.com/x for details. Call 617-222-3200.", "Affected routes: 9 and 11. Call 6 1 7, 2 2 2, 3 2 0 0."},
		{"en", "• Stop A\n• Stop B", "Stop A. Stop B."},
		{"en", "Closed Mon-Fri from Nov 4, 10:30 PM", "Closed Monday to Friday from November 4, 10:30 PM"},
		{"en", "Write to help@example.org if you need assistance.", ""},
		{"fr", "L14 dévié jusqu'au 24/12 à partir de 9h, bd Clemenceau", "ligne 14 dévié jusqu'au 24 décembre à partir de 9 heures, boulevard Clemenceau"},
		{"fr", "MAJ 22/11 : départs de 14h30 annulés", "mise à jour 22 novembre: départs de 14 heures 30 annulés"},
		{"de", "Ab 14:30 Uhr bis 24.12.2026 Umleitung über die Hauptstr. Mo-Fr", "Ab 14 Uhr 30 bis 24. Dezember 2026 Umleitung über die Hauptstraße. Montag bis Freitag"},
		{"nl", "Vanaf 14u30 tot 24/12 omleiding via de Kerkstr. en de Brusselsestwg", "Vanaf 14 uur 30 tot 24 december omleiding via de Kerkstraat en de Brusselsestwg"},
		{"nl", "Halte Stationsln 5 & P+R", "Halte Stationsln 5 en P en R"},
	}
	for _, c := range cases {
		if got := phrases.New(c.lang, brussels, nil).Speakable(c.in); got != c.want {
			t.Errorf("%s %q:\n got %q\nwant %q", c.lang, c.in, got, c.want)
		}
	}
}

// TestSpeakableSaysARememberedTextTheSame: a book that has made many texts
// speakable (more than it remembers) answers each again as a new book does.
func TestSpeakableSaysARememberedTextTheSame(t *testing.T) {
	book := phrases.New("en", brussels, nil)
	for i := range 600 {
		text := fmt.Sprintf("Route %d NB delayed @ Main St (Stop #%d)", i, 10000+i)
		want := phrases.New("en", brussels, nil).Speakable(text)
		for range 2 {
			if got := book.Speakable(text); got != want {
				t.Fatalf("%q said again: got %q, want %q", text, got, want)
			}
		}
		if again := book.Speakable(fmt.Sprintf("Route %d NB delayed @ Main St (Stop #%d)", i/2, 10000+i/2)); !strings.HasPrefix(again, fmt.Sprintf("Route %d northbound", i/2)) {
			t.Fatalf("an earlier text said again: %q", again)
		}
	}
}
