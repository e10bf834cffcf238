package audio

import (
	"context"
	"sync"
	"time"

	"github.com/halte-transit/halte"
)

// Device is the sound card as the agent sees it: opened when it is there,
// retried when it is not. While it is missing, Play fails at once with the
// reason and the device keeps its other senses; Status tries again (at most
// every Retry) and opens it once it is back.
type Device struct {
	// Retry is the least time between two tries; 0 means 5 s.
	Retry time.Duration
	// OnStart is passed to the player once it is open.
	OnStart func()

	mu     sync.Mutex
	player *Player
	err    error
	tried  time.Time
}

// Status opens the device if it is not open yet (and the last try is
// Retry ago) and returns why it cannot play; nil when it can.
func (d *Device) Status() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.player != nil {
		return d.player.ctx.Err()
	}
	retry := d.Retry
	if retry == 0 {
		retry = 5 * time.Second
	}
	if !d.tried.IsZero() && time.Since(d.tried) < retry {
		return d.err
	}
	d.tried = time.Now()
	if d.err = Probe(); d.err != nil {
		return d.err
	}
	p, err := Open()
	if err != nil {
		d.err = err
		return err
	}
	p.OnStart = d.OnStart
	d.player, d.err = p, nil
	return nil
}

// Play plays clip on the device, or fails at once while it is missing.
func (d *Device) Play(ctx context.Context, clip halte.PCM, volume float64, label string) error {
	if err := d.Status(); err != nil {
		return err
	}
	return d.player.Play(ctx, clip, volume, label)
}
