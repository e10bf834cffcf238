package main_test

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/halte-transit/halte/feeds/mqtt/mqtttest"
	"github.com/halte-transit/halte/internal/testkit"
)

const sampleGTFS = "../../feeds/gtfs/sample/ghent"

// alsaToFile makes a HOME whose ALSA default device writes raw samples to
// the returned file, as a sound card without one.
func alsaToFile(t *testing.T) (home, raw string) {
	t.Helper()
	home = t.TempDir()
	raw = filepath.Join(home, "alsa-out.raw")
	conf := "pcm.!default {\n type file\n slave.pcm \"null\"\n file \"" + raw + "\"\n format \"raw\"\n}\n"
	if err := os.WriteFile(filepath.Join(home, ".asoundrc"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return home, raw
}

// audible returns how long the non-silent part of raw ALSA output lasts:
// oto writes 32-bit float mono samples at 22,050 Hz, with silence between
// clips. It also returns the peak amplitude.
func audible(t *testing.T, path string) (time.Duration, float64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	loud, peak := 0, 0.0
	for i := 0; i+4 <= len(data); i += 4 {
		v := math.Abs(float64(math.Float32frombits(binary.LittleEndian.Uint32(data[i:]))))
		if v > 0.01 {
			loud++
		}
		peak = max(peak, v)
	}
	return time.Duration(loud) * time.Second / 22050, peak
}

func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed (CI must install it)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
}

// TestSpokenThroughALSA runs the real binaries: an operator's alert goes
// through Mosquitto and the hub to the agent, whose speech reaches ALSA.
func TestSpokenThroughALSA(t *testing.T) {
	requireTools(t, "espeak-ng")
	broker := mqtttest.Start(t)
	home, raw := alsaToFile(t)
	agent := startHalte(t, []string{"HOME=" + home}, "agent", "--broker", broker.URL, "--device", "e2e",
		"--stop", "200101", "--state-dir", t.TempDir())
	startHalte(t, nil, "hub", "--broker", broker.URL, "--gtfs", sampleGTFS)
	testkit.WaitFor(t, 20*time.Second, "the agent to synchronize", func() bool {
		return len(testkit.ParseLines(agent.Log(), "synchronized with the broker")) > 0
	})

	r := runHalte(t, nil, "alert", "publish", "--broker", broker.URL, "--id", "werken-1", "--effect", "no_service",
		"--line", "T1", "--text", "nl=Tram 1 rijdt niet door werken aan de Korenmarkt.",
		"--advice", "nl=Neem tram 4 aan perron 2.", "--until", time.Now().Add(3*time.Hour).Format(time.RFC3339))
	if r.code != 0 {
		t.Fatalf("publish failed: %s", r.stderr)
	}
	var line map[string]any
	testkit.WaitFor(t, 20*time.Second, "the announce log line", func() bool {
		lines := testkit.ParseLines(agent.Log(), "announce")
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
		return len(testkit.ParseLines(agent.Log(), "announcement played")) > 0
	})
	agent.stop()
	length, peak := audible(t, raw)
	if length < 2*time.Second || length > 15*time.Second || peak < 0.1 {
		t.Fatalf("ALSA received %s of sound with peak %.2f; want a spoken sentence", length, peak)
	}
}
