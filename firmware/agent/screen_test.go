package agent_test

import (
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/internal/testkit"
)

// TestScreenShowsWhatThePressSays checks the screen's view: an alert
// published once per line is shown once with every line, this stop's own
// closure first, and a text in a language the device does not speak is
// said from its fields and shown as written, with its language.
func TestScreenShowsWhatThePressSays(t *testing.T) {
	perLine := func(id, line string) halte.Alert {
		a := alert(id, "Lijn "+line+": de halte is gesloten wegens werken.")
		a.Effect, a.Lines = halte.NoService, []halte.Line{{ID: line, Name: line, Mode: halte.Bus}}
		return a
	}
	norwegian := halte.Alert{ID: "no", Version: 1, Effect: halte.Detour, Lines: []halte.Line{{ID: "T1", Name: "1", Mode: halte.Tram}},
		Header: halte.Text{"no": "Trikken kjører omvei."}}
	dev, _ := deviceSpeaking(t, doc(10, norwegian, perLine("c70", "70"), perLine("c3", "3"), perLine("c12", "12")))
	var v = dev.View("nl")
	testkit.WaitFor(t, 10*time.Second, "the view of the stored document", func() bool {
		v = dev.View("nl")
		return len(v.Stops) == 1 && len(v.Stops[0].Alerts) > 0
	})
	alerts := v.Stops[0].Alerts
	if len(alerts) != 2 || v.Summary != "Twee storingen aan deze halte." {
		t.Fatalf("view %d alerts, summary %q; want the closure once and the detour", len(alerts), v.Summary)
	}
	if a := alerts[0]; a.Text != "Bus 3, 12 en 70: de halte is gesloten wegens werken." || strings.Join(a.Also, ",") != "c3,c70" {
		t.Errorf("first alert %q (also %v), want this stop's closure with every line", a.Text, a.Also)
	}
	if a := alerts[1]; a.Text != "Tram 1 rijdt een omleiding." || a.Original == nil || a.Original.Lang != "no" || a.Original.Text != "Trikken kjører omvei." {
		t.Errorf("the Norwegian alert: %q, original %+v", a.Text, a.Original)
	}
}
