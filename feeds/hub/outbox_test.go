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
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, link := linkedPublisher(ctx, t)
	docs := make([]halte.StopState, inFlight+20)
	for i := range docs {
		docs[i] = halte.StopState{Stop: fmt.Sprint("s", i), Version: 1}
	}
	log := (&testkit.Log{}).Logger()
	if acked, unacked := publish(ctx, c, docs[:3], nil, log); len(acked) != 3 || len(unacked) != 0 {
		t.Fatalf("on a working link: %d acknowledged, %d not; want 3 and 0", len(acked), len(unacked))
	}

	defer func(was time.Duration) { ackWait = was }(ackWait)
	ackWait = 2 * time.Second
	link.Delay(time.Minute, time.Minute) // nothing comes back within ackWait
	acked, unacked := publish(ctx, c, docs, nil, log)
	if ctx.Err() != nil {
		t.Fatal("publish waited for acknowledgements that were not coming")
	}
	if len(acked) != 0 || len(unacked) != len(docs) {
		t.Fatalf("on a stalled link: %d acknowledged, %d returned; want 0 and %d", len(acked), len(unacked), len(docs))
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

// TestALostConnectionEndsTheWaitAtOnce checks that publish, whose
// connection is lost while documents are in flight, returns them at once
// instead of waiting ackWait for acknowledgements that will never come.
func TestALostConnectionEndsTheWaitAtOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), ackWait/2)
	defer cancel()
	c, link := linkedPublisher(ctx, t)
	log := (&testkit.Log{}).Logger()
	docs := make([]halte.StopState, 10)
	for i := range docs {
		docs[i] = halte.StopState{Stop: fmt.Sprint("s", i), Version: 1}
	}
	link.Delay(time.Minute, time.Minute) // in flight until the loss
	type result struct {
		acked   []halte.StopState
		unacked []halte.StopState
	}
	done := make(chan result, 1)
	go func() {
		acked, unacked := publish(ctx, c, docs, nil, log)
		done <- result{acked, unacked}
	}()
	for {
		select {
		case r := <-done:
			if ctx.Err() != nil {
				t.Fatal("publish waited out its deadline after the connection was lost")
			}
			if len(r.acked) != 0 || len(r.unacked) != len(docs) {
				t.Fatalf("after the loss: %d acknowledged, %d returned; want 0 and %d", len(r.acked), len(r.unacked), len(docs))
			}
			return
		case <-time.After(200 * time.Millisecond):
			link.Reset() // the connection is lost (again, until publish notices)
		}
	}
}

// linkedPublisher connects a publisher to a fresh broker through a proxy
// that the test can delay or cut.
func linkedPublisher(ctx context.Context, t *testing.T) (*publisher, *faults.Proxy) {
	broker := mqtttest.Start(t)
	link, err := faults.NewProxy(fmt.Sprintf("127.0.0.1:%d", broker.Port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(link.Close)
	c := newPublisher(mqtt.Options{Broker: "tcp://" + link.Addr, ClientID: t.Name(), Logger: (&testkit.Log{}).Logger()})
	if err := mqtt.Connect(ctx, c); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c, link
}
