package mqtt

import (
	"bytes"
	"context"
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
// published again, until ctx ends. The client must be allowed to read topic.
func PublishHeld(ctx context.Context, c paho.Client, topic string, payload []byte) error {
	for {
		if err := Publish(ctx, c, topic, true, payload); err != nil {
			return err
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
			return fmt.Errorf("read back %s: %w", topic, err)
		}
		if qos := sub.(*paho.SubscribeToken).Result()[topic]; qos == 0x80 {
			return fmt.Errorf("read back %s: broker refused the subscription (check the ACL)", topic)
		}
		check := time.NewTimer(heldCheck)
		select {
		case <-held:
			check.Stop()
			c.Unsubscribe(topic)
			return nil
		case <-ctx.Done():
			check.Stop()
			return fmt.Errorf("%s: the broker acknowledged it but does not hand it back: %w", topic, ctx.Err())
		case <-check.C:
		}
		if err := Wait(ctx, c.Unsubscribe(topic)); err != nil {
			return fmt.Errorf("read back %s: %w", topic, err)
		}
	}
}
