// Package sim stands in for a stop device's hardware on a development
// machine and in the demo: the button from the keyboard (Enter is a single
// press, "d" a double, "l" a long one) and the light and vibration motor
// written to the terminal.
package sim

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/halte-transit/halte"
)

// Keyboard reads presses from lines of input until ctx ends or input does.
func Keyboard(ctx context.Context, in io.Reader, touched func(), gesture func(halte.Gesture)) {
	lines := bufio.NewScanner(in)
	for lines.Scan() && ctx.Err() == nil {
		switch strings.TrimSpace(strings.ToLower(lines.Text())) {
		case "":
			touched()
			gesture(halte.Single)
		case "d":
			touched()
			touched()
			gesture(halte.Double)
		case "l":
			touched()
			gesture(halte.Long)
		}
	}
}

// Terminal shows the light and the vibration motor as lines of text.
type Terminal struct {
	Out io.Writer
	mu  sync.Mutex
}

// Show writes what the light shows now.
func (t *Terminal) Show(s halte.Signal) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.Out, "    [light] %s\n", Describe(s))
}

// Acknowledge writes the vibration pulse.
func (t *Terminal) Acknowledge() {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintln(t.Out, "    [vibration] pulse")
}

// Describe says in words what the light shows for a signal.
func Describe(s halte.Signal) string {
	switch {
	case s.Fault:
		return "steady: device fault"
	case s.Stale:
		return "two short blinks: information may be out of date"
	case s.Alerts == 0:
		return "off: no disruptions"
	case s.Severity == halte.Severe:
		return fmt.Sprintf("fast blink: %d alert(s), severe", s.Alerts)
	case s.Severity == halte.Warning:
		return fmt.Sprintf("blink: %d alert(s), warning", s.Alerts)
	}
	return fmt.Sprintf("slow blink: %d alert(s)", s.Alerts)
}
