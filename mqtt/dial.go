package mqtt

import (
	"context"
	"errors"
	"io"
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
