package mqtt_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/halte-transit/halte/mqtt"
)

// TestNodeOrderSpreadsAFleet checks that devices given the same three
// nodes spread over them, and the devices of each node over the two others
// once it is lost, each device always in the same order.
func TestNodeOrderSpreadsAFleet(t *testing.T) {
	nodes := []string{"tcp://n0:1883", "tcp://n1:1883", "tcp://n2:1883"}
	const devices = 3000
	first, second := map[string]int{}, map[[2]string]int{}
	for i := range devices {
		id := fmt.Sprintf("halte-agent-d%d", i)
		order := mqtt.NodeOrder(nodes, id)
		if !slices.Equal(order, mqtt.NodeOrder(nodes, id)) {
			t.Fatalf("%s: two orders, %v and %v", id, order, mqtt.NodeOrder(nodes, id))
		}
		if sorted := slices.Sorted(slices.Values(order)); !slices.Equal(sorted, nodes) {
			t.Fatalf("%s: %v is not an order of %v", id, order, nodes)
		}
		first[order[0]]++
		second[[2]string{order[0], order[1]}]++
	}
	for _, n := range nodes {
		if c := first[n]; c < devices/3-100 || c > devices/3+100 {
			t.Errorf("%d of %d devices try %s first, want about a third", c, devices, n)
		}
		for _, next := range nodes {
			if next != n && second[[2]string{n, next}] < first[n]*2/5 {
				t.Errorf("of the %d devices on %s, %d go to %s when it is lost, want about half", first[n], n, second[[2]string{n, next}], next)
			}
		}
	}
}

// TestAClusterClientWaitsLonger checks that a client of several nodes
// waits longer for a node's answer than a client of one broker.
func TestAClusterClientWaitsLonger(t *testing.T) {
	one := mqtt.NewClient(mqtt.Options{Broker: "tcp://n0:1883", ClientID: "a"}).OptionsReader()
	cluster := mqtt.NewClient(mqtt.Options{Broker: "tcp://n0:1883", Fallback: []string{"tcp://n1:1883"}, ClientID: "a"}).OptionsReader()
	if cluster.ConnectTimeout() <= one.ConnectTimeout() || cluster.PingTimeout() <= one.PingTimeout() {
		t.Errorf("a cluster's client waits %v to connect and %v for a ping, one broker's %v and %v: want longer on a cluster",
			cluster.ConnectTimeout(), cluster.PingTimeout(), one.ConnectTimeout(), one.PingTimeout())
	}
}
