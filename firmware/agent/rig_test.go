package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/feeds/source"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/firmware/agent/agenttest"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/sign"
	"github.com/halte-transit/halte/tts"
)

// stop is the sample Ghent stop the tests' device speaks for (tram 1).
const stop = "200101"

const deadline = 20 * time.Second

// device is a running agent with its log and WAV output.
type device struct{ *agenttest.Device }

// startDevice runs an agent for stop, with its state in stateDir, speaking
// into WAV files. Its state file is checked for consistency when it stops.
func startDevice(t *testing.T, broker, stateDir string) *device {
	t.Helper()
	return &device{agenttest.Start(t, agent.Config{
		Broker: agent.Brokers{broker}, Device: "test-device", Stops: []string{stop}, StateDir: stateDir,
		StartupWait: 300 * time.Millisecond, Insecure: true,
		Announce: agent.AnnounceConfig{Coalesce: 50 * time.Millisecond, MinGap: 100 * time.Millisecond},
	})}
}

// announcements returns the alerts announced so far, with their triggers.
func (d *device) announcements() []map[string]any { return d.Log.Lines("announce") }

// waitAnnounced waits until alert has been announced n times in all.
func (d *device) waitAnnounced(t *testing.T, alert string, n int) map[string]any {
	t.Helper()
	var last map[string]any
	testkit.WaitFor(t, deadline, "announcement of "+alert, func() bool {
		count := 0
		for _, l := range d.announcements() {
			if l["alert"] == alert {
				count++
				last = l
			}
		}
		return count >= n
	})
	return last
}

// waitTrigger waits until n parts were said with trigger, and returns their texts.
func (d *device) waitTrigger(t *testing.T, trigger string, n int) []string {
	t.Helper()
	var texts []string
	testkit.WaitFor(t, deadline, "parts said with trigger "+trigger, func() bool {
		texts = nil
		for _, l := range d.announcements() {
			if l["trigger"] == trigger {
				texts = append(texts, l["text"].(string))
			}
		}
		return len(texts) >= n
	})
	return texts
}

// waitCached waits until the device's speech cache holds texts in Dutch.
func waitCached(t *testing.T, d *device, texts ...string) {
	t.Helper()
	cache, err := tts.OpenCache(tts.Espeak{}, filepath.Join(d.StateDir, "cache"), 0)
	if err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, deadline, fmt.Sprintf("%q to be synthesized ahead", texts), func() bool {
		for _, text := range texts {
			if !cache.Has(text, "nl", false) {
				return false
			}
		}
		return true
	})
}

// startHub runs a hub on the sample Ghent GTFS, with feeds if any, until
// the test ends.
func startHub(t *testing.T, broker string, feeds ...*source.Source) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	log := &testkit.Log{}
	go func() {
		defer close(done)
		err := hub.Run(ctx, hub.Config{Broker: broker, Network: sample.GhentNetwork(), ClientID: "test-hub", Logger: log.Logger(), OperatorKeys: sign.Insecure(),
			Feeds: feeds, Poll: 50 * time.Millisecond})
		if err != nil {
			t.Errorf("hub: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// client connects a plain MQTT client, as an operator or a test would.
func client(t *testing.T, broker, id string) paho.Client {
	t.Helper()
	c := mqtt.NewClient(mqtt.Options{Broker: broker, ClientID: id, Logger: (&testkit.Log{}).Logger()})
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := mqtt.Connect(ctx, c); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

// statuses subscribes c to the test device's status and hands over each
// status it reads.
func statuses(c paho.Client) <-chan map[string]any {
	out := make(chan map[string]any, 100)
	c.Subscribe(mqtt.DeviceStatusTopic("test-device"), 1, func(_ paho.Client, m paho.Message) {
		var st map[string]any
		if json.Unmarshal(m.Payload(), &st) == nil {
			out <- st
		}
	}).Wait()
	return out
}

func publish(t *testing.T, c paho.Client, topic string, v any) {
	t.Helper()
	raw, ok := v.([]byte)
	if !ok {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := mqtt.Publish(ctx, c, topic, true, raw); err != nil {
		t.Fatal(err)
	}
}

// watchStop records the stop documents the broker delivers for stop.
func watchStop(t *testing.T, c paho.Client) func() []halte.StopState {
	t.Helper()
	docs := make(chan halte.StopState, 100)
	if tok := c.Subscribe(mqtt.StopTopic(stop), 1, func(_ paho.Client, m paho.Message) {
		if d, err := halte.DecodeStopState(m.Payload()); err == nil {
			docs <- d
		}
	}); !tok.WaitTimeout(deadline) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	var seen []halte.StopState
	return func() []halte.StopState {
		for {
			select {
			case d := <-docs:
				seen = append(seen, d)
			default:
				return seen
			}
		}
	}
}

// wavStats reads a WAV file the device wrote: its length and peak.
func wavStats(t *testing.T, path string) (time.Duration, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pcm, err := halte.ReadWAV(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	peak := 0
	for _, s := range pcm.Samples {
		peak = max(peak, abs(int(s)))
	}
	return pcm.Duration(), peak
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// waitWAVs waits until the device has written n WAV files of speech (the
// chime aside), and returns them.
func (d *device) waitWAVs(t *testing.T, n int) []string {
	t.Helper()
	var files []string
	testkit.WaitFor(t, deadline, "speech written as WAV", func() bool {
		all, _ := filepath.Glob(filepath.Join(d.WAVDir, "*.wav"))
		files = nil
		for _, f := range all {
			if !strings.HasSuffix(f, "-chime.wav") {
				files = append(files, f)
			}
		}
		return len(files) >= n
	})
	if len(files) != n {
		t.Fatalf("want %d WAV files, got %v", n, files)
	}
	return files
}
