package gpio

import (
	"context"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"

	"github.com/halte-transit/halte"
)

// Pulse is how long the vibration motor runs to acknowledge a touch.
const Pulse = 80 * time.Millisecond

// Phase is one step of a light pattern: on or off, for a while.
type Phase struct {
	On  bool
	For time.Duration
}

// Pattern returns the light pattern that encodes a signal: off with no
// alert; one blink every two seconds for information, a steady blink for a
// warning, a fast one for a severe alert; two short blinks every two
// seconds when the information may be out of date; steady on for a fault.
func Pattern(s halte.Signal) []Phase {
	ms := func(d int) time.Duration { return time.Duration(d) * time.Millisecond }
	switch {
	case s.Fault:
		return []Phase{{true, time.Hour}}
	case s.Stale:
		return []Phase{{true, ms(100)}, {false, ms(100)}, {true, ms(100)}, {false, ms(1700)}}
	case s.Alerts == 0:
		return []Phase{{false, time.Hour}}
	case s.Severity == halte.Severe:
		return []Phase{{true, ms(150)}, {false, ms(150)}}
	case s.Severity == halte.Warning:
		return []Phase{{true, ms(500)}, {false, ms(500)}}
	}
	return []Phase{{true, ms(200)}, {false, ms(1800)}}
}

// Indicator shows the device's signal on an LED and acknowledges touches
// with the vibration motor. Either pin may be gpio.INVALID.
type Indicator struct {
	LED, Motor                   gpio.PinOut
	LEDActiveLow, MotorActiveLow bool
	// Clock is the time source; nil means the real clock.
	Clock clockwork.Clock

	mu      sync.Mutex
	pattern []Phase
	changes chan chan struct{} // to the running player: a new pattern; closed back once shown
	stopped chan struct{}      // closed when the player stops
	pulse   clockwork.Timer
}

func (i *Indicator) clock() clockwork.Clock {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.Clock == nil {
		i.Clock = clockwork.NewRealClock()
	}
	return i.Clock
}

func set(p gpio.PinOut, on, activeLow bool) {
	if p == nil || p == gpio.INVALID {
		return
	}
	_ = p.Out(gpio.Level(on != activeLow))
}

// Show switches the light to the signal's pattern, from its first phase,
// and returns once the light shows it.
func (i *Indicator) Show(s halte.Signal) {
	i.mu.Lock()
	i.pattern = Pattern(s)
	changes, stopped := i.changes, i.stopped
	i.mu.Unlock()
	if changes == nil {
		return // not playing yet: Run starts with it
	}
	shown := make(chan struct{})
	select {
	case changes <- shown:
		<-shown
	case <-stopped:
	}
}

// Acknowledge runs the motor for one Pulse, starting at once.
func (i *Indicator) Acknowledge() {
	clock := i.clock()
	i.mu.Lock()
	defer i.mu.Unlock()
	set(i.Motor, true, i.MotorActiveLow)
	if i.pulse != nil {
		i.pulse.Stop()
	}
	i.pulse = clock.AfterFunc(Pulse, func() { set(i.Motor, false, i.MotorActiveLow) })
}

// Run plays the light's pattern until ctx ends, and leaves both pins off.
func (i *Indicator) Run(ctx context.Context) {
	clock := i.clock()
	changes, stopped := make(chan chan struct{}), make(chan struct{})
	i.mu.Lock()
	i.changes, i.stopped = changes, stopped
	if i.pattern == nil {
		i.pattern = Pattern(halte.Signal{})
	}
	i.mu.Unlock()
	defer func() {
		close(stopped)
		set(i.LED, false, i.LEDActiveLow)
		set(i.Motor, false, i.MotorActiveLow)
	}()
	var shown chan struct{}
	for n := 0; ; n++ {
		i.mu.Lock()
		p := i.pattern[n%len(i.pattern)]
		i.mu.Unlock()
		set(i.LED, p.On, i.LEDActiveLow)
		timer := clock.NewTimer(p.For)
		if shown != nil {
			close(shown)
			shown = nil
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case shown = <-changes:
			timer.Stop()
			n = -1 // the new pattern from its first phase
		case <-timer.Chan():
		}
	}
}
