package mqtt

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Route is how one subscription is handled, and at which QoS: 1 for what
// must not be lost (a stop's document, acknowledged once committed), 0 for
// what matters only now (a trigger, a retained status that the next
// subscription brings again). On NATS each QoS 1 subscription of a kept
// session is a JetStream consumer, replicated across the cluster; a QoS 0
// one costs none.
type Route struct {
	QoS    byte
	Handle paho.MessageHandler
}

// SubscribeAndSync subscribes c to each filter of routes, handled by its
// route, then publishes a marker on the client's own sync topic (QoS 1,
// subscribed at the highest QoS of the routes).
// Because the broker queues a subscription's retained messages before the
// marker, and paho hands messages over in order, synced runs once the
// handlers have seen every retained message these subscriptions brought. Call it from Options.OnConnect, so that it runs again
// after every reconnection.
func SubscribeAndSync(c paho.Client, clientID string, routes map[string]Route, synced func()) error {
	marker := make([]byte, 8)
	if _, err := rand.Read(marker); err != nil {
		return err
	}
	want := hex.EncodeToString(marker)
	syncTopic := SyncTopic(clientID)
	subs := map[string]byte{}
	var highest byte
	for filter, r := range routes {
		subs[filter] = r.QoS
		highest = max(highest, r.QoS)
		c.AddRoute(filter, r.Handle)
	}
	subs[syncTopic] = highest
	c.AddRoute(syncTopic, func(c paho.Client, m paho.Message) {
		m.Ack()
		if string(m.Payload()) == want {
			synced()
		}
	})
	const timeout = 30 * time.Second
	t := c.SubscribeMultiple(subs, nil)
	if !t.WaitTimeout(timeout) {
		return fmt.Errorf("subscribe: broker did not answer in %s", timeout)
	}
	if err := t.Error(); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	for topic, qos := range t.(*paho.SubscribeToken).Result() {
		if qos == 0x80 {
			return fmt.Errorf("subscribe: broker refused %s (check the ACL)", topic)
		}
	}
	p := c.Publish(syncTopic, 1, false, []byte(want))
	if !p.WaitTimeout(timeout) {
		return fmt.Errorf("sync marker: broker did not answer in %s", timeout)
	}
	return p.Error()
}

// KeepSubscribed runs SubscribeAndSync until it succeeds or the connection
// closes, logging each failure as "cannot subscribe" and waiting 2 s, then
// longer up to 30 s, between tries: a broker may refuse a subscription for
// a while (a cluster whose node was lost elects new stream leaders) and
// keep the connection open. Call it from Options.OnConnect.
func KeepSubscribed(c paho.Client, clientID string, routes map[string]Route, synced func(), log *slog.Logger) {
	for pause := 2 * time.Second; ; pause = min(2*pause, 30*time.Second) {
		err := SubscribeAndSync(c, clientID, routes, synced)
		if err == nil {
			return
		}
		log.Error("cannot subscribe; trying again", "err", err, "in", pause.String())
		time.Sleep(pause)
		if !c.IsConnectionOpen() {
			return // the next connection subscribes anew
		}
	}
}
