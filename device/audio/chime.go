package audio

import (
	"math"
	"time"

	"github.com/halte-transit/halte"
)

// Chime is the attention signal before an automatic announcement: two soft
// bell tones, a falling major third (G5, E♭5), 0.9 s in all. It is made, not
// recorded, so that it is the same on every device.
func Chime() halte.PCM {
	tone := func(freq float64, d time.Duration) halte.PCM {
		n := int(float64(Rate) * d.Seconds())
		p := halte.PCM{Rate: Rate, Samples: make([]int16, n)}
		for i := range p.Samples {
			t := float64(i) / Rate
			attack := math.Min(1, t/0.01) // no click at the start
			decay := math.Exp(-4 * t)
			bell := math.Sin(2*math.Pi*freq*t) + 0.3*math.Sin(2*math.Pi*2*freq*t)
			p.Samples[i] = int16(0.4 * 32767 / 1.3 * attack * decay * bell)
		}
		return p
	}
	return tone(784, 450*time.Millisecond).Append(tone(622, 450*time.Millisecond))
}

// Tick is the locator tone: one soft, short tick (1.2 kHz, 30 ms, dying
// away), easy to place by ear and not to be taken for speech or a chime.
func Tick() halte.PCM {
	p := halte.PCM{Rate: Rate, Samples: make([]int16, Rate*30/1000)}
	for i := range p.Samples {
		t := float64(i) / Rate
		attack := math.Min(1, t/0.001)
		p.Samples[i] = int16(0.5 * 32767 * attack * math.Exp(-t/0.006) * math.Sin(2*math.Pi*1200*t))
	}
	return p
}
