package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/internal/testkit"
)

// TestDemoWritesWAVs runs the demo as a newcomer would on a machine without
// a sound card: it must end by itself, print what it says (a summary, a
// repeat, a language switch, "no disruptions"), and leave WAV files that play.
func TestDemoWritesWAVs(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	dir := t.TempDir()
	r := runHalte(t, []string{"HOME=" + t.TempDir()}, "demo", "--for", "20s", "--wav-dir", dir)
	if r.code != 0 {
		t.Fatalf("demo failed (exit %d):\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	mustContain(t, "the demo's output", r.stdout,
		"device says (nl, new): Tram 1 stopt niet aan deze halte tot",
		"device says (nl, button): Eén storing aan deze halte.",
		"device says (nl, repeat): Twee storingen aan deze halte.",
		"device says (nl, slower): ",
		"device says (fr, language): Français.",
		"device says (fr, button): Deux perturbations à cet arrêt.",
		"device says (nl, changed): Tram 1 rijdt om via de Kouter",
		"0 alert(s)",
		"device says (nl, button): Geen storingen gemeld voor deze halte. Laatste update om ",
		"the script is over", "halte demo: done",
		"halte demo: the stop's screen, with its light and vibration: http://127.0.0.1:",
		"halte demo: the open API for apps: http://127.0.0.1:",
		"[light] fast blink: 1 alert(s), severe", "[vibration] pulse")
	files, _ := filepath.Glob(filepath.Join(dir, "*.wav"))
	if len(files) < 15 {
		t.Fatalf("want a WAV file per chime and per part said, got %d", len(files))
	}
	for _, f := range files {
		mustContain(t, "the demo's output", r.stdout, f)
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		pcm, err := halte.ReadWAV(fh)
		fh.Close()
		if err != nil || pcm.Duration().Seconds() < 0.5 {
			t.Fatalf("%s: %v, %s of audio", f, err, pcm.Duration())
		}
	}
	if strings.Contains(r.stderr, `"level":"ERROR"`) {
		t.Fatalf("the demo logged errors:\n%s", r.stderr)
	}
}
