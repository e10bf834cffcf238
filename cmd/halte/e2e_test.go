package main_test

import (
	"testing"
	"time"

	"github.com/halte-transit/halte/device/audio"
	"github.com/halte-transit/halte/feeds/mqtt/mqtttest"
	"github.com/halte-transit/halte/internal/testkit"
)

const sampleGTFS = "../../feeds/gtfs/sample/ghent"

// TestSpokenThroughALSA runs the real binaries: an operator's alert goes
// through Mosquitto and the hub to the agent, whose speech reaches ALSA.
func TestSpokenThroughALSA(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	broker := mqtttest.Start(t)
	home, raw := testkit.ALSAToFile(t)
	agent := startHalte(t, []string{"HOME=" + home}, "agent", "--broker", broker.URL, "--device", "e2e",
		"--stop", "200101", "--state-dir", t.TempDir())
	startHalte(t, nil, "hub", "--broker", broker.URL, "--gtfs", sampleGTFS)
	testkit.WaitFor(t, 20*time.Second, "the agent to synchronize", func() bool {
		return len(agent.log.Lines("synchronized with the broker")) > 0
	})

	r := runHalte(t, nil, "alert", "publish", "--broker", broker.URL, "--id", "werken-1", "--effect", "no_service",
		"--line", "T1", "--text", "nl=Tram 1 rijdt niet door werken aan de Korenmarkt.",
		"--advice", "nl=Neem tram 4 aan perron 2.", "--until", time.Now().Add(3*time.Hour).Format(time.RFC3339))
	if r.code != 0 {
		t.Fatalf("publish failed: %s", r.stderr)
	}
	var line map[string]any
	testkit.WaitFor(t, 20*time.Second, "the announce log line", func() bool {
		lines := agent.log.Lines("announce")
		if len(lines) > 0 {
			line = lines[0]
		}
		return line != nil
	})
	want := "Tram 1 rijdt niet door werken aan de Korenmarkt. Neem tram 4 aan perron 2."
	if line["alert"] != "werken-1" || line["lang"] != "nl" || line["trigger"] != "new" || line["text"] != want || line["version"] == nil {
		t.Fatalf("announce line %v", line)
	}
	// The announce line comes as speech starts; this one once it has played.
	testkit.WaitFor(t, 30*time.Second, "the announcement to be played", func() bool {
		return len(agent.log.Lines("announcement played")) > 0
	})
	agent.stop()
	length, peak := testkit.Audible(t, raw, audio.Rate)
	if length < 2*time.Second || length > 15*time.Second || peak < 0.1 {
		t.Fatalf("ALSA received %s of sound with peak %.2f; want a spoken sentence", length, peak)
	}
}
