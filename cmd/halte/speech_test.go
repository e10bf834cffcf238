package main_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// TestOnePressSaysTenAlertsBriefly runs the real hub, Mosquitto and agent on
// a stop that holds ten alerts, eight of them the same closure published
// once per route: one press says it once, naming every route, this stop's
// closure first, in at most 90 words.
func TestOnePressSaysTenAlertsBriefly(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	broker := mqtttest.Start(t)
	screen := freeAddress(t)
	agent := startHalte(t, nil, "agent", "--broker", broker.URL, "--device", "quinpool", "--stop", "8223", "--lang", "en",
		"--state-dir", t.TempDir(), "--insecure", "--wav-dir", t.TempDir(), "--http", screen)
	startHalte(t, nil, "hub", "--broker", broker.URL, "--gtfs", "testdata/quinpool", "--insecure",
		"--gtfs-rt", "testdata/quinpool-alerts.txtpb")
	testkit.WaitFor(t, 30*time.Second, "the stop's document with ten alerts", func() bool {
		for _, l := range agent.log.Lines("stop document stored") {
			if n, _ := l["alerts"].(float64); n == 10 {
				return true
			}
		}
		return false
	})
	// The automatic announcement of the new alerts comes first; the press
	// is the screen's speak control, which does what the button does.
	testkit.WaitFor(t, 60*time.Second, "the start-up announcement to end", func() bool {
		return len(agent.log.Lines("announcement played")) > 0
	})
	resp, err := http.Post("http://"+screen+"/speak", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	parts := answerToPress(t, agent)
	answer := strings.Join(parts, " ")
	words := len(strings.Fields(answer))
	t.Logf("one press, %d words: %s", words, answer)
	if words > 90 {
		t.Errorf("one press said %d words, want at most 90", words)
	}
	if !strings.HasPrefix(parts[0], "This is Quinpool Road at Robie Street.") {
		t.Errorf("the answer starts with %q, want the stop's name", parts[0])
	}
	if parts[1] != "Three disruptions at this stop." {
		t.Errorf("summary %q, want the eight closures counted once", parts[1])
	}
	if !strings.HasPrefix(parts[2], "Buses 4, 7A, 8, 9A, 9B, 10, 14 and 90: the stop Quinpool Road at Robie Street is closed for construction.") {
		t.Errorf("the first alert said is %q, want this stop's closure naming every route", parts[2])
	}
	for _, wrong := range []string{"8223", "Rd", " St ", "www", "\n"} {
		if strings.Contains(answer, wrong) {
			t.Errorf("the answer holds %q", wrong)
		}
	}
}

// answerToPress waits until the agent has said the whole of its answer to
// a press, and returns its parts as said.
func answerToPress(t *testing.T, agent *process) []string {
	t.Helper()
	var parts []string
	testkit.WaitFor(t, 60*time.Second, "the answer to the press", func() bool {
		parts = nil
		previous, done := "", false
		for _, l := range agent.log.Lines("announce") {
			if text, _ := l["text"].(string); l["trigger"] == "button" && text != previous {
				parts, previous = append(parts, text), text // a merged part has one line per alert it says
			}
			done = done || l["trigger"] == "button" && l["last"] == true
		}
		return done
	})
	return parts
}
