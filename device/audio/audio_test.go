package audio_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/audio"
	"github.com/halte-transit/halte/internal/testkit"
)

// tone is a 0.5 s sine clip at half of full scale.
func tone() halte.PCM {
	p := halte.PCM{Rate: audio.Rate, Samples: make([]int16, audio.Rate/2)}
	for i := range p.Samples {
		p.Samples[i] = int16(16383 * math.Sin(2*math.Pi*440*float64(i)/audio.Rate))
	}
	return p
}

// TestPlayerReachesALSA plays through oto into ALSA, whose default device is
// a file (a test HOME's .asoundrc), and checks the samples that arrived:
// the whole tone, scaled by the volume.
func TestPlayerReachesALSA(t *testing.T) {
	home, raw := testkit.ALSAToFile(t)
	t.Setenv("HOME", home)
	p, err := audio.Open()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Play(context.Background(), tone(), 0.5, "tone"); err != nil {
		t.Fatal(err)
	}
	// 0.5 s of sine at amplitude 0.25 is above -40 dBFS for ~0.49 s.
	loud, peak := testkit.Audible(t, raw, audio.Rate)
	if loud < 450*time.Millisecond || loud > 550*time.Millisecond {
		t.Fatalf("%s of sound reached ALSA, want about 0.5 s", loud)
	}
	if peak < 0.22 || peak > 0.28 {
		t.Fatalf("peak %.3f, want 0.25 (half scale at volume 0.5)", peak)
	}
}

func TestWAVDirWritesPlayableFiles(t *testing.T) {
	dir := t.TempDir()
	var written []string
	w := &audio.WAVDir{Dir: dir, OnWrite: func(p string) { written = append(written, p) }}
	for range 2 {
		if err := w.Play(context.Background(), tone(), 1, "a1"); err != nil {
			t.Fatal(err)
		}
	}
	if len(written) != 2 || filepath.Base(written[1]) != "002-a1.wav" {
		t.Fatalf("wrote %v", written)
	}
	f, err := os.Open(written[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := halte.ReadWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	if back.Rate != audio.Rate || len(back.Samples) != len(tone().Samples) || back.Samples[100] != tone().Samples[100] {
		t.Fatalf("read back %d Hz, %d samples", back.Rate, len(back.Samples))
	}
}
