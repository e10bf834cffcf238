package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/kiosk"
	"github.com/halte-transit/halte/mqtt"
)

// Run connects to the broker and speaks until ctx ends. It keeps working,
// from its state file, while the broker is unreachable.
func (a *Agent) Run(ctx context.Context) error {
	clientID := "halte-agent-" + a.cfg.Device
	synced := make(chan struct{}, 1)
	// Only the stops' documents are kept for the device while it is away
	// (QoS 1, unless the session is none); the hub's status and triggers
	// matter only when they happen.
	kept := a.cfg.Session != "none"
	docQoS := byte(0)
	if kept {
		docQoS = 1
	}
	routes := map[string]mqtt.Route{
		mqtt.HubStatus: {QoS: 0, Handle: func(_ paho.Client, m paho.Message) {
			var st struct{ Online bool }
			if json.Unmarshal(m.Payload(), &st) == nil && st.Online {
				a.contact(false)
			}
		}},
	}
	onSynced := func() {
		select {
		case synced <- struct{}{}:
		default:
		}
	}
	uncommitted := newPending()
	for _, stop := range a.cfg.Stops {
		routes[mqtt.StopTopic(stop)] = mqtt.Route{QoS: docQoS, Handle: func(c paho.Client, m paho.Message) {
			if len(m.Payload()) > 0 { // an empty one clears the retained document, it is none
				a.arrivals.arrived(stop)
			}
			uncommitted.put(stop, m)
			a.commit(c, uncommitted)
		}}
		routes[mqtt.TriggerTopic(stop)] = mqtt.Route{QoS: 0, Handle: func(_ paho.Client, _ paho.Message) {
			a.log.Info("remote trigger", "stop", stop)
			a.event(halte.Event{Kind: halte.RemoteTrigger})
		}}
	}
	for topic, r := range routes {
		handle := r.Handle
		r.Handle = func(c paho.Client, m paho.Message) {
			a.silence.heard(m.Retained())
			handle(c, m)
		}
		routes[topic] = r
	}
	tlsConfig, err := a.cfg.TLS.Config()
	if err != nil {
		return fmt.Errorf("config key tls: %w", err)
	}
	password, err := mqtt.ReadPassword(a.cfg.PasswordFile)
	if err != nil {
		return fmt.Errorf("config key password_file: %w", err)
	}
	client := mqtt.NewClient(mqtt.Options{
		Broker:      a.cfg.Broker[0],
		Fallback:    a.cfg.Broker[1:],
		ClientID:    clientID,
		Username:    a.cfg.Username,
		Password:    password,
		TLS:         tlsConfig,
		KeepSession: kept,
		ManualAck:   true,
		Redialled:   true, // KeepDialling connects, and again after a loss, with growing pauses
		Logger:      a.log,
		Will:        &mqtt.Will{Topic: mqtt.DeviceStatusTopic(a.cfg.Device), Payload: a.statusPayload(false)},
		OnConnect: func(c paho.Client) {
			a.mu.Lock()
			a.stats.Connects++
			a.mu.Unlock()
			a.silence.restart()
			a.statusChanged(c)
			a.subscribe(c, clientID, routes, resubscribeFirst, onSynced)
		},
	})
	a.mu.Lock()
	a.healthSent = func() { a.statusChanged(client) }
	a.mu.Unlock()
	go a.watchAudio(ctx, 2*time.Second)
	go a.retryCommits(ctx, client, uncommitted, 2*time.Second)
	go mqtt.KeepDialling(ctx, client) // the device works offline meanwhile
	go a.watchSilence(ctx, client, func() { a.subscribe(client, clientID, routes, resubscribeFirst, onSynced) })
	defer func() {
		a.signOff(client)
		client.Disconnect(250)
	}()

	if a.cfg.HTTP != "" {
		if err := a.serveScreen(ctx); err != nil {
			return err
		}
	}
	// The device answers a press at once from its state file; what it says
	// by itself waits until the broker has delivered its retained
	// documents, or StartupWait has passed, so that it never announces an
	// alert cancelled while it was off.
	v := newVoice()
	loops := []func(){
		func() { a.speakLoop(ctx, v, client) },
		func() { a.prepareLoop(ctx) },
		func() { a.policyLoop(ctx, v) },
		func() { a.streetLoop(ctx) },
		func() { a.locatorLoop(ctx, v) },
	}
	done := make(chan struct{}, len(loops))
	for _, loop := range loops {
		go func() { loop(); done <- struct{}{} }()
	}
	wait := time.NewTimer(a.cfg.StartupWait)
	defer wait.Stop()
	select {
	case <-synced:
		a.log.Info("synchronized with the broker")
		a.event(halte.Event{Kind: halte.Synced})
	case <-wait.C:
		a.log.Warn("broker not reached; announcing the stored state", "waited", a.cfg.StartupWait.String())
	case <-ctx.Done():
	}
	for range loops {
		<-done
	}
	return nil
}

// serveScreen serves the stop's screen on cfg.HTTP until ctx ends.
func (a *Agent) serveScreen(ctx context.Context) error {
	l, err := net.Listen("tcp", a.cfg.HTTP)
	if err != nil {
		return fmt.Errorf("config key http: %w", err)
	}
	srv := &http.Server{Handler: kiosk.New(a), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	a.log.Info("screen served", "url", "http://"+l.Addr().String()+"/")
	return nil
}
