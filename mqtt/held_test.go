package mqtt_test

import (
	"context"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// TestPublishHeld: the message is what a new subscriber then gets retained;
// a user who may not read the topic back is told the broker did not hand
// it back, instead of being told it is held.
func TestPublishHeld(t *testing.T) {
	b := mqtttest.StartSecured(t, mqtttest.Secured{Users: map[string]string{"rw": "x", "wo": "x"},
		ACL: "user rw\ntopic readwrite halte/v1/operator/alerts/+\nuser wo\ntopic write halte/v1/operator/alerts/+\n"})
	topic := mqtt.OperatorAlertTopic("a")
	held := func(user string, payload string, within time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), within)
		defer cancel()
		c := mqtt.NewClient(mqtt.Options{Broker: b.URL, ClientID: user, Username: user, Password: "x", Logger: (&testkit.Log{}).Logger()})
		if err := mqtt.Connect(ctx, c); err != nil {
			t.Fatal(err)
		}
		defer c.Disconnect(100)
		return mqtt.PublishHeld(ctx, c, topic, []byte(payload))
	}
	for _, payload := range []string{"first", "second"} {
		if err := held("rw", payload, 10*time.Second); err != nil {
			t.Fatalf("%s: %v", payload, err)
		}
		if got := retained(t, b.URL, "rw", topic); got != payload {
			t.Fatalf("a new subscriber got %q retained, want %q", got, payload)
		}
	}
	err := held("wo", "third", 3*time.Second)
	if err == nil || !strings.Contains(err.Error(), "does not hand it back") {
		t.Fatalf("a user who cannot read the topic: got %v, want the broker not handing it back", err)
	}
}

// retained is the payload a new subscription of user to topic gets retained.
func retained(t *testing.T, url, user, topic string) string {
	t.Helper()
	c := mqtt.NewClient(mqtt.Options{Broker: url, ClientID: user + "-reader", Username: user, Password: "x", Logger: (&testkit.Log{}).Logger()})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := mqtt.Connect(ctx, c); err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(100)
	got := make(chan string, 1)
	if err := mqtt.Wait(ctx, c.Subscribe(topic, 1, func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) })); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-got:
		return p
	case <-ctx.Done():
		t.Fatalf("no retained message on %s", topic)
		return ""
	}
}
