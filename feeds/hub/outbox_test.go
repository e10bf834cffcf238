package hub

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/internal/faults"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// TestUnacknowledgedDocumentsComeBack checks that publish, on a
// connection whose acknowledgements stop coming, returns instead of
// waiting for good, with the documents that were not acknowledged, and
// that putBack queues them unless the stop has a newer one.
func TestUnacknowledgedDocumentsComeBack(t *testing.T) {
	broker := mqtttest.Start(t)
	link, err := faults.NewProxy(fmt.Sprintf("127.0.0.1:%d", broker.Port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(link.Close)
	c := mqtt.NewClient(mqtt.Options{Broker: "tcp://" + link.Addr, ClientID: "outbox-test", Logger: (&testkit.Log{}).Logger()})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := mqtt.Connect(ctx, c); err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(100)
	docs := make([]halte.StopState, inFlight+20)
	for i := range docs {
		docs[i] = halte.StopState{Stop: fmt.Sprint("s", i), Version: 1}
	}
	log := (&testkit.Log{}).Logger()
	if acked, unacked := publish(ctx, c, docs[:3], nil, log); acked != 3 || len(unacked) != 0 {
		t.Fatalf("on a working link: %d acknowledged, %d not; want 3 and 0", acked, len(unacked))
	}

	defer func(was time.Duration) { ackWait = was }(ackWait)
	ackWait = 2 * time.Second
	link.Delay(time.Minute, time.Minute) // nothing comes back within ackWait
	acked, unacked := publish(ctx, c, docs, nil, log)
	if ctx.Err() != nil {
		t.Fatal("publish waited for acknowledgements that were not coming")
	}
	if acked != 0 || len(unacked) != len(docs) {
		t.Fatalf("on a stalled link: %d acknowledged, %d returned; want 0 and %d", acked, len(unacked), len(docs))
	}

	o := newOutbox()
	o.put([]halte.StopState{{Stop: "s0", Version: 2}})
	o.putBack(unacked)
	back := map[string]uint64{}
	for _, d := range o.take() {
		back[d.Stop] = d.Version
	}
	if len(back) != len(docs) || back["s0"] != 2 || back["s1"] != 1 {
		t.Errorf("the outbox after putBack holds %d documents, s0 version %d, s1 version %d; want %d, 2 and 1", len(back), back["s0"], back["s1"], len(docs))
	}
}
