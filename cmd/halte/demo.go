//go:build !device

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
	"path/filepath"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/api"
	"github.com/halte-transit/halte/device/audio"
	"github.com/halte-transit/halte/device/sim"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/sign"
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
	keys, err := demoKeys(stateDir)
	if err != nil {
		return err
	}
	broker, stopBroker, err := startEmbeddedBroker()
	if err != nil {
		return err
	}
	defer stopBroker()
	screen, err := freeAddress()
	if err != nil {
		return err
	}
	apiAddr, err := freeAddress()
	if err != nil {
		return err
	}
	net := sample.GhentNetwork()
	loc, err := zoneOf("", net)
	if err != nil {
		return err
	}
	open, err := api.New(api.Config{Network: net, Documents: keys.hub.Verifier(), Languages: []string{"nl", "fr"}, Location: loc, Logger: log})
	if err != nil {
		return err
	}
	if err := serveAPI(ctx, apiAddr, open); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "halte demo: broker %s, hub on a sample Ghent GTFS, device at stop %s (Gent Korenmarkt perron 1)\n", broker, demoStop)
	fmt.Fprintf(stdout, "halte demo: keys made for the demo: operator %s signs alerts, hub %s signs stop documents\n", keys.operator.ID(), keys.hub.ID())
	fmt.Fprintf(stdout, "halte demo: the stop's screen, with its light and vibration: http://%s/\n", screen)
	fmt.Fprintf(stdout, "halte demo: the open API for apps: http://%s/ (try http://%s/v1/stops/%s?lang=nl,fr or the example app http://%s/example?stop=%s)\n",
		apiAddr, apiAddr, demoStop, apiAddr, demoStop)

	done := make(chan struct{}, 2)
	go func() {
		hub.Run(ctx, hub.Config{Broker: broker, Network: net, ClientID: "halte-demo-hub", Logger: log,
			OperatorKeys: keys.operators, Key: keys.hub, Observe: open.Observe})
		done <- struct{}{}
	}()
	announced, stored := make(chan agent.Announcement, 16), make(chan halte.StopState, 16)
	dev, err := agent.New(agent.Config{
		Broker: agent.Brokers{broker}, Device: "demo", Stops: []string{demoStop}, StateDir: stateDir,
		Languages: []string{"nl", "fr"}, StartupWait: time.Second, HubKeys: []string{keys.hubPublic}, HTTP: screen,
		// Faster than at a real stop, so that the demo shows a repeat.
		Announce: agent.AnnounceConfig{Coalesce: 500 * time.Millisecond, MinGap: 2 * time.Second, RepeatEvery: 5 * time.Second},
	}, agent.Deps{
		Engine: tts.Espeak{}, Speaker: speaker, Chime: audio.Chime(), Logger: log,
		Indicator:  &sim.Terminal{Out: stdout},
		OnAnnounce: func(a agent.Announcement) { announced <- a },
		OnStored:   func(d halte.StopState) { stored <- d },
	})
	if err != nil {
		return err
	}
	defer dev.Close()
	go func() {
		dev.Run(ctx)
		done <- struct{}{}
	}()
	go sim.Keyboard(ctx, os.Stdin, dev.Touch, dev.Press)
	fmt.Fprintln(stdout, "halte demo: you are the traveler too: Enter is a single press on the button, d and Enter a double, l and Enter a long one")

	select {
	case <-dev.Ready():
		w := demoWaiter{ctx: ctx, out: stdout, announced: announced, docs: stored}
		if err = demoScript(ctx, broker, keys, dev, log, w); err == nil {
			w.follow()
		}
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
		err := audio.Probe()
		if err == nil {
			fmt.Fprintln(stdout, "halte demo: speaking through the sound card")
			return &audio.Device{}, nil
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

// demoScript plays the operator and a traveler: it publishes, updates and
// cancels alerts and presses the button, each step once the device has
// answered the previous one (said it, or committed the hub's document).
func demoScript(ctx context.Context, broker string, keys demoKeyring, dev *agent.Agent, log *slog.Logger, w demoWaiter) error {
	client := mqtt.NewClient(mqtt.Options{Broker: broker, ClientID: "halte-demo-operator", Logger: log})
	if err := mqtt.Connect(ctx, client); err != nil {
		return err
	}
	defer client.Disconnect(250)

	now := time.Now()
	if loc, err := time.LoadLocation("Europe/Brussels"); err == nil {
		now = now.In(loc) // the sample network's time zone, in which the device reads times
	}
	tram1 := halte.Alert{ID: "demo-tram1", Effect: halte.NoService, Severity: halte.Severe,
		Lines: []halte.Line{{ID: "T1"}}, Stops: []string{demoStop},
		Periods: []halte.Period{{Start: now.Add(-time.Minute), End: eveningAfter(now)}},
		Advice:  halte.Text{"nl": "Neem tram 4 aan perron 2.", "fr": "Prenez le tram 4 au quai 2."}}
	lift := halte.Alert{ID: "demo-lift", Effect: halte.AccessibilityIssue, Stops: []string{"korenmarkt"},
		Header: halte.Text{"nl": "De lift aan de Korenmarkt is buiten dienst.", "fr": "L'ascenseur du Korenmarkt est hors service."}}
	detour := tram1
	detour.Effect, detour.Severity, detour.Stops = halte.Detour, halte.Warning, nil
	detour.Header = halte.Text{"nl": "Tram 1 rijdt om via de Kouter en de Veldstraat.", "fr": "Le tram 1 est dévié par le Kouter."}
	detour.Advice = halte.Text{"nl": "De halte Korenmarkt blijft bediend.", "fr": "L'arrêt Korenmarkt reste desservi."}

	publish := func(a halte.Alert) error {
		a.Version, a.Source = uint64(time.Now().UnixMilli()), "operator:demo"
		payload, _ := json.Marshal(a)
		signed, err := keys.operator.Sign(payload)
		if err != nil {
			return err
		}
		return mqtt.Publish(ctx, client, mqtt.OperatorAlertTopic(a.ID), true, signed)
	}
	press := func(g halte.Gesture) error {
		dev.Touch()
		dev.Press(g)
		return nil
	}
	cancel := func(id string) error { return publish(halte.Alert{ID: id, Cancelled: true}) }
	steps := []struct {
		say  string
		do   func() error
		want halte.Trigger // the utterance to wait for; "" means the stop's next document
	}{
		{"operator publishes: tram 1 does not stop at Korenmarkt until this evening", func() error { return publish(tram1) }, halte.TriggerNew},
		{"a traveler presses the button", func() error { return press(halte.Single) }, halte.TriggerButton},
		{"operator publishes: the lift at Korenmarkt station is out of order", func() error { return publish(lift) }, halte.TriggerNew},
		{"time passes: the stop repeats what is wrong", func() error { return nil }, halte.TriggerRepeat},
		{"the traveler presses twice: again, slower", func() error { return press(halte.Double) }, halte.TriggerSlower},
		{"the traveler presses long: the next language", func() error { return press(halte.Long) }, halte.TriggerLanguage},
		{"the traveler presses the button", func() error { return press(halte.Single) }, halte.TriggerButton},
		{"operator updates tram 1: a detour instead, with its own text", func() error { return publish(detour) }, halte.TriggerChanged},
		{"operator cancels the tram 1 detour", func() error { return cancel("demo-tram1") }, ""},
		{"operator cancels the lift alert", func() error { return cancel("demo-lift") }, ""},
		{"the traveler presses long: back to Dutch", func() error { return press(halte.Long) }, halte.TriggerLanguage},
		{"the traveler presses the button", func() error { return press(halte.Single) }, halte.TriggerButton},
	}
	for i, st := range steps {
		fmt.Fprintf(w.out, "\n[%d] %s\n", i+1, st.say)
		if err := st.do(); err != nil {
			return err
		}
		if err := w.wait(st.want); err != nil {
			return err
		}
	}
	fmt.Fprintln(w.out, "\nhalte demo: the script is over; the device keeps running (Ctrl-C ends it)")
	return nil
}

// demoWaiter prints what the device says and the hub's documents it commits.
type demoWaiter struct {
	ctx       context.Context
	out       io.Writer
	announced <-chan agent.Announcement
	docs      <-chan halte.StopState
}

// follow prints until the demo ends, for a traveler at the keyboard.
func (w demoWaiter) follow() {
	for {
		select {
		case <-w.ctx.Done():
			return
		case a := <-w.announced:
			w.said(a)
		case d := <-w.docs:
			w.stored(d)
		}
	}
}

func (w demoWaiter) said(a agent.Announcement) {
	fmt.Fprintf(w.out, "    device says (%s, %s): %s\n", a.Lang, a.Trigger, a.Text)
}

func (w demoWaiter) stored(d halte.StopState) {
	fmt.Fprintf(w.out, "    hub → stop %s: version %d, %d alert(s)\n", d.Stop, d.Version, len(d.Alerts))
}

// wait prints until the device has said the last part of an utterance with
// trigger want (or, with want "", until it has committed the stop's next
// document), up to 60 s.
func (w demoWaiter) wait(want halte.Trigger) error {
	timeout := time.After(60 * time.Second)
	for {
		select {
		case <-w.ctx.Done():
			return w.ctx.Err()
		case <-timeout:
			return fmt.Errorf("demo: the device did not answer within 60 s")
		case a := <-w.announced:
			w.said(a)
			if a.Trigger == want && a.Last {
				return nil
			}
		case d := <-w.docs:
			w.stored(d)
			if want == "" {
				return nil
			}
		}
	}
}

// demoKeyring is what the demo signs and checks with.
type demoKeyring struct {
	hub, operator *sign.Signer
	hubPublic     string // file
	operators     *sign.Verifier
}

// demoKeys generates the hub's and an operator's key pairs in dir, as
// "halte keys gen" would, so that the demo runs signed like a real set-up.
func demoKeys(dir string) (demoKeyring, error) {
	var k demoKeyring
	for _, name := range []string{"hub", "operator"} {
		if _, err := sign.Generate(filepath.Join(dir, name)); err != nil {
			return k, err
		}
	}
	var err error
	if k.hub, err = sign.LoadSigner(filepath.Join(dir, "hub.key")); err != nil {
		return k, err
	}
	if k.operator, err = sign.LoadSigner(filepath.Join(dir, "operator.key")); err != nil {
		return k, err
	}
	k.hubPublic = filepath.Join(dir, "hub.pub")
	k.operators, err = sign.LoadVerifier([]string{filepath.Join(dir, "operator.pub")}, nil)
	return k, err
}

func eveningAfter(t time.Time) time.Time {
	evening := time.Date(t.Year(), t.Month(), t.Day(), 20, 0, 0, 0, t.Location())
	if !evening.After(t.Add(time.Hour)) {
		evening = t.Add(3 * time.Hour).Truncate(time.Hour)
	}
	return evening
}

// freeAddress finds a free loopback port.
func freeAddress() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startEmbeddedBroker runs a mochi-mqtt broker on a free loopback port. It
// keeps retained messages in memory, without expiry, for the demo's life.
func startEmbeddedBroker() (string, func(), error) {
	addr, err := freeAddress()
	if err != nil {
		return "", nil, err
	}
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
