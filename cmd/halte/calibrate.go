package main

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/audio"
	"github.com/halte-transit/halte/device/level"
	"github.com/halte-transit/halte/device/mic"
	"github.com/halte-transit/halte/firmware/agent"
)

// calibrate plays a test tone on the speaker while the microphone records,
// and stores in the state folder how loud the microphone hears the
// speaker, so that the agent can set speech above the street. It returns
// what it measured, in words.
func calibrate(ctx context.Context, cfg agent.Config, speaker agent.Speaker) (string, error) {
	if cfg.Microphone.Device == "" || cfg.StateDir == "" {
		return "", fmt.Errorf("%w: no microphone.device or no state_dir in the configuration", errNotChecked)
	}
	if cfg.Audio.Output == "wav" || cfg.Audio.Output == "none" {
		return "", fmt.Errorf("%w: the microphone needs the sound card (audio.output alsa) to be calibrated", errNotChecked)
	}
	var mu sync.Mutex
	var heard []int16
	m, err := mic.Open(cfg.Microphone.Device, func(s []int16) {
		mu.Lock()
		heard = append(heard, s...)
		mu.Unlock()
	})
	if err != nil {
		return "", err
	}
	defer m.Close()
	take := func() halte.PCM { // what was heard since the last take
		mu.Lock()
		defer mu.Unlock()
		p := halte.PCM{Rate: mic.Rate, Samples: heard}
		heard = nil
		return p
	}
	select { // the street alone
	case <-time.After(time.Second):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	street := level.OfClip(take())
	tone, volume := testTone(), cfg.Microphone.WithDefaults().MaxVolume
	if err := speaker.Play(ctx, tone, volume, "calibration"); err != nil {
		return "", err
	}
	got := level.OfClip(take())
	if !(got > street+10) {
		return "", fmt.Errorf("the microphone hardly heard the test tone (%.1f dB, the street %.1f dB): is it plugged in, and near the speaker?", got, street)
	}
	coupling := got - (level.OfClip(tone) + 20*math.Log10(volume))
	path, err := agent.SaveCalibration(cfg.StateDir, agent.Calibration{CouplingDB: coupling, At: time.Now().UTC()})
	if err != nil {
		return "", fmt.Errorf("microphone calibration not stored: %w", err)
	}
	return fmt.Sprintf("the speaker is heard at %+.1f dB (test tone %.1f dB over a street of %.1f dB); stored in %s", coupling, got, street, path), nil
}

// testTone is two seconds of 1 kHz at half scale, where A-weighting is 0 dB.
func testTone() halte.PCM {
	p := halte.PCM{Rate: audio.Rate, Samples: make([]int16, 2*audio.Rate)}
	for i := range p.Samples {
		p.Samples[i] = int16(0.5 * 32767 * math.Sin(2*math.Pi*1000*float64(i)/audio.Rate))
	}
	return p
}
