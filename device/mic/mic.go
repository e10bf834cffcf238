// Package mic records the street through a microphone (a USB sound card's
// input, or any ALSA capture device) with miniaudio, by way of ALSA, so that
// the same ALSA configuration that names the speaker names the microphone.
//
// miniaudio (through github.com/gen2brain/malgo) is a well-kept,
// dependency-free capture and playback library that loads libasound at run
// time; oto, which plays halte's speech, has no capture.
package mic

import (
	"encoding/binary"
	"fmt"

	"github.com/gen2brain/malgo"
)

// Rate is the sample rate at which the microphone is recorded (mono, 16 bits).
const Rate = 48000

// Mic is a microphone being recorded.
type Mic struct {
	ctx *malgo.AllocatedContext
	dev *malgo.Device
}

// Open starts recording from the ALSA capture device named by device
// ("default" for ALSA's default, else a PCM name such as "hw:1,0" or
// "plughw:CARD=Device"), and gives each block of samples, in order, to take,
// on the recording's own thread. take must return quickly.
func Open(device string, take func([]int16)) (*Mic, error) {
	ctx, err := malgo.InitContext([]malgo.Backend{malgo.BackendAlsa}, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, fmt.Errorf("microphone: %w", err)
	}
	cfg := malgo.DefaultDeviceConfig(malgo.Capture)
	cfg.Capture.Format = malgo.FormatS16
	cfg.Capture.Channels = 1
	cfg.SampleRate = Rate
	cfg.PeriodSizeInMilliseconds = 50
	if device != "default" {
		var id malgo.DeviceID
		if len(device) >= len(id) {
			return nil, fmt.Errorf("microphone %q: the name is too long", device)
		}
		copy(id[:], device)
		cfg.Capture.DeviceID = id.Pointer() // C memory, kept for the device's life
	}
	var samples []int16
	dev, err := malgo.InitDevice(ctx.Context, cfg, malgo.DeviceCallbacks{
		Data: func(_, in []byte, frames uint32) {
			samples = samples[:0]
			for i := 0; i+1 < len(in) && len(samples) < int(frames); i += 2 {
				samples = append(samples, int16(binary.LittleEndian.Uint16(in[i:])))
			}
			take(samples)
		},
	})
	if err != nil {
		ctx.Uninit()
		ctx.Free()
		return nil, fmt.Errorf("microphone %q: %w", device, err)
	}
	if err := dev.Start(); err != nil {
		dev.Uninit()
		ctx.Uninit()
		ctx.Free()
		return nil, fmt.Errorf("microphone %q: %w", device, err)
	}
	return &Mic{ctx: ctx, dev: dev}, nil
}

// Close stops the recording.
func (m *Mic) Close() {
	m.dev.Uninit()
	m.ctx.Uninit()
	m.ctx.Free()
}
