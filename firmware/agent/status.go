package agent

import (
	"encoding/json"
	"math/rand/v2"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/mqtt"
)

// publishStatus hands the device's retained online status to the client.
// Each status is made and handed over under one lock, so that a status made
// earlier never reaches the broker after a newer one (a played announcement
// racing a store fault once left "store: ok" retained), and none after the
// offline status of signOff.
func (a *Agent) publishStatus(c paho.Client) {
	a.statusMu.Lock()
	defer a.statusMu.Unlock()
	a.statusDue = false
	if !a.signedOff {
		a.sendStatus(c, true)
	}
}

// statusChanged publishes the status once it has changed (or the device
// connected): at once, or with Config.StatusSpread after a random pause,
// one status for all that changed during it.
func (a *Agent) statusChanged(c paho.Client) {
	spread := a.cfg.StatusSpread
	if spread <= 0 {
		a.publishStatus(c)
		return
	}
	a.statusMu.Lock()
	defer a.statusMu.Unlock()
	if !a.statusDue {
		a.statusDue = true
		time.AfterFunc(spread/2+rand.N(spread/2+1), func() { a.publishStatus(c) })
	}
}

// signOff publishes the offline status, the device's last, if connected,
// and waits up to a second for the broker to take it.
func (a *Agent) signOff(c paho.Client) {
	a.statusMu.Lock()
	defer a.statusMu.Unlock()
	a.signedOff = true
	if c.IsConnectionOpen() {
		a.sendStatus(c, false).WaitTimeout(time.Second)
	}
}

// sendStatus hands the status to the client; the caller holds statusMu.
func (a *Agent) sendStatus(c paho.Client, online bool) paho.Token {
	return c.Publish(mqtt.DeviceStatusTopic(a.cfg.Device), 1, true, a.statusPayload(online))
}

// statusPayload is the device's retained status: whether it is online, the
// version it holds of each stop's document, the alerts it holds (by id, their
// version) and when each was last played, what its light shows, the health
// of its parts, and its counters.
func (a *Agent) statusPayload(online bool) []byte {
	a.mu.Lock()
	versions := map[string]uint64{}
	alerts := map[string]uint64{}
	announced := map[string]heard{}
	for stop, doc := range a.docs {
		versions[stop] = doc.Version
		for _, al := range doc.Alerts {
			alerts[al.ID] = al.Version
			if h, ok := a.announced[al.ID]; ok {
				announced[al.ID] = h
			}
		}
	}
	signal := a.signal
	audio, store := health(a.audioErr), health(a.storeErr)
	a.mu.Unlock()
	stats := a.Stats()
	b, _ := json.Marshal(struct {
		Online    bool                 `json:"online"`
		Device    string               `json:"device"`
		Release   string               `json:"release,omitempty"`
		Stops     []string             `json:"stops"`
		Versions  map[string]uint64    `json:"versions"`
		Alerts    map[string]uint64    `json:"alerts"`
		Announced map[string]heard     `json:"announced"`
		Signal    halte.Signal         `json:"signal"`
		Audio     string               `json:"audio"`
		Store     string               `json:"store"`
		Applied   int                  `json:"applied"`
		Rejected  map[halte.Reason]int `json:"rejected"`
		At        time.Time            `json:"at"`
	}{online, a.cfg.Device, a.deps.Release, a.cfg.Stops, versions, alerts, announced, signal, audio, store, stats.Applied, stats.Rejected, a.deps.Now().UTC()})
	return b
}

// health is a part's state in the status: "ok", or why it fails.
func health(err error) string {
	if err != nil {
		return err.Error()
	}
	return "ok"
}
