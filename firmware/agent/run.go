package agent

import (
	"context"
	"encoding/json"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/mqtt"
	"github.com/halte-transit/halte/tts/phrases"
)

// Run connects to the broker and speaks until ctx ends. It keeps working,
// from its state file, while the broker is unreachable.
func (a *Agent) Run(ctx context.Context) error {
	clientID := "halte-agent-" + a.cfg.Device
	synced := make(chan struct{}, 1)
	routes := map[string]paho.MessageHandler{}
	for _, stop := range a.cfg.Stops {
		routes[mqtt.StopTopic(stop)] = func(c paho.Client, m paho.Message) {
			if err := a.HandleDocument(stop, m.Payload()); err != nil {
				return // not committed: the broker redelivers it
			}
			m.Ack() // committed, or refused for good
			c.Publish(mqtt.DeviceStatusTopic(a.cfg.Device), 1, true, a.statusPayload(true))
		}
	}
	client := mqtt.NewClient(mqtt.Options{
		Broker:      a.cfg.Broker,
		ClientID:    clientID,
		KeepSession: true,
		ManualAck:   true,
		Logger:      a.log,
		Will:        &mqtt.Will{Topic: mqtt.DeviceStatusTopic(a.cfg.Device), Payload: a.statusPayload(false)},
		OnConnect: func(c paho.Client) {
			c.Publish(mqtt.DeviceStatusTopic(a.cfg.Device), 1, true, a.statusPayload(true))
			err := mqtt.SubscribeAndSync(c, clientID, routes, func() {
				select {
				case synced <- struct{}{}:
				default:
				}
			})
			if err != nil {
				a.log.Error("agent cannot subscribe", "err", err)
			}
		},
	})
	client.Connect() // retries in the background; the device works offline meanwhile
	defer func() {
		client.Publish(mqtt.DeviceStatusTopic(a.cfg.Device), 1, true, a.statusPayload(false)).WaitTimeout(time.Second)
		client.Disconnect(250)
	}()

	spoken := make(chan struct{})
	go func() {
		defer close(spoken)
		a.speak(ctx, client)
	}()

	wait := time.NewTimer(a.cfg.StartupWait)
	defer wait.Stop()
	select {
	case <-synced:
		a.log.Info("synchronized with the broker")
	case <-wait.C:
		a.log.Warn("broker not reached; announcing the stored state", "waited", a.cfg.StartupWait.String())
	case <-ctx.Done():
	}
	a.start()
	<-ctx.Done()
	<-spoken
	return nil
}

// speak takes queued announcements one at a time: it composes the text
// now, so that times are read relative to the moment of speaking, and skips
// an alert that ended or was cancelled while it waited.
func (a *Agent) speak(ctx context.Context, client paho.Client) {
	for {
		var q queued
		select {
		case <-ctx.Done():
			return
		case q = <-a.speech:
		}
		now := a.deps.Now()
		a.mu.Lock()
		var found bool
		ann := Announcement{Stop: q.stop, Alert: q.alertID, Lang: a.lang, Trigger: q.trigger, At: now}
		for _, al := range a.docs[q.stop].Active(now) {
			if al.ID == q.alertID {
				found = true
				ann.Version = al.Version
				ann.Text = phrases.Announcement(al, a.lang, now, a.loc)
			}
		}
		a.mu.Unlock()
		if !found {
			continue
		}
		a.say(ctx, ann)
		if b, err := json.Marshal(ann); err == nil {
			client.Publish(mqtt.DeviceEventsTopic(a.cfg.Device), 1, false, b)
		}
		if a.deps.OnAnnounce != nil {
			a.deps.OnAnnounce(ann)
		}
	}
}

// say logs the announcement and plays it.
func (a *Agent) say(ctx context.Context, ann Announcement) {
	a.log.Info("announce", "alert", ann.Alert, "version", ann.Version, "lang", ann.Lang,
		"trigger", ann.Trigger, "text", ann.Text, "stop", ann.Stop)
	if a.deps.Speaker == nil {
		return
	}
	clip, err := a.deps.Synth.Synthesize(ctx, ann.Text, ann.Lang)
	if err != nil {
		a.log.Error("speech synthesis failed", "alert", ann.Alert, "err", err)
		return
	}
	if err := a.deps.Speaker.Play(ctx, clip, ann.Alert); err != nil {
		a.log.Error("audio output failed", "alert", ann.Alert, "err", err)
		return
	}
	a.log.Info("announcement played", "alert", ann.Alert, "seconds", clip.Duration().Seconds())
}

// statusPayload is the device's retained status: whether it is online, the
// version it holds of each stop's document, and its counters.
func (a *Agent) statusPayload(online bool) []byte {
	a.mu.Lock()
	versions := map[string]uint64{}
	for stop, doc := range a.docs {
		versions[stop] = doc.Version
	}
	a.mu.Unlock()
	stats := a.Stats()
	b, _ := json.Marshal(struct {
		Online   bool                 `json:"online"`
		Device   string               `json:"device"`
		Stops    []string             `json:"stops"`
		Versions map[string]uint64    `json:"versions"`
		Applied  int                  `json:"applied"`
		Ignored  int                  `json:"ignored"`
		Rejected map[halte.Reason]int `json:"rejected"`
		At       time.Time            `json:"at"`
	}{online, a.cfg.Device, a.cfg.Stops, versions, stats.Applied, stats.Ignored, stats.Rejected, a.deps.Now().UTC()})
	return b
}
