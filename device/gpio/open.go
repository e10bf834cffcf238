package gpio

import (
	"fmt"
	"sync"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"
)

var initOnce = sync.OnceValue(func() error {
	_, err := host.Init()
	return err
})

// Open finds a pin by its name on the board ("GPIO17") through periph's
// host drivers (the GPIO character device, so the Pi 5 too). role says
// what the pin is for, in the error.
func Open(name, role string) (gpio.PinIO, error) {
	if err := initOnce(); err != nil {
		return nil, fmt.Errorf("pin %s (%s): periph: %w", name, role, err)
	}
	p := gpioreg.ByName(name)
	if p == nil {
		if len(gpioreg.All()) == 0 {
			return nil, fmt.Errorf("pin %s (%s) cannot be opened: this machine has no GPIO (periph found no GPIO chip)", name, role)
		}
		return nil, fmt.Errorf("pin %s (%s) cannot be opened: no such pin on this board", name, role)
	}
	return p, nil
}
