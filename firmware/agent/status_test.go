package agent_test

import (
	"testing"
	"time"

	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/firmware/agent/agenttest"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// With status_spread, what changes during the pause goes in one status:
// five documents committed in a row are reported by the first status after
// them, which holds the last.
func TestStatusSpreadSendsOneStatusForTheChangesOfAPause(t *testing.T) {
	broker := mqtttest.Start(t)
	hubLike := client(t, broker.URL, "fake-hub")
	reported := statuses(hubLike)
	agenttest.Start(t, agent.Config{
		Broker: agent.Brokers{broker.URL}, Device: "test-device", Stops: []string{stop}, StateDir: t.TempDir(),
		StartupWait: 300 * time.Millisecond, Insecure: true, StatusSpread: 2 * time.Second,
	})
	next := func() map[string]any {
		t.Helper()
		select {
		case st := <-reported:
			return st
		case <-time.After(deadline):
			t.Fatal("no status from the device")
			return nil
		}
	}
	if st := next(); st["online"] != true { // the status of its connection, after its pause
		t.Fatalf("first status %v, want online", st)
	}
	for v := uint64(1); v <= 5; v++ {
		publish(t, hubLike, mqtt.StopTopic(stop), doc(v))
	}
	if st := next(); st["versions"].(map[string]any)[stop] != float64(5) {
		t.Fatalf("the first status after five documents holds %v, want version 5", st["versions"])
	}
}
