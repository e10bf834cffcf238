package agent_test

import (
	"fmt"
	"testing"

	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// A broker that subscribes the device without the retained document of a
// stop whose document the device holds (nats-server does when JetStream is
// slow) is asked again, until it sends it.
func TestAsksAgainForADocumentTheBrokerDidNotSend(t *testing.T) {
	broker := mqtttest.Start(t)
	state := t.TempDir()
	hubLike := client(t, broker.URL, "fake-hub")
	first := startDevice(t, broker.URL, state)
	held := doc(10, alert("a", "Omleiding a."))
	publish(t, hubLike, mqtt.StopTopic(stop), held)
	first.waitAnnounced(t, "a", 1)
	first.Stop()

	publish(t, hubLike, mqtt.StopTopic(stop), []byte{}) // the broker no longer sends the stop's document
	dev := startDevice(t, broker.URL, state)
	testkit.WaitFor(t, deadline, "the device to subscribe to its stop again", func() bool {
		return len(dev.Log.Lines("the broker sent no document for stops whose document this device holds; subscribing to them again")) > 0
	})
	if got := dev.Log.Lines("the broker sent no document for stops whose document this device holds; subscribing to them again")[0]; fmt.Sprint(got["stops"]) != "["+stop+"]" {
		t.Fatalf("asked again for %v, want [%s]", got["stops"], stop)
	}

	publish(t, hubLike, mqtt.StopTopic(stop), held) // the broker holds it again
	testkit.WaitFor(t, deadline, "the document, from the subscription made again", func() bool {
		return len(dev.Log.Lines("the broker has sent the stops' documents")) == 1
	})
}
