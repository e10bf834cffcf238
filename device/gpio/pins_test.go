package gpio_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	pgpio "periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/gpio"
	"github.com/halte-transit/halte/internal/testkit"
)

// tick advances the fake clock by d in steps, each once the pin's reader or
// the pattern player is waiting on it.
func tick(t *testing.T, clock *clockwork.FakeClock, d, by time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for passed := time.Duration(0); passed < d; passed += by {
		if err := clock.BlockUntilContext(ctx, 1); err != nil {
			t.Fatalf("nothing waits on the clock: %v", err)
		}
		clock.Advance(by)
	}
}

func TestButtonOnAFakePin(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	pin := &gpiotest.Pin{N: "GPIO17", EdgesChan: make(chan pgpio.Level, 16), Clock: clock}
	b := &gpio.Button{Pin: pin, ActiveLow: true, Clock: clock}
	touches := make(chan time.Time, 4)
	gestures := make(chan halte.Gesture, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.Run(ctx, func() { touches <- clock.Now() }, func(e gpio.Event) { gestures <- e.Gesture })

	tick(t, clock, 50*time.Millisecond, 10*time.Millisecond)
	pin.EdgesChan <- pgpio.Low // active low: pressed, bouncing
	pin.EdgesChan <- pgpio.High
	pin.EdgesChan <- pgpio.Low
	tick(t, clock, 100*time.Millisecond, 10*time.Millisecond)
	select {
	case at := <-touches:
		if at.Sub(t0) > 100*time.Millisecond {
			t.Fatalf("touch told at %s", at.Sub(t0))
		}
	default:
		t.Fatal("no touch")
	}
	pin.EdgesChan <- pgpio.High // released
	tick(t, clock, 500*time.Millisecond, 10*time.Millisecond)
	select {
	case g := <-gestures:
		if g != halte.Single {
			t.Fatalf("gesture %v, want a single press", g)
		}
	default:
		t.Fatal("no gesture")
	}
	if len(touches) != 0 {
		t.Fatal("the bounce made more than one touch")
	}
}

func level(p *gpiotest.Pin) bool { return p.Read() == pgpio.High }

func TestIndicatorPatterns(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	led := &gpiotest.Pin{N: "GPIO27", Clock: clock}
	motor := &gpiotest.Pin{N: "GPIO22", Clock: clock}
	ind := &gpio.Indicator{LED: led, Motor: motor, Clock: clock}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ind.Run(ctx); close(done) }()

	// sample records the LED every 50 ms for d, as a string of 0 and 1,
	// each time once the player waits again.
	sample := func(d time.Duration) string {
		var b strings.Builder
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for passed := time.Duration(0); passed < d; passed += 50 * time.Millisecond {
			if err := clock.BlockUntilContext(ctx, 1); err != nil {
				t.Fatal(err)
			}
			if level(led) {
				b.WriteByte('1')
			} else {
				b.WriteByte('0')
			}
			clock.Advance(50 * time.Millisecond)
		}
		return b.String()
	}
	if got := sample(time.Second); got != "00000000000000000000" {
		t.Fatalf("no alert: %s, want the light off", got)
	}
	ind.Show(halte.Signal{Alerts: 1, Severity: halte.Severe})
	if got := sample(600 * time.Millisecond); got != "111000111000" {
		t.Fatalf("severe: %s, want 150 ms on, 150 ms off", got)
	}
	ind.Show(halte.Signal{Alerts: 1, Severity: halte.Warning})
	if got := sample(2 * time.Second); got != "1111111111000000000011111111110000000000" {
		t.Fatalf("warning: %s, want 500 ms on, 500 ms off", got)
	}
	ind.Show(halte.Signal{Alerts: 1, Stale: true})
	if got := sample(2 * time.Second); got != "1100110000000000000000000000000000000000" {
		t.Fatalf("stale: %s, want two short blinks every two seconds", got)
	}

	// A touch is felt at once, within one step of any pattern.
	ind.Acknowledge()
	if !level(motor) {
		t.Fatal("the motor did not start at once")
	}
	clock.Advance(gpio.Pulse)
	testkit.WaitFor(t, 5*time.Second, "the motor to stop after the pulse", func() bool { return !level(motor) })
	cancel()
	<-done
	if level(led) || level(motor) {
		t.Fatal("the pins were left on")
	}
}

func TestOpenNamesThePin(t *testing.T) {
	_, err := gpio.Open("GPIO17", "button")
	if err == nil {
		t.Skip("this machine has a GPIO17")
	}
	if !strings.Contains(err.Error(), "GPIO17") || !strings.Contains(err.Error(), "button") {
		t.Fatalf("the error %q does not name the pin and its role", err)
	}
}
