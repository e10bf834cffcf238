package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/level"
	"github.com/halte-transit/halte/internal/durable"
)

// Ambient is the street's level, measured by a microphone between the
// device's own sounds (a *level.Meter).
type Ambient interface {
	// Level is the equivalent level of the last seconds, in dBFS
	// (A-weighted), and false while it is not known yet.
	Level() (float64, bool)
	// Hold stops measuring while the device plays; Release measures again.
	Hold()
	Release()
}

// CalibrationFile, in the state folder, holds what halte selftest measured
// of the speaker as the microphone hears it.
const CalibrationFile = "microphone.json"

// Calibration is how loud the microphone hears the speaker.
type Calibration struct {
	// CouplingDB is the level at the microphone minus the level fed to the
	// speaker, for the same sound.
	CouplingDB float64   `json:"coupling_db"`
	At         time.Time `json:"at"`
}

// SaveCalibration writes c into the state folder dir, durably, and returns
// the file's path.
func SaveCalibration(dir string, c Calibration) (string, error) {
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, CalibrationFile)
	return path, durable.WriteFile(path, raw, 0o644)
}

// loadCalibration reads the calibration from the state folder; without
// one, the microphone is taken to hear the speaker at 0 dB.
func (a *Agent) loadCalibration() {
	raw, err := os.ReadFile(filepath.Join(a.cfg.StateDir, CalibrationFile))
	if errors.Is(err, os.ErrNotExist) {
		a.log.Warn("microphone not calibrated: run halte selftest --config with this configuration; taking 0 dB from speaker to microphone")
		return
	}
	var c Calibration
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil {
		a.log.Error("microphone calibration unreadable; taking 0 dB from speaker to microphone", "err", fmt.Errorf("%s: %w", CalibrationFile, err))
		return
	}
	a.coupling = c.CouplingDB
}

// heard is the volume at which clip is played: with a microphone, speech
// stands the margin above the street, within the configured bounds and
// never above the volume the schedule gives for now. Each choice but the
// locator's is logged.
func (a *Agent) heard(clip halte.PCM, volume float64, label string) float64 {
	if a.deps.Ambient == nil || volume == 0 {
		return volume
	}
	street, ok := a.deps.Ambient.Level()
	if !ok {
		return volume
	}
	m := a.cfg.Microphone
	v := min(volume, max(m.MinVolume, min(m.MaxVolume, level.Volume(level.OfClip(clip), street, a.coupling, m.MarginDB))))
	if label != "locator" {
		a.log.Info("volume set by the street", "label", label, "street_db", math.Round(max(street, -120)*10)/10, "volume", math.Round(v*1000)/1000)
	}
	return v
}

// streetLoop logs the street's level each time it changes by 3 dB or more.
func (a *Agent) streetLoop(ctx context.Context) {
	if a.deps.Ambient == nil {
		return
	}
	said := math.NaN()
	every(ctx, time.Second, func() {
		db, ok := a.deps.Ambient.Level()
		if ok && !(math.Abs(db-said) < 3) && !(math.IsInf(db, -1) && math.IsInf(said, -1)) {
			said = db
			a.log.Info("street level", "db", math.Round(max(db, -120)*10)/10)
		}
	})
}

// locatorLoop plays the locator tick every period, on its own schedule,
// unless the device is speaking.
func (a *Agent) locatorLoop(ctx context.Context, v *voice) {
	l := a.cfg.Locator
	if l.Every <= 0 || len(a.deps.Tick.Samples) == 0 {
		return
	}
	every(ctx, l.Every, func() {
		volume, silent := l.Volume.At(a.deps.Now().In(a.rules.Location))
		if !silent && volume > 0 && !v.busy.Load() {
			a.play(ctx, a.deps.Tick, volume, "locator")
		}
	})
}
