package hub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
	"github.com/halte-transit/halte/sign"
)

// A network-wide alert in a region reaches every stop's document, twice in
// a row: the hub keeps reading the broker (its own documents come back to
// it) while thousands of its publications wait for acknowledgement; the
// same with the documents shared among three publishing connections.
func TestRegionWideAlertsReachEveryStop(t *testing.T) {
	for _, publishers := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d publishers", publishers), func(t *testing.T) { regionWide(t, publishers) })
	}
}

func regionWide(t *testing.T, publishers int) {
	const stops = 5000
	net, err := sample.Region(stops, stops/40, 40)
	if err != nil {
		t.Fatal(err)
	}
	broker := mqtttest.Start(t)
	w := watch(t, broker.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		hub.Run(ctx, hub.Config{Broker: broker.URL, Network: net, ClientID: "region-hub", Logger: (&testkit.Log{}).Logger(), OperatorKeys: sign.Insecure(),
			Publishers: publishers})
	}()
	t.Cleanup(func() { cancel(); <-done })

	op := mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "region-operator", Logger: (&testkit.Log{}).Logger()})
	if err := mqtt.Connect(ctx, op); err != nil {
		t.Fatal(err)
	}
	defer op.Disconnect(100)
	all := make([]string, stops)
	for i := range all {
		all[i] = fmt.Sprintf("s%d", i)
	}
	for _, id := range []string{"first", "second"} {
		raw, _ := json.Marshal(halte.Alert{ID: id, Version: 1, Effect: halte.ReducedService, Stops: all})
		if err := mqtt.Publish(ctx, op, mqtt.OperatorAlertTopic(id), true, raw); err != nil {
			t.Fatal(err)
		}
		testkit.WaitFor(t, time.Minute, fmt.Sprintf("every stop's document with the alert %q", id), func() bool {
			return w.stopsWith(id) == stops
		})
	}
}
