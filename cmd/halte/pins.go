package main

import (
	pgpio "periph.io/x/conn/v3/gpio"

	"github.com/halte-transit/halte/device/gpio"
	"github.com/halte-transit/halte/firmware/agent"
)

// openPins opens the configured pins: the indicator (the LED and the
// vibration motor, either may be absent) and the button (nil without one).
// An error names the pin that cannot be opened, and why.
func openPins(p agent.Pins) (*gpio.Indicator, *gpio.Button, error) {
	open := func(pin agent.Pin, role string) (pgpio.PinIO, error) {
		if pin.Name == "" {
			return pgpio.INVALID, nil
		}
		return gpio.Open(pin.Name, role)
	}
	button, err := open(p.Button, "button")
	if err != nil {
		return nil, nil, err
	}
	led, err := open(p.LED, "led")
	if err != nil {
		return nil, nil, err
	}
	motor, err := open(p.Vibration, "vibration")
	if err != nil {
		return nil, nil, err
	}
	ind := &gpio.Indicator{LED: led, Motor: motor, LEDActiveLow: p.LED.ActiveLow, MotorActiveLow: p.Vibration.ActiveLow}
	if p.Button.Name == "" {
		return ind, nil, nil
	}
	g := p.Gestures
	return ind, &gpio.Button{Pin: button, ActiveLow: p.Button.ActiveLow,
		Timings: gpio.Timings{Debounce: g.Debounce, Double: g.Double, Long: g.Long}}, nil
}
