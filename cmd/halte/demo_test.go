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
// a sound card: it must end by itself, print what it says, and leave WAV
// files that play.
func TestDemoWritesWAVs(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	dir := t.TempDir()
	r := runHalte(t, []string{"HOME=" + t.TempDir()}, "demo", "--for", "10s", "--wav-dir", dir)
	if r.code != 0 {
		t.Fatalf("demo failed (exit %d):\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	mustContain(t, "the demo's output", r.stdout,
		"device says (nl, new): Tram 1 stopt niet aan deze halte",
		"device says (nl, changed): Tram 1 rijdt om via de Kouter",
		"device says (nl, new): De lift aan de Korenmarkt is buiten dienst.",
		"0 alert(s)", "halte demo: done")
	files, _ := filepath.Glob(filepath.Join(dir, "*.wav"))
	if len(files) != 3 {
		t.Fatalf("want 3 WAV files, got %v", files)
	}
	for _, f := range files {
		mustContain(t, "the demo's output", r.stdout, f)
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		pcm, err := halte.ReadWAV(fh)
		fh.Close()
		if err != nil || pcm.Duration().Seconds() < 1 {
			t.Fatalf("%s: %v, %s of audio", f, err, pcm.Duration())
		}
	}
	if strings.Contains(r.stderr, `"level":"ERROR"`) {
		t.Fatalf("the demo logged errors:\n%s", r.stderr)
	}
}
