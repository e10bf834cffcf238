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
	"github.com/halte-transit/halte/tts"
)

// tone is d of a sine at freq, at half of full scale.
func tone(freq float64, d time.Duration) halte.PCM {
	p := halte.PCM{Rate: audio.Rate, Samples: make([]int16, int(d.Seconds()*audio.Rate))}
	for i := range p.Samples {
		p.Samples[i] = int16(16383 * math.Sin(2*math.Pi*freq*float64(i)/audio.Rate))
	}
	return p
}

// audible returns the spans (start, length, in samples) where the capture
// is above -40 dBFS, joining gaps shorter than 50 ms, and the peak.
func audible(samples []int16) ([][2]int, int) {
	var spans [][2]int
	peak, start, last := 0, -1, -1
	gap := audio.Rate / 20
	for i, s := range samples {
		v := int(s)
		if v < 0 {
			v = -v
		}
		peak = max(peak, v)
		if v < 300 {
			continue
		}
		if start < 0 || i-last > gap {
			if start >= 0 {
				spans = append(spans, [2]int{start, last - start + 1})
			}
			start = i
		}
		last = i
	}
	if start >= 0 {
		spans = append(spans, [2]int{start, last - start + 1})
	}
	return spans, peak
}

func seconds(n int) float64 { return float64(n) / audio.Rate }

// TestPlayerOnAPacedCard plays through oto and ALSA into a PulseAudio null
// sink that consumes audio in real time, like a card, and checks what it
// received: the volume, the chime followed by speech, and a clip cut short
// by the next one.
func TestPlayerOnAPacedCard(t *testing.T) {
	sink := testkit.PulseSink(t, audio.Rate)
	sink.Setenv(t)
	if err := audio.Probe(); err != nil {
		t.Fatal(err)
	}
	p, err := audio.Open()
	if err != nil {
		t.Fatal(err)
	}
	since := func() int { return len(sink.Captured(t)) }
	// settle waits until the sink has rendered what was played.
	settle := func(from int) []int16 {
		var got []int16
		testkit.WaitFor(t, 10*time.Second, "the sink to render the end", func() bool {
			got = sink.Captured(t)[from:]
			spans, _ := audible(got)
			return len(spans) > 0 && len(got)-(spans[len(spans)-1][0]+spans[len(spans)-1][1]) > audio.Rate/4
		})
		return got
	}

	t.Run("volume scales the samples", func(t *testing.T) {
		from := since()
		if err := p.Play(context.Background(), tone(440, 500*time.Millisecond), 0.5, "tone"); err != nil {
			t.Fatal(err)
		}
		spans, peak := audible(settle(from))
		if len(spans) != 1 || math.Abs(seconds(spans[0][1])-0.5) > 0.05 {
			t.Fatalf("spans %v: want one of 0.5 s", spans)
		}
		if peak < 7000 || peak > 9000 {
			t.Fatalf("peak %d, want about 8192 (half scale at volume 0.5)", peak)
		}
	})

	t.Run("the chime, then speech", func(t *testing.T) {
		testkit.RequireTool(t, "espeak-ng")
		speech, err := tts.Espeak{}.Synthesize(context.Background(), "Tram 1 rijdt om.", "nl", false)
		if err != nil {
			t.Fatal(err)
		}
		from := since()
		chime := audio.Chime()
		for _, c := range []halte.PCM{chime, speech} {
			if err := p.Play(context.Background(), c, 1, "part"); err != nil {
				t.Fatal(err)
			}
		}
		got := settle(from)
		spans, _ := audible(got)
		first := got[spans[0][0]:]
		// 50 ms of what was heard first are the chime's, sample for sample
		// (within rounding), wherever in its attack the capture began.
		i0, worst := match(first[:audio.Rate/20], chime.Samples[:audio.Rate/5])
		if worst > 64 {
			t.Fatalf("what was heard first is not the chime: at best %d off", worst)
		}
		// From the chime's first sound to the speech's last: the rest of the
		// chime, then the speech up to its last sound.
		total := seconds(spans[len(spans)-1][0] + spans[len(spans)-1][1] - spans[0][0])
		speechSpans, _ := audible(speech.Samples)
		last := speechSpans[len(speechSpans)-1]
		want := seconds(len(chime.Samples) - i0 + last[0] + last[1])
		if total < want-0.15 || total > want+0.15 {
			t.Fatalf("%.2f s from the chime's first sound to the speech's last, want %.2f", total, want)
		}
	})

	t.Run("a preempting utterance cuts the previous one", func(t *testing.T) {
		from := since()
		started := make(chan struct{}, 4)
		p.OnStart = func() { started <- struct{}{} }
		defer func() { p.OnStart = nil }()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- p.Play(ctx, tone(440, 3*time.Second), 1, "long") }()
		<-started
		time.Sleep(400 * time.Millisecond) // let 0.4 s of the long clip be heard
		cancel()
		if err := <-done; err == nil {
			t.Fatal("the cut clip reported that it played to its end")
		}
		if err := p.Play(context.Background(), tone(880, 500*time.Millisecond), 1, "next"); err != nil {
			t.Fatal(err)
		}
		spans, _ := audible(settle(from))
		heard := seconds(spans[len(spans)-1][0] + spans[len(spans)-1][1] - spans[0][0])
		if heard > 1.5 {
			t.Fatalf("%.2f s heard in all: the 3 s clip was not cut", heard)
		}
	})
}

// match finds where in clip the samples stand, and how far off they are
// there at worst.
func match(samples, clip []int16) (at, worst int) {
	worst = math.MaxInt
	for k := 0; k+len(samples) <= len(clip); k++ {
		w := 0
		for i, s := range samples {
			w = max(w, abs(int(s)-int(clip[k+i])))
			if w >= worst {
				break
			}
		}
		if w < worst {
			at, worst = k, w
		}
	}
	return at, worst
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestWAVDirWritesPlayableFiles(t *testing.T) {
	dir := t.TempDir()
	var written []string
	w := &audio.WAVDir{Dir: dir, OnWrite: func(p string) { written = append(written, p) }}
	clip := tone(440, 500*time.Millisecond)
	for range 2 {
		if err := w.Play(context.Background(), clip, 1, "a1"); err != nil {
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
	if back.Rate != audio.Rate || len(back.Samples) != len(clip.Samples) || back.Samples[100] != clip.Samples[100] {
		t.Fatalf("read back %d Hz, %d samples", back.Rate, len(back.Samples))
	}
}
