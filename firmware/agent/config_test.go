package agent_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/firmware/agent"
)

// TestExampleConfig keeps the shipped example configuration valid.
func TestExampleConfig(t *testing.T) {
	c, err := agent.LoadConfig("../halte.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.StartupWait != 3*time.Second || c.HubSilence != 3*time.Minute || c.Stops[0] != "200101" || c.Audio.Output != "alsa" ||
		len(c.Announce.Volume.Quiet) != 0 || c.Announce.RepeatEvery != 15*time.Minute ||
		c.Pins.Button != (agent.Pin{Name: "GPIO17", ActiveLow: true}) || c.Pins.LED.Name != "GPIO27" || c.Pins.Gestures.Long != 800*time.Millisecond {
		t.Fatalf("read %+v", c)
	}
}

func TestQuietHoursFromYAML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	body := "broker: tcp://127.0.0.1:1883\ndevice: d\nstops: [s]\nstate_dir: /tmp/x\n" +
		"announce:\n  volume:\n    quiet:\n      - {from: \"23:00\", to: \"06:00\", silent: true}\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := agent.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	q := c.Announce.Volume.Quiet
	if len(q) != 1 || q[0].From != (halte.Clock{Hour: 23}) || q[0].To != (halte.Clock{Hour: 6}) || !q[0].Silent {
		t.Fatalf("read %+v", q)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(body, "23:00", "25:00", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.LoadConfig(path); err == nil || !strings.Contains(err.Error(), "not a time of day") {
		t.Fatalf("a bad time: %v", err)
	}
}

func TestBrokerIsOneURLOrAList(t *testing.T) {
	for body, want := range map[string][]string{
		"broker: tcp://127.0.0.1:1883\n":                                      {"tcp://127.0.0.1:1883"},
		"broker: [tcp://10.0.0.1:1883, tcp://10.0.0.2:1883, tcp://n3:1883]\n": {"tcp://10.0.0.1:1883", "tcp://10.0.0.2:1883", "tcp://n3:1883"},
	} {
		c, err := agent.ParseConfig([]byte(body+"device: d\nstops: [s]\nstate_dir: /tmp/x\ninsecure: true\n"), "c.yaml")
		if err != nil || !slices.Equal(c.Broker, want) || c.Validate() != nil {
			t.Errorf("%q: read %v (%v, %v), want %v", body, c.Broker, err, c.Validate(), want)
		}
	}
	c, _ := agent.ParseConfig([]byte("broker: [tcp://n1:1883, n2]\ndevice: d\nstops: [s]\nstate_dir: /tmp/x\ninsecure: true\n"), "c.yaml")
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "config key broker") || !strings.Contains(err.Error(), `"n2"`) {
		t.Errorf("a bad second broker: %v", err)
	}
}

// A silence shorter than a second would have the device subscribe again
// and again; the error names the key.
func TestHubSilenceTooShort(t *testing.T) {
	c := agent.Config{Broker: agent.Brokers{"tcp://127.0.0.1:1883"}, Device: "d", Stops: []string{"s"}, StateDir: t.TempDir(), Insecure: true}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.HubSilence = 10 * time.Millisecond
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "config key hub_silence") {
		t.Fatalf("hub_silence 10ms: %v", err)
	}
}
