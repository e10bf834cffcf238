package halte_test

import (
	"slices"
	"testing"
	"time"

	"github.com/halte-transit/halte"
)

func TestFromSoundDropsTheLeadingSilence(t *testing.T) {
	clip := halte.Silence(1000, 50*time.Millisecond).Append(halte.PCM{Rate: 1000, Samples: []int16{50, -400, 300}})
	got := clip.FromSound(100, 2*time.Millisecond)
	if want := []int16{0, 50, -400, 300}; !slices.Equal(got.Samples, want) {
		t.Errorf("FromSound kept %v, want %v (2 ms before the first loud sample)", got.Samples, want)
	}
	quiet := halte.Silence(1000, 10*time.Millisecond)
	if got := quiet.FromSound(100, 0); len(got.Samples) != len(quiet.Samples) {
		t.Errorf("a clip with no sound lost %d samples", len(quiet.Samples)-len(got.Samples))
	}
}
