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
// publishes. A document that is not acknowledged (its connection lost, or
// stalled for ackWait) goes back into the outbox, unless the stop has a
// newer one there, and is sent again with the next round. It remembers
// the newest version of each stop the broker acknowledged.
type outbox struct {
	mu      sync.Mutex
	pending map[string]halte.StopState
	acked   map[string]uint64
	wake    chan struct{}
	sending atomic.Bool // a round is being published
}

// busy reports whether documents are queued or being published.
func (o *outbox) busy() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.pending) > 0 || o.sending.Load()
}

func newOutbox() *outbox {
	return &outbox{pending: map[string]halte.StopState{}, acked: map[string]uint64{}, wake: make(chan struct{}, 1)}
}

// confirm records documents the broker acknowledged.
func (o *outbox) confirm(docs []halte.StopState) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, d := range docs {
		o.acked[d.Stop] = max(o.acked[d.Stop], d.Version)
	}
}

// acknowledged is the newest version of stop the broker acknowledged; 0 if none.
func (o *outbox) acknowledged(stop string) uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.acked[stop]
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
	o.wakeUp()
}

// wakeUp tells send that there is something to publish.
func (o *outbox) wakeUp() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// putBack queues documents that were not acknowledged, each unless its
// stop has a newer one queued.
func (o *outbox) putBack(docs []halte.StopState) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, d := range docs {
		if _, newer := o.pending[d.Stop]; !newer {
			o.pending[d.Stop] = d
		}
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
func (o *outbox) send(ctx context.Context, clients []*publisher, key *sign.Signer, stats *metrics, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-o.wake:
		}
		o.sending.Store(true)
		docs, t0 := o.take(), time.Now()
		shares := make([][]halte.StopState, len(clients))
		for _, d := range docs {
			k := int(crc32.ChecksumIEEE([]byte(d.Stop)) % uint32(len(clients)))
			shares[k] = append(shares[k], d)
		}
		var wg sync.WaitGroup
		var n, again atomic.Int64
		for k, share := range shares {
			wg.Go(func() {
				acknowledged, unacknowledged := publish(ctx, clients[k], share, key, log)
				n.Add(int64(len(acknowledged)))
				o.confirm(acknowledged)
				again.Add(int64(len(unacknowledged)))
				o.putBack(unacknowledged)
			})
		}
		wg.Wait()
		o.sending.Store(false)
		stats.sent(int(n.Load()), len(docs), time.Since(t0))
		log.Info("stop documents published", "documents", n.Load(), "of", len(docs))
		if again.Load() > 0 {
			log.Warn("stop documents not acknowledged, sent again shortly", "documents", again.Load())
			select {
			case <-ctx.Done():
				return
			case <-time.After(retryPause):
			}
			o.wakeUp()
		}
	}
}

// ackWait is how long publish waits for one acknowledgement before it
// takes its connection for stalled. paho never completes the token of a
// message in flight when its clean-session connection was lost and made
// again: a round that waited for it would stop the hub's documents for good
// (in the region benchmark, a network-wide alert after a node's loss reached
// none of 35,000 devices). A loss the connection notices ends the wait at
// once (publisher.nextLoss).
var ackWait = time.Minute // a variable for the tests

// retryPause separates a round that left documents unacknowledged from the
// next, so that a broker that is away is not asked in a tight loop.
const retryPause = 5 * time.Second

// inFlight bounds the documents a connection has unacknowledged. A broker
// that stores each retained message before it reads the next (nats-server,
// on three nodes) reads a ping only after what was sent before it: with
// thousands in flight it answered after the client's ping timeout, and the
// hub's connections dropped in the middle of a network-wide change.
const inFlight = 100

// publish sends documents retained at QoS 1, up to inFlight at a time,
// waits for the broker's acknowledgements, and returns the documents that
// were acknowledged and those that were not. Once one acknowledgement
// fails or is ackWait late, or the connection is lost, it sends no more:
// the rest are returned.
func publish(ctx context.Context, c *publisher, docs []halte.StopState, key *sign.Signer, log *slog.Logger) (acknowledged, unacknowledged []halte.StopState) {
	lost := c.nextLoss()
	tokens := make([]paho.Token, len(docs))
	settled := 0 // tokens[:settled] are acknowledged or failed
	settle := func(i int, wait time.Duration) bool {
		settled = i + 1
		if tokens[i] == nil {
			return true
		}
		if !acknowledgedWithin(ctx, tokens[i], wait, lost) {
			log.Error("stop document not acknowledged", "stop", docs[i].Stop, "err", tokens[i].Error())
			unacknowledged = append(unacknowledged, docs[i])
			return false
		}
		acknowledged = append(acknowledged, docs[i])
		log.Debug("stop document published", "stop", docs[i].Stop, "version", docs[i].Version, "alerts", len(docs[i].Alerts))
		return true
	}
	wait := ackWait
	for i, doc := range docs {
		if i >= inFlight && !settle(i-inFlight, wait) { // stalled, lost, or ctx ended
			unacknowledged = append(unacknowledged, docs[i:]...)
			docs, wait = docs[:i], 0 // what was sent is settled below, without waiting
			break
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
	for i := settled; i < len(docs); i++ {
		if !settle(i, wait) {
			wait = 0
		}
	}
	return acknowledged, unacknowledged
}

// acknowledgedWithin reports whether t completes without error within
// wait (0: already has), before ctx ends or the connection is lost.
func acknowledgedWithin(ctx context.Context, t paho.Token, wait time.Duration, lost <-chan struct{}) bool {
	select {
	case <-t.Done():
		return t.Error() == nil
	default:
	}
	if wait == 0 {
		return false
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-t.Done():
		return t.Error() == nil
	case <-timer.C:
	case <-ctx.Done():
	case <-lost:
	}
	return false
}
