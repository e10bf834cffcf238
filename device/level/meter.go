package level

import (
	"sync"
	"time"

	"github.com/halte-transit/halte"
)

// block is the length over which the meter sums sound.
const block = 100 * time.Millisecond

// Meter is the A-weighted equivalent level of the last Window of sound from
// a microphone, leaving out what it hears while the device plays and for a
// Tail after (its own voice and its echo). It is safe for concurrent use:
// the microphone adds, the speaker holds and releases.
type Meter struct {
	window, tail time.Duration
	now          func() time.Time

	mu        sync.Mutex
	filter    *AWeighting
	perBlock  int
	sum       float64 // of the block being filled
	n         int
	blocks    []float64 // mean squares of the last whole blocks, oldest first
	held      bool
	quietFrom time.Time // counted again from then, after a release
}

// NewMeter measures samples at rate over window, with tail left out after
// each release; now is the clock (time.Now on a device).
func NewMeter(rate int, window, tail time.Duration, now func() time.Time) *Meter {
	return &Meter{window: window, tail: tail, now: now, filter: NewAWeighting(rate),
		perBlock: int(int64(rate) * int64(block) / int64(time.Second))}
}

// Add measures samples from the microphone, in the order recorded.
func (m *Meter) Add(samples []int16) {
	m.mu.Lock()
	defer m.mu.Unlock()
	counted := !m.held && !m.now().Before(m.quietFrom)
	for len(samples) > 0 {
		take := min(len(samples), m.perBlock-m.n)
		sum := m.filter.SumSquares(samples[:take]) // the filter runs on, counted or not
		samples = samples[take:]
		if !counted {
			continue
		}
		m.sum += sum
		m.n += take
		if m.n == m.perBlock {
			m.blocks = append(m.blocks, m.sum/float64(m.n))
			if keep := int(m.window / block); len(m.blocks) > keep {
				m.blocks = m.blocks[len(m.blocks)-keep:]
			}
			m.sum, m.n = 0, 0
		}
	}
}

// Level is the equivalent level of the blocks measured, and false until a
// second of sound has been measured.
func (m *Meter) Level() (float64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.blocks) < int(time.Second/block) {
		return Silent, false
	}
	total := 0.0
	for _, b := range m.blocks {
		total += b
	}
	return DB(total / float64(len(m.blocks))), true
}

// Hold stops counting: the device is about to play.
func (m *Meter) Hold() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.held = true
	m.sum, m.n = 0, 0 // a block cut by the hold is not a whole one
}

// Release counts again, after the tail.
func (m *Meter) Release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.held = false
	m.quietFrom = m.now().Add(m.tail)
}

// OfClip is the active level of a clip as it would play at volume 1: the
// mean square of its 50 ms stretches that are within 30 dB of its loudest
// (a simplified ITU-T P.56), so that pauses between words do not count.
// A clip with no sound is Silent.
func OfClip(p halte.PCM) float64 {
	f := NewAWeighting(p.Rate)
	size := max(1, p.Rate/20)
	var stretches []float64
	loudest := 0.0
	for i := 0; i < len(p.Samples); i += size {
		s := p.Samples[i:min(len(p.Samples), i+size)]
		ms := f.SumSquares(s) / float64(len(s))
		stretches = append(stretches, ms)
		loudest = max(loudest, ms)
	}
	total, n := 0.0, 0
	for _, ms := range stretches {
		if ms > 0 && ms >= loudest/1000 {
			total += ms
			n++
		}
	}
	if n == 0 {
		return Silent
	}
	return DB(total / float64(n))
}

// Volume is the volume (1 = the clip as made) at which a clip of level clip
// is heard margin dB above a street of level street, when the microphone
// hears the speaker at coupling dB (the calibration). It may exceed 1; the
// caller bounds it.
func Volume(clip, street, coupling, margin float64) float64 {
	return Gain(street + margin - coupling - clip)
}
