// Package gpio drives the stop device's pins through periph.io: the button
// (a gpio.PinIn) read into gestures, and the LED and vibration motor
// (gpio.PinOut) playing patterns that encode the device's state. Pins are
// named as on the board ("GPIO17"), each optionally active-low; an absent
// pin is gpio.INVALID, so nothing needs a nil check. Time comes from an
// injected clock, so that tests run on periph's gpiotest pins and a fake
// clock.
package gpio

import (
	"time"

	"github.com/halte-transit/halte"
)

// Timings tell gestures apart. The zero value of each field means its
// default.
type Timings struct {
	// Debounce is how long a level must hold to count; 0 means 30 ms.
	Debounce time.Duration
	// Double is the longest gap between two presses of a double press; 0
	// means 350 ms.
	Double time.Duration
	// Long is how long a press must last to be a long press; 0 means 800 ms.
	Long time.Duration
}

func (t Timings) withDefaults() Timings {
	if t.Debounce == 0 {
		t.Debounce = 30 * time.Millisecond
	}
	if t.Double == 0 {
		t.Double = 350 * time.Millisecond
	}
	if t.Long == 0 {
		t.Long = 800 * time.Millisecond
	}
	return t
}

// Event is what the recognizer makes of the button: a touch (the button is
// down: acknowledge it now) or a gesture.
type Event struct {
	Touch   bool
	Gesture halte.Gesture
}

// Recognizer turns a bouncing button's levels into touches and gestures. It
// is a pure state machine: the caller says what the level is and what time
// it is.
type Recognizer struct {
	t Timings

	stable, pending bool // debounced level, and the level waiting to count
	pendingSince    time.Time
	state           int // idle, down, up (waiting for a second press), downAgain
	since           time.Time
	longSaid        bool
}

const (
	idle = iota
	down
	up
	downAgain
)

// NewRecognizer starts with the button up.
func NewRecognizer(t Timings) *Recognizer { return &Recognizer{t: t.withDefaults()} }

// Observe takes the button's level (true: pressed) at a time, and returns
// what is decided by then.
func (r *Recognizer) Observe(pressed bool, at time.Time) []Event {
	if pressed != r.pending {
		r.pending, r.pendingSince = pressed, at
	}
	return r.Advance(at)
}

// Advance returns what time alone decides: a level that held long enough, a
// single press whose double-press window closed, a long press.
func (r *Recognizer) Advance(at time.Time) []Event {
	var out []Event
	if r.pending != r.stable && at.Sub(r.pendingSince) >= r.t.Debounce {
		r.stable = r.pending
		out = append(out, r.edge(r.stable, r.pendingSince)...)
	}
	// A change that began inside a window but is still being debounced
	// counts as inside it: wait for it.
	changing := func(window time.Duration) bool {
		return r.pending != r.stable && r.pendingSince.Sub(r.since) < window
	}
	switch {
	case r.state == up && at.Sub(r.since) >= r.t.Double && !changing(r.t.Double):
		r.state = idle
		out = append(out, Event{Gesture: halte.Single})
	case r.state == down && !r.longSaid && at.Sub(r.since) >= r.t.Long && !changing(r.t.Long):
		r.longSaid = true
		out = append(out, Event{Gesture: halte.Long})
	}
	return out
}

// edge handles a debounced change, dated when it began.
func (r *Recognizer) edge(pressed bool, at time.Time) []Event {
	if pressed {
		switch r.state {
		case idle:
			r.state, r.since, r.longSaid = down, at, false
		case up:
			r.state = downAgain
		}
		return []Event{{Touch: true}}
	}
	switch r.state {
	case down:
		if r.longSaid {
			r.state = idle
			return nil
		}
		r.state, r.since = up, at
	case downAgain:
		r.state = idle
		return []Event{{Gesture: halte.Double}}
	}
	return nil
}
