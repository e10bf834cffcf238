package agent_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/firmware/agent/agenttest"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
	"github.com/halte-transit/halte/tts/phrases"
)

// shiftedClock is the real clock moved by an offset that a test sets.
type shiftedClock struct{ offset atomic.Int64 }

func (c *shiftedClock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *shiftedClock) set(at time.Time) { c.offset.Store(int64(time.Until(at))) }

// A press answers at once with the minute of the latest heartbeat: a
// heartbeat in a new minute has the answer synthesized ahead, so the press
// runs no synthesis.
func TestAHeartbeatInANewMinuteHasTheAnswerReadyAhead(t *testing.T) {
	broker := mqtttest.Start(t)
	var clock shiftedClock
	minute := time.Now().Truncate(time.Minute).Add(time.Hour)
	clock.set(minute.Add(5 * time.Second))
	dev := &device{agenttest.StartAt(t, agent.Config{
		Broker: agent.Brokers{broker.URL}, Device: "test-device", Stops: []string{stop},
		StartupWait: 300 * time.Millisecond, Insecure: true,
	}, clock.now)}
	hub := client(t, broker.URL, "hub-like")
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	noDisruptions := func(at time.Time) string {
		return phrases.New("nl", brussels, phrases.DefaultLexicon()).NoDisruptions(at, at)
	}
	heartbeat := func(at time.Time) {
		clock.set(at)
		publish(t, hub, mqtt.HubStatus, map[string]any{"online": true})
	}

	heartbeat(minute.Add(5 * time.Second))
	waitCached(t, dev, noDisruptions(minute))
	heartbeat(minute.Add(35 * time.Second)) // the same minute: nothing new to say
	heartbeat(minute.Add(65 * time.Second))
	next := minute.Add(time.Minute)
	waitCached(t, dev, noDisruptions(next))
	runs := dev.Engine.Runs.Load()
	dev.Press(halte.Single)
	if answer := dev.waitTrigger(t, "button", 1); answer[0] != noDisruptions(next) {
		t.Fatalf("the press said %q; want %q", answer, noDisruptions(next))
	}
	if n := dev.Engine.Runs.Load() - runs; n != 0 {
		t.Fatalf("the press synthesized %d texts; want none (the answer is ready ahead)", n)
	}
}
