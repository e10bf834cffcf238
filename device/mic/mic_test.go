package mic_test

import (
	"math"
	"testing"
	"time"

	"github.com/halte-transit/halte/device/level"
	"github.com/halte-transit/halte/device/mic"
	"github.com/halte-transit/halte/internal/testkit"
)

// TestMicrophoneHearsTheStreet records the virtual street through ALSA's
// default capture device and measures it as the agent does.
func TestMicrophoneHearsTheStreet(t *testing.T) {
	sink := testkit.PulseSink(t, 22050)
	sink.Setenv(t)
	quiet, loud := testkit.PinkNoise(t, 5, -30), testkit.PinkNoise(t, 5, -20)
	offline := func(s []int16) float64 {
		return level.DB(level.NewAWeighting(mic.Rate).SumSquares(s) / float64(len(s)))
	}
	meter := level.NewMeter(mic.Rate, 2*time.Second, 0, time.Now)
	m, err := mic.Open("default", meter.Add)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, noise := range [][]int16{quiet, loud} {
		sink.Street(t, noise)
		want := offline(noise)
		var got float64
		testkit.WaitFor(t, 15*time.Second, "the microphone's level to reach the street's", func() bool {
			got, _ = meter.Level()
			return math.Abs(got-want) < 1
		})
		t.Logf("street %.1f dB, heard %.1f dB", want, got)
	}
	sink.Street(t, nil)
	testkit.WaitFor(t, 15*time.Second, "the level to fall when the street is quiet", func() bool {
		got, _ := meter.Level()
		return got < offline(quiet)-30
	})
	if _, err := mic.Open("no-such-card", func([]int16) {}); err == nil {
		t.Error("a microphone that does not exist was opened")
	}
}
