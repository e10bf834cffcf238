package main_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte/internal/faults"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/natstest"
)

// TestOnANATSCluster runs the real hub and agents on a 3-node NATS
// cluster, each client given the three nodes in the same order (each tries
// them in its own, mqtt.NodeOrder), a device on each node, two with kept
// sessions and one without (--session none): an alert reaches agents on
// every node; a node killed with SIGKILL during an update, then
// restarted, leaves every agent with the latest documents; a cancelled
// alert is not spoken after its cancel was committed; and a restart of the
// whole cluster keeps the retained documents for a device that starts
// afresh.
// After a node's loss nats-server 2.9 refuses every MQTT connection
// until the MQTT streams have new leaders, which takes up to about 20 s
// on this machine: halte alert's --wait covers it.
func TestOnANATSCluster(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	cluster := natstest.Start(t)
	n := cluster.URLs
	keys := t.TempDir()
	for _, name := range []string{"hub", "operator"} {
		if r := runHalte(t, nil, "keys", "gen", "--out", filepath.Join(keys, name)); r.code != 0 {
			t.Fatalf("keys gen: %s", r.stderr)
		}
	}
	brokers := []string{"--broker", n[0], "--broker", n[1], "--broker", n[2]} // every client, as a region's configuration does
	hub := startHalte(t, nil, append([]string{"hub", "--gtfs", sampleGTFS, "--key", filepath.Join(keys, "hub.key"),
		"--operator-keys", filepath.Join(keys, "operator.pub")}, brokers...)...)
	agent := func(device, stop string, more ...string) *process {
		return startHalte(t, nil, append(append([]string{"agent", "--device", device, "--stop", stop, "--state-dir", t.TempDir(),
			"--hub-keys", filepath.Join(keys, "hub.pub"), "--wav-dir", t.TempDir()}, brokers...), more...)...)
	}
	onNode := func(node int, name string) string { // a device name whose agent tries node first
		for i := 0; ; i++ {
			if d := fmt.Sprintf("%s-%d", name, i); mqtt.NodeOrder(n, "halte-agent-"+d)[0] == n[node] {
				return d
			}
		}
	}
	// Two devices with kept sessions, one with none (QoS 0, the retained
	// documents of each connection): the same guarantees.
	devices := []*process{agent(onNode(1, "kept"), "200101"), agent(onNode(2, "kept"), "200501"), agent(onNode(0, "clean"), "200401", "--session", "none")}
	publish := func(args ...string) {
		t.Helper()
		r := runHalte(t, nil, append(append([]string{"alert", args[0], "--key", filepath.Join(keys, "operator.key")}, brokers...), args[1:]...)...)
		if r.code != 0 {
			t.Fatalf("alert %v: %s", args, r.stderr)
		}
	}
	holds := func(p *process, want ...string) func() bool {
		return func() bool {
			stored, _, _ := faults.ReadLog(strings.NewReader(p.log.String()))
			if len(stored) == 0 {
				return false
			}
			got := slices.Clone(stored[len(stored)-1].Alerts)
			slices.Sort(got)
			return slices.Equal(got, want)
		}
	}
	line := func(id, text string) []string {
		return []string{"--id", id, "--effect", "detour", "--line", "T1", "--text", "nl=" + text}
	}

	// A device's very first subscription can miss a document published on
	// another node in the same second (each node learns the retained
	// messages on its own; docs/ARCHITECTURE.md), so the alert follows the
	// devices' start.
	for _, p := range append([]*process{hub}, devices...) {
		testkit.WaitFor(t, 30*time.Second, "the hub and the devices to synchronize", func() bool { return strings.Contains(p.log.String(), "synchronized with the broker") })
	}
	publish(append([]string{"publish"}, line("a", "Tram 1 rijdt om.")...)...)
	for _, d := range devices {
		testkit.WaitFor(t, 30*time.Second, "alert a on every device", holds(d, "a"))
	}

	// A node killed during an update, and restarted.
	publish(append([]string{"publish"}, line("b", "Tram 1 rijdt minder vaak.")...)...)
	cluster.Kill(1)
	publish(append([]string{"publish"}, line("c", "Tram 1 heeft vertraging.")...)...)
	for _, d := range devices {
		testkit.WaitFor(t, 60*time.Second, "alerts a, b, c on every device, node 1 down", holds(d, "a", "b", "c"))
	}
	if err := cluster.Restart(1); err != nil {
		t.Fatal(err)
	}
	publish("cancel", "b")
	for _, d := range devices {
		testkit.WaitFor(t, 60*time.Second, "the cancel of b on every device", holds(d, "a", "c"))
	}
	for _, d := range devices {
		stored, announced, err := faults.ReadLog(strings.NewReader(d.log.String()))
		if err != nil {
			t.Fatal(err)
		}
		if w := faults.WronglySpoken(stored, announced); w > 0 {
			t.Errorf("a device announced %d alerts after their cancel was committed", w)
		}
	}

	// The whole cluster restarts: the retained documents are still there.
	cluster.StopAll()
	if err := cluster.StartAll(); err != nil {
		t.Fatal(err)
	}
	fresh := agent("afresh", "200101")
	testkit.WaitFor(t, 60*time.Second, "a fresh device to get the retained document", holds(fresh, "a", "c"))
}
