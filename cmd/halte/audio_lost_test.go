package main_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/audio"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// TestSoundCardLostMidClip: the sound card goes away while the agent
// speaks. The agent does not hang: the clip ends, the fault is in the log
// and the status and on the light, and the agent goes on taking documents.
func TestSoundCardLostMidClip(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	sink := testkit.PulseSink(t, audio.Rate)
	broker := mqtttest.Start(t)
	agent := startHalte(t, sink.Env, "agent", "--broker", broker.URL, "--device", "cardlost",
		"--stop", "200101", "--state-dir", t.TempDir(), "--insecure")
	c := mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "hub-like", Logger: (&testkit.Log{}).Logger()})
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	defer c.Disconnect(50)
	var status map[string]any
	statuses := make(chan map[string]any, 50)
	c.Subscribe(mqtt.DeviceStatusTopic("cardlost"), 1, func(_ paho.Client, m paho.Message) {
		var st map[string]any
		if json.Unmarshal(m.Payload(), &st) == nil {
			statuses <- st
		}
	}).Wait()
	doc := func(version uint64, text string) []byte {
		raw, _ := json.Marshal(halte.StopState{Stop: "200101", Version: version, IssuedAt: time.Now().UTC(),
			Alerts: []halte.Alert{{ID: "long", Version: version, Effect: halte.Detour, Stops: []string{"200101"}, Header: halte.Text{"nl": text}}}})
		return raw
	}
	c.Publish(mqtt.StopTopic("200101"), 1, true, doc(1, strings.Repeat("Tram 1 rijdt om via de Kouter en de Veldstraat. ", 6))).Wait()
	testkit.WaitFor(t, 30*time.Second, "the long announcement to start on the card", func() bool {
		return len(agent.log.Lines("announce")) > 0 && len(sink.Captured(t)) > audio.Rate
	})
	sink.Kill()
	defer func() {
		if t.Failed() {
			t.Logf("the agent's log:\n%s\nlast status %v", agent.log.String(), status)
		}
	}()
	testkit.WaitFor(t, 30*time.Second, "the fault reported in the status, the light at fault", func() bool {
		for {
			select {
			case st := <-statuses:
				status = st
			default:
				sig, _ := status["signal"].(map[string]any)
				return status != nil && status["audio"] != "ok" && sig["fault"] == true
			}
		}
	})
	if len(agent.log.Lines("audio device fault; the light, the screen and the log go on")) == 0 {
		t.Fatalf("no fault in the log:\n%s", agent.log.String())
	}
	c.Publish(mqtt.StopTopic("200101"), 1, true, doc(2, "Tram 1 rijdt weer normaal.")).Wait()
	testkit.WaitFor(t, 20*time.Second, "the next document taken while the card is gone", func() bool {
		for _, l := range agent.log.Lines("stop document stored") {
			if l["version"] == float64(2) {
				return true
			}
		}
		return false
	})
}
