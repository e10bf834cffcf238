package agent_test

import (
	"testing"
	"time"

	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/firmware/agent/agenttest"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// A broker that keeps a device connected but stops delivering to it (here
// an ACL that denies it its stop for a while) leaves it silent: after
// HubSilence the device subscribes again and gets the document it was not
// sent, though no one publishes it again.
func TestSubscribesAgainAfterASilence(t *testing.T) {
	const open = "topic readwrite #\n"
	broker := mqtttest.StartSecured(t, mqtttest.Secured{ACL: open})
	hubLike := client(t, broker.URL, "fake-hub")
	dev := agenttest.Start(t, agent.Config{
		Broker: agent.Brokers{broker.URL}, Device: "test-device", Stops: []string{stop},
		StartupWait: 300 * time.Millisecond, Insecure: true, HubSilence: 2 * time.Second,
	})
	publish(t, hubLike, mqtt.StopTopic(stop), doc(1))
	stored := func(version uint64) []map[string]any {
		var at []map[string]any
		for _, l := range dev.Log.Lines("stop document stored") {
			if l["version"] == float64(version) {
				at = append(at, l)
			}
		}
		return at
	}
	testkit.WaitFor(t, deadline, "the first document", func() bool { return len(stored(1)) == 1 })

	broker.SetACL("topic write #\n") // the device stays connected, and is sent nothing
	publish(t, hubLike, mqtt.StopTopic(stop), doc(2))
	broker.SetACL(open)

	const again = "nothing heard from the broker though connected; subscribing again"
	testkit.WaitFor(t, deadline, "the document the broker did not send, after a silence", func() bool {
		return len(stored(2)) == 1
	})
	said := dev.Log.Lines(again)
	if len(said) == 0 {
		t.Fatalf("the device got the second document without subscribing again: the broker sent it:\n%s", dev.Log)
	}
	if n := dev.Stats().Silences; n == 0 {
		t.Fatalf("Stats.Silences is %d after a silence", n)
	}
	got, _ := time.Parse(time.RFC3339Nano, stored(2)[0]["time"].(string))
	silent, _ := time.Parse(time.RFC3339Nano, said[0]["time"].(string))
	if got.Before(silent) {
		t.Fatalf("the second document came at %v, before the device subscribed again at %v: the broker sent it", got, silent)
	}
}
