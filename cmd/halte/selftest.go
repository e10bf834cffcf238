package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	pgpio "periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/audio"
	"github.com/halte-transit/halte/device/gpio"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/tts"
)

// runSelftest checks the device's parts one by one and says what worked.
func runSelftest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("selftest", flag.ContinueOnError)
	config := fs.String("config", "", "the agent's YAML configuration `file`: its pins and audio are tested")
	simulate := fs.Bool("sim", false, "test with simulated pins and speaker (a machine without a Pi's hardware)")
	buttonWait := fs.Duration("button-wait", 5*time.Second, "how long to wait for a press on the real button")
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
	lang := "nl"
	if len(cfg.Languages) > 0 {
		lang = cfg.Languages[0]
	}
	faults := 0
	report := func(part string, err error, ok string) {
		switch {
		case errors.Is(err, errNotChecked) && err != errNotChecked:
			fmt.Fprintf(stdout, "%-10s %v\n", part, err)
		case errors.Is(err, errNotChecked):
			fmt.Fprintf(stdout, "%-10s not checked: %s\n", part, ok)
		case err != nil:
			faults++
			fmt.Fprintf(stdout, "%-10s FAULT: %v\n", part, err)
		default:
			fmt.Fprintf(stdout, "%-10s ok: %s\n", part, ok)
		}
	}

	clip, err := tts.Espeak{Binary: cfg.Audio.Espeak}.Synthesize(ctx, "Dit is een test van halte.", lang, false)
	report("speech", err, "espeak-ng speaks "+lang)
	speaker, done, err := selftestSpeaker(cfg.Audio, *simulate)
	if err == nil {
		defer done()
		err = playTest(ctx, speaker, clip)
	}
	report("audio", err, "the chime and a test sentence played")
	if cfg.Microphone.Device != "" && !*simulate && speaker != nil {
		said, err := calibrate(ctx, cfg, speaker)
		report("microphone", err, said)
	}

	ind, button, err := selftestPins(cfg.Pins, *simulate)
	if err != nil {
		report("pins", err, "")
		return selftestResult(faults)
	}
	report("light", blinkTest(ctx, ind), "blinked")
	report("vibration", pulseTest(ind), "pulsed")
	report("button", pressTest(ctx, button, *simulate, *buttonWait), "a press was read")
	return selftestResult(faults)
}

var errNotChecked = errors.New("not checked")

func selftestResult(faults int) error {
	if faults > 0 {
		return fmt.Errorf("self-test: %d fault(s)", faults)
	}
	return nil
}

// selftestSpeaker opens the configured audio output, or a simulated one;
// errNotChecked when there is none.
func selftestSpeaker(c agent.AudioConfig, simulate bool) (agent.Speaker, func(), error) {
	switch {
	case simulate:
		dir, err := os.MkdirTemp("", "halte-selftest-")
		if err != nil {
			return nil, nil, err
		}
		return &audio.WAVDir{Dir: dir}, func() { os.RemoveAll(dir) }, nil
	case c.Output == "none":
		return nil, nil, errNotChecked
	}
	s, err := openSpeaker(c)
	return s, func() {}, err
}

// playTest plays the chime and the test sentence.
func playTest(ctx context.Context, speaker agent.Speaker, clip halte.PCM) error {
	if len(clip.Samples) == 0 {
		return errors.New("no test sentence to play")
	}
	if err := speaker.Play(ctx, audio.Chime(), 1, "chime"); err != nil {
		return err
	}
	return speaker.Play(ctx, clip, 1, "test")
}

// selftestPins opens the configured pins, or simulated ones.
func selftestPins(p agent.Pins, simulate bool) (*gpio.Indicator, *gpio.Button, error) {
	if !simulate {
		return openPins(p)
	}
	led, motor := &gpiotest.Pin{N: "LED"}, &gpiotest.Pin{N: "MOTOR"}
	button := &gpiotest.Pin{N: "BUTTON", EdgesChan: make(chan pgpio.Level, 4)}
	return &gpio.Indicator{LED: led, Motor: motor}, &gpio.Button{Pin: button}, nil
}

// blinkTest shows a severe alert for a second and watches the LED change.
func blinkTest(ctx context.Context, ind *gpio.Indicator) error {
	led, ok := ind.LED.(pgpio.PinIO)
	if !ok || ind.LED == pgpio.INVALID {
		return errNotChecked
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { ind.Run(ctx); close(done) }()
	ind.Show(halte.Signal{Alerts: 1, Severity: halte.Severe})
	changes, last := 0, led.Read()
	for tick := time.NewTicker(20 * time.Millisecond); ctx.Err() == nil; <-tick.C {
		if l := led.Read(); l != last {
			changes, last = changes+1, l
		}
	}
	<-done
	if changes < 3 {
		return fmt.Errorf("the LED changed %d times in a second, want a blink every 150 ms", changes)
	}
	return nil
}

// pulseTest runs the motor once and watches it start and stop.
func pulseTest(ind *gpio.Indicator) error {
	motor, ok := ind.Motor.(pgpio.PinIO)
	if !ok || ind.Motor == pgpio.INVALID {
		return errNotChecked
	}
	on := pgpio.Level(!ind.MotorActiveLow)
	ind.Acknowledge()
	if motor.Read() != on {
		return errors.New("the motor did not start")
	}
	deadline := time.Now().Add(time.Second)
	for motor.Read() == on {
		if time.Now().After(deadline) {
			return errors.New("the motor did not stop")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// pressTest reads the button: a simulated traveler presses it, or the test
// waits for a real one.
func pressTest(ctx context.Context, b *gpio.Button, simulate bool, wait time.Duration) error {
	if b == nil {
		return errNotChecked
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	got := make(chan halte.Gesture, 1)
	go b.Run(ctx, func() {}, func(e gpio.Event) { got <- e.Gesture })
	if simulate {
		pin := b.Pin.(*gpiotest.Pin)
		time.AfterFunc(100*time.Millisecond, func() { pin.EdgesChan <- pgpio.High })
		time.AfterFunc(250*time.Millisecond, func() { pin.EdgesChan <- pgpio.Low })
	}
	select {
	case <-got:
		return nil
	case <-ctx.Done():
		if simulate {
			return errors.New("the simulated press was not read")
		}
		return fmt.Errorf("%w: no press in %s; press the button during the test", errNotChecked, wait)
	}
}
