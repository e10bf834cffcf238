package mqtt

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// Dial connects a client made with Once, trying again every second while
// no broker can take it yet (down, restarting, or a cluster still electing
// its leaders after a node's loss), until ctx ends. A refusal that waiting
// does not cure (credentials, authorization, a certificate) is returned at
// once.
func Dial(ctx context.Context, c paho.Client) error {
	for {
		err := Connect(ctx, c)
		if err == nil || !Unavailable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Second):
		}
	}
}

// KeepDialling connects a client made with Redialled, and connects it
// again each time the connection is lost, until ctx ends; it tries whatever
// the broker answers, pausing 2 s after the first failure and twice as
// long after each next one, up to 30 s, each pause drawn between half and
// all of that, and after a loss a pause drawn under lossPause before the
// first try. A fleet that starts together, or loses a node of its
// cluster together, does not ask the brokers all at once again and again:
// on a NATS cluster, where each connection loads a session record from
// JetStream, 35,000 devices retrying in step were not all taken in 12
// minutes.
func KeepDialling(ctx context.Context, c paho.Client) {
	for ctx.Err() == nil {
		for pause := 2 * time.Second; Connect(ctx, c) != nil; pause = min(2*pause, 30*time.Second) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(pause/2 + rand.N(pause/2)):
			}
		}
		for c.IsConnectionOpen() { // until the connection is lost
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(rand.N(lossPause)):
		}
	}
}

// lossPause bounds the pause before a client connects again after a loss:
// the devices of a node that died together ask the others over seconds,
// not in the same instant.
const lossPause = 5 * time.Second

// Unavailable reports whether a connection error means the broker could
// not take the client for now: refused or reset on the network, closed
// before its answer, or "server unavailable".
func Unavailable(err error) bool {
	var timeout net.Error
	return errors.Is(err, packets.ErrorRefusedServerUnavailable) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		(errors.As(err, &timeout) && timeout.Timeout())
}
