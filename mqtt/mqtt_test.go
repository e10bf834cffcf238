package mqtt_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
	"github.com/halte-transit/halte/mqtt/natstest"
)

func TestResolveBroker(t *testing.T) {
	t.Setenv(mqtt.BrokerEnv, "tcp://10.0.0.1:1883")
	cases := []struct{ flag, want, err string }{
		{"tcp://127.0.0.1:1883", "tcp://127.0.0.1:1883", ""},
		{"ssl://broker.example:8883", "ssl://broker.example:8883", ""},
		{"", "tcp://10.0.0.1:1883", ""},
		{"127.0.0.1:1883", "", "scheme"},
		{"http://127.0.0.1:1883", "", "scheme"},
		{"tcp://127.0.0.1", "", "want host and port"},
	}
	for _, c := range cases {
		got, err := mqtt.ResolveBroker(c.flag)
		if c.err == "" && (err != nil || got != c.want) {
			t.Errorf("%q: got %q, %v; want %q", c.flag, got, err, c.want)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: got %v, want an error about %s", c.flag, err, c.err)
		}
	}
	t.Setenv(mqtt.BrokerEnv, "")
	if _, err := mqtt.ResolveBroker(""); err == nil || !strings.Contains(err.Error(), "HALTE_BROKER") {
		t.Errorf("no broker: got %v, want a hint at HALTE_BROKER", err)
	}
}

// TestSyncComesAfterRetained checks the barrier the hub and agent rely on:
// synced runs only after every retained message present at subscription.
func TestSyncComesAfterRetained(t *testing.T) {
	broker := mqtttest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	quiet := (&testkit.Log{}).Logger()
	pub := mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "pub", Logger: quiet})
	if err := mqtt.Connect(ctx, pub); err != nil {
		t.Fatal(err)
	}
	defer pub.Disconnect(100)
	const n = 500
	for i := range n {
		if err := mqtt.Publish(ctx, pub, mqtt.StopTopic(fmt.Sprint(i)), true, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}

	var mu sync.Mutex
	seen, atSync := 0, -1
	sub := mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "sub", Logger: quiet,
		OnConnect: func(c paho.Client) {
			err := mqtt.SubscribeAndSync(c, "sub", map[string]mqtt.Route{
				mqtt.StopsFilter: {QoS: 1, Handle: func(_ paho.Client, _ paho.Message) { mu.Lock(); seen++; mu.Unlock() }},
			}, func() { mu.Lock(); atSync = seen; mu.Unlock() })
			if err != nil {
				t.Error(err)
			}
		}})
	if err := mqtt.Connect(ctx, sub); err != nil {
		t.Fatal(err)
	}
	defer sub.Disconnect(100)
	testkit.WaitFor(t, 20*time.Second, "the sync marker", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return atSync >= 0
	})
	if atSync != n {
		t.Fatalf("synced after %d of %d retained messages", atSync, n)
	}
}

// TestKeepSubscribed: a subscription the broker refuses (NATS answers a
// subscription it does not permit with a failure) is tried again on the
// same connection until the broker takes it.
func TestKeepSubscribed(t *testing.T) {
	testkit.RequireTool(t, "htpasswd")
	users := t.TempDir()
	role := func(r string) { t.Helper(); natsUser(t, users, "watcher", "--role", r) }
	role("operator") // may not read the stops' documents
	cluster := natstest.StartSecured(t, natstest.Secured{Users: filepath.Join(users, "halte-users.conf")})
	password, err := mqtt.ReadPassword(filepath.Join(users, "watcher.password"))
	if err != nil {
		t.Fatal(err)
	}
	log := &testkit.Log{}
	synced := make(chan struct{}, 1)
	sub := mqtt.NewClient(mqtt.Options{Broker: cluster.URLs[0], ClientID: "watch", Username: "watcher", Password: password,
		Logger: log.Logger(), OnConnect: func(c paho.Client) {
			mqtt.KeepSubscribed(c, "watch", map[string]mqtt.Route{
				mqtt.StopsFilter: {QoS: 1, Handle: func(_ paho.Client, _ paho.Message) {}},
			}, func() { synced <- struct{}{} }, log.Logger())
		}})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := mqtt.Dial(ctx, sub); err != nil {
		t.Fatal(err)
	}
	defer sub.Disconnect(100)
	testkit.WaitFor(t, 30*time.Second, "a refused subscription", func() bool {
		return len(log.Lines("cannot subscribe; trying again")) > 0
	})
	role("app") // may
	if err := cluster.Reload(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-synced:
	case <-ctx.Done():
		t.Fatalf("not subscribed after the permissions allowed it:\n%s", log)
	}
}
