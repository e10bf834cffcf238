package gpio

import (
	"context"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

// step is how long one wait for an edge lasts. WaitForEdge(-1) returns at
// once on the character-device driver while the fakes wait forever, so the
// loop always waits with a finite timeout.
const step = 10 * time.Millisecond

// Button reads a push button into touches and gestures.
type Button struct {
	Pin gpio.PinIn
	// ActiveLow: the pin reads Low while the button is pressed (a button
	// to ground with a pull-up).
	ActiveLow bool
	Timings   Timings
	// Clock is the time source; nil means the real clock.
	Clock clockwork.Clock
}

// Run reads the button until ctx ends, calling touched at once when it
// goes down and gesture when a gesture is recognized.
func (b *Button) Run(ctx context.Context, touched func(), gesture func(Event)) error {
	clock := b.Clock
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	pull := gpio.PullDown
	if b.ActiveLow {
		pull = gpio.PullUp
	}
	if err := b.Pin.In(pull, gpio.BothEdges); err != nil {
		return err
	}
	r := NewRecognizer(b.Timings)
	for ctx.Err() == nil {
		b.Pin.WaitForEdge(step)
		pressed := (b.Pin.Read() == gpio.High) != b.ActiveLow
		for _, ev := range r.Observe(pressed, clock.Now()) {
			if ev.Touch {
				touched()
			} else {
				gesture(ev)
			}
		}
	}
	return nil
}
