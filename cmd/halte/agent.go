package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/halte-transit/halte/device/audio"
	"github.com/halte-transit/halte/device/gpio"
	"github.com/halte-transit/halte/device/level"
	"github.com/halte-transit/halte/device/mic"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/firmware/update"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/tts"
)

func runAgent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	config := fs.String("config", "", "YAML configuration `file` (see firmware/halte.yaml); the flags below override it")
	var conn connFlags
	conn.register(fs)
	insecure := fs.Bool("insecure", false, "speak unsigned documents: closed test set-ups only")
	var hubKeys, revoked listFlag
	fs.Var(&hubKeys, "hub-keys", "a PEM `file` of the hub's public keys; only documents it signed are spoken; repeatable")
	fs.Var(&revoked, "revoke", "a key `id` no longer trusted; repeatable")
	device := fs.String("device", "", "this device's `name`; overrides the file")
	stateDir := fs.String("state-dir", "", "`folder` of the state file; overrides the file")
	httpAddr := fs.String("http", "", "serve the stop's screen at this `address` (host:port), e.g. 127.0.0.1:8080")
	session := fs.String("session", "", "what the broker keeps between connections: `kept` or none (a clean session at QoS 0, for a NATS cluster); overrides the file")
	wavDir := fs.String("wav-dir", "", "write announcements as WAV files in this `folder` instead of playing them")
	var stops, langs listFlag
	fs.Var(&stops, "stop", "a stop `id` this device speaks for; repeatable; overrides the file")
	fs.Var(&langs, "lang", "a `language` to speak (nl, fr, en, de), first is the default; repeatable; overrides the file")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	var cfg agent.Config
	if *config != "" {
		var err error
		if cfg, err = agent.LoadConfig(*config); err != nil {
			return err
		}
	}
	if len(conn.brokers) > 0 {
		cfg.Broker = agent.Brokers(conn.brokers)
	}
	if len(cfg.Broker) == 0 && os.Getenv(mqtt.BrokerEnv) != "" {
		cfg.Broker = agent.Brokers{os.Getenv(mqtt.BrokerEnv)}
	}
	override(&cfg.Username, conn.username)
	override(&cfg.PasswordFile, conn.passwordFile)
	override(&cfg.TLS.CA, conn.tls.CA)
	override(&cfg.TLS.Cert, conn.tls.Cert)
	override(&cfg.TLS.Key, conn.tls.Key)
	if len(hubKeys) > 0 {
		cfg.HubKeys = hubKeys
	}
	cfg.RevokedKeys = append(cfg.RevokedKeys, revoked...)
	cfg.Insecure = cfg.Insecure || *insecure
	override(&cfg.Device, *device)
	override(&cfg.StateDir, *stateDir)
	override(&cfg.HTTP, *httpAddr)
	override(&cfg.Session, *session)
	if len(stops) > 0 {
		cfg.Stops = stops
	}
	if len(langs) > 0 {
		cfg.Languages = langs
	}
	if *wavDir != "" {
		cfg.Audio.Output, cfg.Audio.WAVDir = "wav", *wavDir
	}
	if err := cfg.Validate(); err != nil {
		return usageError(fs, "%v", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	if os.Getenv("GOGC") == "" {
		// A stop device has little memory and much idle time: collect when
		// the heap has grown by half, not doubled (measured: 2 MB less
		// resident, no idle CPU to speak of). $GOGC still decides if set.
		debug.SetGCPercent(50)
	}
	indicator, button, err := openPins(cfg.Pins)
	if err != nil {
		return fmt.Errorf("config key pins: %w", err)
	}
	speaker, err := openSpeaker(cfg.Audio)
	if err != nil {
		return err
	}
	deps := agent.Deps{
		Engine:    tts.Espeak{Binary: cfg.Audio.Espeak, Rate: cfg.Audio.Rate, SlowRate: cfg.Audio.SlowRate},
		Speaker:   speaker,
		Chime:     audio.Chime(),
		Tick:      audio.Tick(),
		Indicator: indicator,
		Logger:    log,
		Release:   version,
	}
	if cfg.Microphone.Device != "" {
		meter := level.NewMeter(mic.Rate, cfg.Microphone.WithDefaults().Window, echoTail, time.Now)
		if m, err := mic.Open(cfg.Microphone.Device, meter.Add); err != nil {
			log.Error("microphone not opened; the volume follows the schedule alone", "err", err)
		} else {
			defer m.Close()
			deps.Ambient = meter
		}
	}
	a, err := agent.New(cfg, deps)
	if err != nil {
		return err
	}
	defer a.Close()
	go indicator.Run(ctx)
	if button != nil {
		go button.Run(ctx, a.Touch, func(e gpio.Event) { a.Press(e.Gesture) })
	}
	go func() {
		select {
		case <-a.Ready():
			confirmUpdate(cfg.StateDir, log)
			notifySystemd(ctx, a, log)
		case <-ctx.Done():
		}
	}()
	return a.Run(ctx)
}

// echoTail is how long after its own sound the device does not measure
// the street: its echo, and the microphone's buffer.
const echoTail = 500 * time.Millisecond

// confirmUpdate tells halte update that this release, if it is on trial,
// became ready: it is kept.
func confirmUpdate(stateDir string, log *slog.Logger) {
	confirmed, err := update.Confirm(stateDir, version)
	switch {
	case err != nil:
		log.Error("the update on trial cannot be confirmed; it will be rolled back", "release", version, "err", err)
	case confirmed:
		log.Info("update confirmed", "release", version)
	}
}

// openSpeaker returns the configured audio output, nil for "none".
func openSpeaker(c agent.AudioConfig) (agent.Speaker, error) {
	switch c.Output {
	case "none":
		return nil, nil
	case "wav":
		if err := os.MkdirAll(c.WAVDir, 0o755); err != nil {
			return nil, fmt.Errorf("audio.wav_dir: %w", err)
		}
		return &audio.WAVDir{Dir: c.WAVDir}, nil
	}
	return &audio.Device{}, nil // opened when the sound card is there; retried when not
}

// override sets *dst to a flag's value v, if the flag was given.
func override(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}
