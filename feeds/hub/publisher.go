package hub

import (
	"sync"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte/mqtt"
)

// A publisher is one of the hub's broker connections, which tells its
// losses: a document in flight when its clean-session connection is lost
// is never acknowledged, so publish stops waiting for it at once.
type publisher struct {
	paho.Client

	mu   sync.Mutex
	lost chan struct{} // closed at the connection's next loss
}

// newPublisher makes the connection of o (mqtt.NewClient), told of its
// losses.
func newPublisher(o mqtt.Options) *publisher {
	p := &publisher{lost: make(chan struct{})}
	o.OnLost = p.connectionLost
	p.Client = mqtt.NewClient(o)
	return p
}

// nextLoss is closed when the connection is next lost.
func (p *publisher) nextLoss() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lost
}

func (p *publisher) connectionLost() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.lost)
	p.lost = make(chan struct{})
}
