package agent_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// TestDiskFull: the disk under the state file fills up. The agent keeps
// speaking its last committed state, reports the store fault in its status
// and on the light, does not take what it could not commit, and commits it
// by itself once there is space again.
func TestDiskFull(t *testing.T) {
	disk := testkit.SmallDisk(t, 1<<20)
	broker := mqtttest.Start(t)
	dev := startDevice(t, broker.URL, disk)
	defer func() {
		if t.Failed() {
			t.Logf("the agent's log:\n%s", dev.Log)
		}
	}()
	hubLike := client(t, broker.URL, "fake-hub")
	var mu sync.Mutex
	var status struct {
		Store    string            `json:"store"`
		Signal   halte.Signal      `json:"signal"`
		Versions map[string]uint64 `json:"versions"`
	}
	hubLike.Subscribe(mqtt.DeviceStatusTopic("test-device"), 1, func(_ paho.Client, m paho.Message) {
		mu.Lock()
		defer mu.Unlock()
		json.Unmarshal(m.Payload(), &status)
	}).Wait()
	publish(t, hubLike, mqtt.StopTopic(stop), doc(10, alert("a", "Omleiding a.")))
	dev.waitAnnounced(t, "a", 1)

	free := testkit.FillDisk(t, disk)
	big := alert("b", "Omleiding b. "+strings.Repeat("Neem de bus aan de overkant. ", 8000))
	publish(t, hubLike, mqtt.StopTopic(stop), doc(11, big))
	testkit.WaitFor(t, deadline, "the store fault in the status and on the light", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return status.Store != "ok" && status.Store != "" && status.Signal.Fault
	})
	if len(dev.Log.Lines("state file write failed; the document is not acknowledged, and committed once the file can be written")) == 0 {
		t.Fatalf("no log line of the failed commit:\n%s", dev.Log)
	}
	dev.Press(halte.Single)
	if answer := dev.waitTrigger(t, "button", 2); !strings.Contains(strings.Join(answer, " "), "Omleiding a.") {
		t.Fatalf("with the disk full a press said %q, want the last committed state", answer)
	}

	free()
	testkit.WaitFor(t, deadline, "the document committed once there is space", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return status.Versions[stop] == 11 && status.Store == "ok" && !status.Signal.Fault
	})
}
