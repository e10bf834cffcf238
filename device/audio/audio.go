// Package audio plays speech. Player drives the sound card through ALSA with
// oto (one context per process, suspended while idle so that speech starts
// on an empty buffer); WAVDir writes each clip to a WAVE file instead, for
// machines without a sound card. Both play one clip at a time, to the end or
// until the context is cancelled.
package audio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ebitengine/oto/v3"

	"github.com/halte-transit/halte"
)

// Rate is the sample rate of the oto context; espeak-ng speaks at 22,050 Hz.
const Rate = 22050

// Player plays clips on the default ALSA device.
type Player struct {
	ctx *oto.Context
	mu  sync.Mutex // one clip at a time

	// OnStart, if set, is called when the device takes the first samples of
	// each clip: the moment speech starts, for latency figures.
	OnStart func()
}

// Open creates the oto context on the default ALSA device and waits until
// it is ready.
func Open() (*Player, error) {
	ctx, ready, err := oto.NewContext(&oto.NewContextOptions{
		SampleRate:   Rate,
		ChannelCount: 1,
		Format:       oto.FormatSignedInt16LE,
		BufferSize:   40 * time.Millisecond,
	})
	if err != nil {
		return nil, fmt.Errorf("audio: %w", err)
	}
	<-ready
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("audio device: %w", err)
	}
	if err := ctx.Suspend(); err != nil {
		return nil, fmt.Errorf("audio device: %w", err)
	}
	return &Player{ctx: ctx}, nil
}

// Play plays clip at volume (0 to 1) to its end, or stops it when ctx ends.
// The label is for other outputs; the sound card has no use for it.
func (p *Player) Play(ctx context.Context, clip halte.PCM, volume float64, _ string) error {
	if clip.Rate != Rate {
		return fmt.Errorf("audio: clip at %d Hz, the device plays %d Hz", clip.Rate, Rate)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.ctx.Resume(); err != nil {
		return fmt.Errorf("audio device: %w", err)
	}
	defer p.ctx.Suspend()
	player := p.ctx.NewPlayer(&firstRead{r: bytes.NewReader(clip.Bytes()), fn: p.OnStart})
	defer player.Close()
	player.SetBufferSize(2 * Rate * 50 / 1000) // 50 ms: start at once
	player.SetVolume(volume)
	player.Play()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for player.IsPlaying() {
		select {
		case <-ctx.Done():
			player.Pause()
			return ctx.Err()
		case <-tick.C:
		}
		if err := p.ctx.Err(); err != nil {
			return fmt.Errorf("audio device: %w", err)
		}
	}
	return player.Err()
}

// firstRead calls fn when the first bytes are read from r.
type firstRead struct {
	r    *bytes.Reader
	fn   func()
	done bool
}

func (f *firstRead) Read(b []byte) (int, error) {
	n, err := f.r.Read(b)
	if n > 0 && !f.done {
		f.done = true
		if f.fn != nil {
			f.fn()
		}
	}
	return n, err
}

// WAVDir "plays" each clip by writing it to a numbered WAVE file in Dir.
type WAVDir struct {
	// Dir is where the files go; it must exist.
	Dir string
	// OnWrite, if set, is told the path of each file written.
	OnWrite func(path string)

	mu sync.Mutex
	n  int
}

// Play writes clip, scaled by volume, to Dir/NNN-label.wav and returns once
// it is on disk.
func (w *WAVDir) Play(_ context.Context, clip halte.PCM, volume float64, label string) error {
	if len(clip.Samples) == 0 {
		return errors.New("audio: empty clip")
	}
	clip = clip.Scaled(volume)
	w.mu.Lock()
	w.n++
	name := filepath.Join(w.Dir, fmt.Sprintf("%03d-%s.wav", w.n, label))
	w.mu.Unlock()
	var buf bytes.Buffer
	if err := clip.WriteWAV(&buf); err != nil {
		return err
	}
	// Written aside and renamed, so that a reader never sees half a file.
	tmp := name + ".part"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("audio: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("audio: %w", err)
	}
	if w.OnWrite != nil {
		w.OnWrite(name)
	}
	return nil
}
