package mqtt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// heldCheck is how long PublishHeld waits for the broker to hand its
// retained copy back before it publishes again.
const heldCheck = 2 * time.Second

// PublishHeld publishes payload retained at QoS 1 and returns once the
// broker hands the same payload back as the topic's retained message to a
// new subscription: it holds it. A clustered broker can acknowledge a
// message it then loses (nats-server 2.9 while its stream elects a
// leader), so each time the copy does not come back within 2 s it is
// published again, until ctx ends; so is it when the connection is lost
// on the way, once paho has reconnected. The client must be allowed to
// read topic.
func PublishHeld(ctx context.Context, c paho.Client, topic string, payload []byte) error {
	for {
		held, err := publishAndReadBack(ctx, c, topic, payload)
		switch {
		case held:
			return nil
		case err == nil:
			continue // not handed back in time: published again
		case errors.Is(err, errRefused) || ctx.Err() != nil:
			return err
		}
		// The connection was lost (a node of a cluster went down): once
		// paho has reconnected, to this node or another, it starts again.
		if err := awaitConnection(ctx, c); err != nil {
			return fmt.Errorf("%s: %w", topic, err)
		}
	}
}

var errRefused = errors.New("broker refused the subscription (check the ACL)")

// publishAndReadBack publishes payload once and reports whether the broker
// handed it back as the topic's retained message within heldCheck.
func publishAndReadBack(ctx context.Context, c paho.Client, topic string, payload []byte) (bool, error) {
	if err := Publish(ctx, c, topic, true, payload); err != nil {
		return false, err
	}
	held := make(chan struct{}, 1)
	sub := c.Subscribe(topic, 0, func(_ paho.Client, m paho.Message) {
		if m.Retained() && bytes.Equal(m.Payload(), payload) {
			select {
			case held <- struct{}{}:
			default:
			}
		}
	})
	if err := Wait(ctx, sub); err != nil {
		return false, fmt.Errorf("read back %s: %w", topic, err)
	}
	if qos := sub.(*paho.SubscribeToken).Result()[topic]; qos == 0x80 {
		return false, fmt.Errorf("read back %s: %w", topic, errRefused)
	}
	check := time.NewTimer(heldCheck)
	defer check.Stop()
	select {
	case <-held:
		c.Unsubscribe(topic)
		return true, nil
	case <-ctx.Done():
		return false, fmt.Errorf("%s: the broker acknowledged it but does not hand it back: %w", topic, ctx.Err())
	case <-check.C:
	}
	if err := Wait(ctx, c.Unsubscribe(topic)); err != nil {
		return false, fmt.Errorf("read back %s: %w", topic, err)
	}
	return false, nil
}

// awaitConnection waits until c is connected again, or ctx ends.
func awaitConnection(ctx context.Context, c paho.Client) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !c.IsConnectionOpen() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("the connection to the broker was lost and not regained: %w", ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}
