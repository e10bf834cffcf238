package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/audio"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/feeds/mqtt"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/tts"
)

// demoStop is the stop the demo's device speaks for: Gent Korenmarkt, the
// platform of tram 1 towards Evergem.
const demoStop = "200101"

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	duration := fs.Duration("for", 0, "end the demo after this `duration` (e.g. 30s); 0 means at Ctrl-C")
	wavDir := fs.String("wav-dir", "", "write each announcement as a WAV file in this `folder` instead of playing it")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	stateDir, err := os.MkdirTemp("", "halte-demo-state-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stateDir)
	speaker, err := demoSpeaker(*wavDir, stdout)
	if err != nil {
		return err
	}

	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	broker, stopBroker, err := startEmbeddedBroker()
	if err != nil {
		return err
	}
	defer stopBroker()
	fmt.Fprintf(stdout, "halte demo: broker %s, hub on a sample Ghent GTFS, device at stop %s (Gent Korenmarkt perron 1)\n", broker, demoStop)

	done := make(chan struct{}, 2)
	go func() {
		hub.Run(ctx, hub.Config{Broker: broker, Network: sample.GhentNetwork(), ClientID: "halte-demo-hub", Logger: log})
		done <- struct{}{}
	}()
	announced := make(chan agent.Announcement, 16)
	dev, err := agent.New(agent.Config{
		Broker: broker, Device: "demo", Stops: []string{demoStop}, StateDir: stateDir,
		StartupWait: time.Second,
	}, agent.Deps{
		Synth: tts.Espeak{}, Speaker: speaker, Logger: log,
		OnAnnounce: func(a agent.Announcement) { announced <- a },
	})
	if err != nil {
		return err
	}
	defer dev.Close()
	go func() {
		dev.Run(ctx)
		done <- struct{}{}
	}()

	select {
	case <-dev.Ready():
		err = demoScript(ctx, broker, log, stdout, announced)
	case <-ctx.Done():
	}
	<-ctx.Done()
	<-done
	<-done
	fmt.Fprintln(stdout, "halte demo: done")
	if err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// demoSpeaker plays on the sound card; without one, or with --wav-dir, it
// writes WAV files and says where.
func demoSpeaker(wavDir string, stdout io.Writer) (agent.Speaker, error) {
	if wavDir == "" {
		p, err := audio.Open(1)
		if err == nil {
			fmt.Fprintln(stdout, "halte demo: speaking through the sound card")
			return p, nil
		}
		if wavDir, err = os.MkdirTemp("", "halte-demo-wav-"); err != nil {
			return nil, err
		}
		fmt.Fprintf(stdout, "halte demo: no sound card (%v)\n", err)
	}
	if err := os.MkdirAll(wavDir, 0o755); err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "halte demo: writing each announcement as a WAV file in %s\n", wavDir)
	return &audio.WAVDir{Dir: wavDir, OnWrite: func(path string) { fmt.Fprintf(stdout, "          wrote %s\n", path) }}, nil
}

// demoScript plays the operator: it publishes, updates and cancels alerts,
// each step once the device has answered the previous one.
func demoScript(ctx context.Context, broker string, log *slog.Logger, stdout io.Writer, announced <-chan agent.Announcement) error {
	client := mqtt.NewClient(mqtt.Options{Broker: broker, ClientID: "halte-demo-operator", Logger: log})
	if err := mqtt.Connect(ctx, client); err != nil {
		return err
	}
	defer client.Disconnect(250)
	docs := make(chan halte.StopState, 16)
	client.Subscribe(mqtt.StopTopic(demoStop), 1, func(_ paho.Client, m paho.Message) {
		if doc, err := halte.DecodeStopState(m.Payload()); err == nil {
			docs <- doc
		}
	}).Wait()

	now := time.Now()
	if loc, err := time.LoadLocation("Europe/Brussels"); err == nil {
		now = now.In(loc) // the sample network's time zone, in which the device reads times
	}
	steps := []struct {
		say   string
		alert halte.Alert
		want  string // "announce" or "document"
	}{
		{"operator publishes: tram 1 does not stop at Korenmarkt until this evening",
			halte.Alert{ID: "demo-tram1", Effect: halte.NoService, Severity: halte.Severe,
				Lines: []halte.Line{{ID: "T1"}}, Stops: []string{demoStop},
				Periods: []halte.Period{{Start: now.Add(-time.Minute), End: eveningAfter(now)}},
				Advice:  halte.Text{"nl": "Neem tram 4 aan perron 2."}}, "announce"},
		{"operator updates it: a detour instead, with its own text",
			halte.Alert{ID: "demo-tram1", Effect: halte.Detour, Severity: halte.Warning,
				Lines:  []halte.Line{{ID: "T1"}},
				Header: halte.Text{"nl": "Tram 1 rijdt om via de Kouter en de Veldstraat.", "fr": "Le tram 1 est dévié par le Kouter."},
				Advice: halte.Text{"nl": "De halte Korenmarkt blijft bediend."}}, "announce"},
		{"operator publishes: the lift at Korenmarkt station is out of order",
			halte.Alert{ID: "demo-lift", Effect: halte.AccessibilityIssue, Stops: []string{"korenmarkt"},
				Header: halte.Text{"nl": "De lift aan de Korenmarkt is buiten dienst."}}, "announce"},
		{"operator cancels the tram 1 detour", halte.Alert{ID: "demo-tram1", Cancelled: true}, "document"},
		{"operator cancels the lift alert", halte.Alert{ID: "demo-lift", Cancelled: true}, "document"},
	}
	for i, st := range steps {
		fmt.Fprintf(stdout, "\n[%d] %s\n", i+1, st.say)
		st.alert.Version = uint64(time.Now().UnixMilli())
		st.alert.Source = "operator:demo"
		payload, _ := json.Marshal(st.alert)
		if err := mqtt.Publish(ctx, client, mqtt.OperatorAlertTopic(st.alert.ID), true, payload); err != nil {
			return err
		}
		if err := demoWait(ctx, st.want, stdout, announced, docs); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, "\nhalte demo: the script is over; the device keeps running (Ctrl-C ends it)")
	return nil
}

// demoWait prints what the device says, or the stop's new document, up to
// 30 s.
func demoWait(ctx context.Context, want string, stdout io.Writer, announced <-chan agent.Announcement, docs <-chan halte.StopState) error {
	timeout := time.After(30 * time.Second)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
			return fmt.Errorf("demo: the device did not answer within 30 s")
		case a := <-announced:
			fmt.Fprintf(stdout, "    device says (%s, %s): %s\n", a.Lang, a.Trigger, a.Text)
			if want == "announce" {
				return nil
			}
		case d := <-docs:
			fmt.Fprintf(stdout, "    hub → stop %s: version %d, %d alert(s)\n", d.Stop, d.Version, len(d.Alerts))
			if want == "document" {
				return nil
			}
		}
	}
}

func eveningAfter(t time.Time) time.Time {
	evening := time.Date(t.Year(), t.Month(), t.Day(), 20, 0, 0, 0, t.Location())
	if !evening.After(t.Add(time.Hour)) {
		evening = t.Add(3 * time.Hour).Truncate(time.Hour)
	}
	return evening
}

// startEmbeddedBroker runs a mochi-mqtt broker on a free loopback port. It
// keeps retained messages in memory, without expiry, for the demo's life.
func startEmbeddedBroker() (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := l.Addr().String()
	l.Close()
	caps := mochi.NewDefaultServerCapabilities()
	caps.MaximumMessageExpiryInterval = 0 // keep retained documents for the demo's whole life
	server := mochi.New(&mochi.Options{
		Capabilities: caps,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err := server.AddHook(new(auth.AllowHook), nil); err != nil {
		return "", nil, err
	}
	if err := server.AddListener(listeners.NewTCP(listeners.Config{ID: "demo", Address: addr})); err != nil {
		return "", nil, err
	}
	if err := server.Serve(); err != nil {
		return "", nil, err
	}
	return "tcp://" + addr, func() { server.Close() }, nil
}
