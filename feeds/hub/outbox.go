package hub

import (
	"context"
	"encoding/json"
	"hash/crc32"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/sign"
)

// outbox holds, for each stop, the newest document not yet sent. The hub's loop puts documents in and never waits on the
// broker (its own documents come back to it through the same connection,
// and a loop waiting for acknowledgements would stop reading them); send
// publishes. The client resends what a lost connection interrupted; a
// document the broker refuses is logged and replaced by the stop's next one.
type outbox struct {
	mu      sync.Mutex
	pending map[string]halte.StopState
	wake    chan struct{}
}

func newOutbox() *outbox {
	return &outbox{pending: map[string]halte.StopState{}, wake: make(chan struct{}, 1)}
}

// put queues documents, replacing those of the same stops not yet sent.
func (o *outbox) put(docs []halte.StopState) {
	if len(docs) == 0 {
		return
	}
	o.mu.Lock()
	for _, d := range docs {
		o.pending[d.Stop] = d
	}
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// take empties the outbox.
func (o *outbox) take() []halte.StopState {
	o.mu.Lock()
	defer o.mu.Unlock()
	docs := make([]halte.StopState, 0, len(o.pending))
	for _, d := range o.pending {
		docs = append(docs, d)
	}
	clear(o.pending)
	return docs
}

// send publishes what is put, signed with key if there is one, and counts
// it in stats, until ctx ends. Each stop's documents go out on the same one
// of the clients, so that they keep their order.
func (o *outbox) send(ctx context.Context, clients []paho.Client, key *sign.Signer, stats *metrics, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-o.wake:
		}
		docs, t0 := o.take(), time.Now()
		shares := make([][]halte.StopState, len(clients))
		for _, d := range docs {
			k := int(crc32.ChecksumIEEE([]byte(d.Stop)) % uint32(len(clients)))
			shares[k] = append(shares[k], d)
		}
		var wg sync.WaitGroup
		var n atomic.Int64
		for k, share := range shares {
			wg.Go(func() { n.Add(int64(publish(ctx, clients[k], share, key, log))) })
		}
		wg.Wait()
		stats.sent(int(n.Load()), len(docs), time.Since(t0))
		log.Info("stop documents published", "documents", n.Load(), "of", len(docs))
	}
}

// inFlight bounds the documents a connection has unacknowledged. A broker
// that stores each retained message before it reads the next (nats-server,
// on three nodes) reads a ping only after what was sent before it: with
// thousands in flight it answered after the client's ping timeout, and the
// hub's connections dropped in the middle of a network-wide change.
const inFlight = 100

// publish sends documents retained at QoS 1, up to inFlight at a time,
// waits for the broker's acknowledgements, and returns how many were
// acknowledged.
func publish(ctx context.Context, c paho.Client, docs []halte.StopState, key *sign.Signer, log *slog.Logger) (acknowledged int) {
	tokens := make([]paho.Token, len(docs))
	settle := func(i int) {
		if tokens[i] == nil {
			return
		}
		if err := mqtt.Wait(ctx, tokens[i]); err != nil {
			log.Error("stop document not published", "stop", docs[i].Stop, "err", err)
			return
		}
		acknowledged++
		log.Debug("stop document published", "stop", docs[i].Stop, "version", docs[i].Version, "alerts", len(docs[i].Alerts))
	}
	for i, doc := range docs {
		if i >= inFlight {
			settle(i - inFlight)
		}
		b, err := json.Marshal(doc)
		if err == nil && key != nil {
			b, err = key.Sign(b)
		}
		if err != nil {
			log.Error("cannot encode stop document", "stop", doc.Stop, "err", err)
			continue
		}
		tokens[i] = c.Publish(mqtt.StopTopic(doc.Stop), 1, true, b)
	}
	for i := max(0, len(docs)-inFlight); i < len(docs); i++ {
		settle(i)
	}
	return acknowledged
}
