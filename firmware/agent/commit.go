package agent

import (
	"context"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// pending holds, per stop, the newest document message not yet committed
// (the state file could not be written). It is acknowledged only once a
// commit succeeds; a newer message for the stop replaces it, and the older
// one is then acknowledged, since its document could never be applied.
type pending struct {
	mu   sync.Mutex
	msgs map[string]paho.Message
}

func newPending() *pending { return &pending{msgs: map[string]paho.Message{}} }

// put makes m the stop's newest uncommitted message.
func (p *pending) put(stop string, m paho.Message) {
	p.mu.Lock()
	old := p.msgs[stop]
	p.msgs[stop] = m
	p.mu.Unlock()
	if old != nil {
		old.Ack() // superseded: the newer one is committed or redelivered
	}
}

// take removes and returns the stops' uncommitted messages.
func (p *pending) take() map[string]paho.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.msgs
	p.msgs = map[string]paho.Message{}
	return out
}

// commit tries to commit every uncommitted message: each one committed (or
// refused for good) is acknowledged; the others wait for the next try (the
// store's fault is in the status already). The status is published after a
// commit.
func (a *Agent) commit(c paho.Client, p *pending) {
	committed := false
	for stop, m := range p.take() {
		if err := a.HandleDocument(stop, m.Payload()); err != nil {
			p.mu.Lock()
			if p.msgs[stop] == nil {
				p.msgs[stop] = m
			} else {
				m.Ack() // a newer one came meanwhile
			}
			p.mu.Unlock()
			continue
		}
		m.Ack()
		committed = true
	}
	if committed {
		a.statusChanged(c)
	}
}

// retryCommits tries the uncommitted documents again every interval, so
// that the device recovers by itself when the state file can be written
// again (a full disk that was cleaned).
func (a *Agent) retryCommits(ctx context.Context, c paho.Client, p *pending, every time.Duration) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		a.commit(c, p)
	}
}
