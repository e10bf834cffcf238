package level_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/level"
)

func sine(hz, amplitude float64, d time.Duration, rate int) []int16 {
	out := make([]int16, int(d.Seconds()*float64(rate)))
	for i := range out {
		out[i] = int16(amplitude * 32767 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
	}
	return out
}

func near(t *testing.T, what string, got, want, tolerance float64) {
	t.Helper()
	if math.Abs(got-want) > tolerance {
		t.Errorf("%s: %.2f dB, want %.2f ± %.1f", what, got, want, tolerance)
	}
}

// The IEC 61672 A-weighting table, 20 Hz to 8 kHz.
func TestAWeightingFollowsTheStandard(t *testing.T) {
	table := map[float64]float64{20: -50.5, 31.5: -39.4, 63: -26.2, 100: -19.1, 250: -8.6, 500: -3.2,
		1000: 0, 2000: 1.2, 4000: 1.0, 8000: -1.1}
	f := level.NewAWeighting(48000)
	for hz, want := range table {
		near(t, fmt.Sprint(hz, " Hz"), f.Response(hz, 48000), want, 0.6)
	}
}

func TestLevelOfTones(t *testing.T) {
	f := level.NewAWeighting(48000)
	s := sine(1000, 1, time.Second, 48000)
	near(t, "full-scale 1 kHz sine", level.DB(f.SumSquares(s)/float64(len(s))), -3, 0.1)
	s = sine(100, 0.1, time.Second, 48000)
	f = level.NewAWeighting(48000)
	near(t, "100 Hz sine at −20 dB", level.DB(f.SumSquares(s)/float64(len(s))), -23-19.1, 0.6)
}

func TestOfClipLeavesOutPauses(t *testing.T) {
	tone := halte.PCM{Rate: 22050, Samples: sine(1000, 0.5, 500*time.Millisecond, 22050)}
	clip := tone.Append(halte.Silence(22050, 2*time.Second), tone)
	near(t, "two tones two seconds apart", level.OfClip(clip), level.OfClip(tone), 0.3)
	near(t, "a tone at half scale", level.OfClip(tone), -9, 0.3)
	if got := level.OfClip(halte.Silence(22050, time.Second)); !math.IsInf(got, -1) {
		t.Errorf("silence is %.1f dB, want −∞", got)
	}
}

func TestMeterLeavesOutItsOwnVoice(t *testing.T) {
	now := time.Unix(0, 0)
	m := level.NewMeter(48000, 3*time.Second, 500*time.Millisecond, func() time.Time { return now })
	feed := func(samples []int16) { // in 100 ms pieces, as a microphone delivers them
		for len(samples) > 0 {
			n := min(len(samples), 4800)
			m.Add(samples[:n])
			samples = samples[n:]
			now = now.Add(100 * time.Millisecond)
		}
	}
	if _, ok := m.Level(); ok {
		t.Error("a level before any sound")
	}
	street := sine(1000, 0.01, 3*time.Second, 48000) // −43 dB
	feed(street)
	got, ok := m.Level()
	if !ok {
		t.Fatal("no level after three seconds")
	}
	near(t, "the street", got, -43, 0.3)

	m.Hold()
	feed(sine(1000, 0.9, 2*time.Second, 48000)) // the device speaks
	m.Release()
	feed(sine(1000, 0.9, 400*time.Millisecond, 48000)) // its echo, within the tail
	got, _ = m.Level()
	near(t, "the street after the device spoke", got, -43, 0.3)

	feed(sine(1000, 0.1, 3*time.Second, 48000)) // a bus, 20 dB louder
	got, _ = m.Level()
	near(t, "the bus", got, -23, 0.3)
	feed(make([]int16, 4*48000))
	if got, _ = m.Level(); got > -90 {
		t.Errorf("after four seconds of silence the level is %.1f dB", got)
	}
}

func TestVolumePutsSpeechAboveTheStreet(t *testing.T) {
	// Speech at −20 dB, a street at −45 dB, a speaker heard 6 dB louder
	// than it is fed: 12 dB above the street is −33 at the microphone, so
	// −39 into the speaker, 19 dB below the clip.
	near(t, "volume", 20*math.Log10(level.Volume(-20, -45, 6, 12)), -19, 0.01)
	if v := level.Volume(-20, level.Silent, 0, 12); v != 0 {
		t.Errorf("a silent street asks for volume %v, want 0 (the caller's minimum)", v)
	}
}
