package mqtt_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
	"github.com/halte-transit/halte/mqtt/natstest"
)

// TestShippedNATSConfiguration: nats-server takes firmware/nats/halte.conf
// with its certificates and a users file made by nats-users.sh.
func TestShippedNATSConfiguration(t *testing.T) {
	testkit.RequireTool(t, "nats-server")
	testkit.RequireTool(t, "htpasswd")
	dir := t.TempDir()
	ca := mqtttest.NewCA(t, dir, "ca")
	cert, key := ca.Issue(t, "nats-1.halte.example", time.Now().Add(time.Hour), true)
	conf, err := os.ReadFile("../firmware/nats/halte.conf")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("/etc/nats/certs/node.crt", cert, "/etc/nats/certs/node.key", key,
		"/etc/nats/certs/ca.crt", ca.CertFile, "/var/lib/nats", filepath.Join(dir, "js")).Replace(string(conf))
	if err := os.WriteFile(filepath.Join(dir, "halte.conf"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	natsUser(t, dir, "hub", "--role", "hub")
	natsUser(t, dir, "d1", "--role", "device", "--stop", "s1")
	check := exec.Command("nats-server", "-t", "-c", filepath.Join(dir, "halte.conf"))
	check.Env = append(os.Environ(), "HALTE_NATS_NODE=n1")
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("nats-server refuses firmware/nats/halte.conf: %v\n%s", err, out)
	}
}

// TestProvisionedDeviceOnNATS: a device made by provision-device.sh --nats
// reads its own stop's document on a secured cluster, through another node
// than the hub's, and is refused every other stop's and the operators'
// alerts.
func TestProvisionedDeviceOnNATS(t *testing.T) {
	testkit.RequireTool(t, "htpasswd")
	dir := t.TempDir()
	ca := mqtttest.NewCA(t, dir, "ca")
	natsUser(t, dir, "hub", "--role", "hub")
	out := filepath.Join(dir, "d1")
	if b, err := exec.Command("../scripts/provision-device.sh", "--device", "d1", "--stop", "s1",
		"--broker", "ssl://127.0.0.1:1", "--broker", "ssl://127.0.0.1:2", "--hub-key", ca.CertFile, "--ca", ca.CertFile,
		"--nats", dir, "--out", out).CombinedOutput(); err != nil {
		t.Fatalf("provision-device.sh --nats: %v\n%s", err, b)
	}
	if y, _ := os.ReadFile(filepath.Join(out, "halte.yaml")); !strings.Contains(string(y), `broker: ["ssl://127.0.0.1:1", "ssl://127.0.0.1:2"]`) {
		t.Errorf("the device's configuration does not list both nodes:\n%s", y)
	}
	cluster := natstest.StartSecured(t, natstest.Secured{CA: ca, Users: filepath.Join(dir, "halte-users.conf")})
	trust, err := mqtt.TLSFiles{CA: ca.CertFile}.Config()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := func(node int, user, passwordFile string) paho.Client {
		t.Helper()
		password, err := mqtt.ReadPassword(passwordFile)
		if err != nil {
			t.Fatal(err)
		}
		c := mqtt.NewClient(mqtt.Options{Broker: cluster.URLs[node], ClientID: "halte-agent-" + user, Username: user,
			Password: password, TLS: trust, Logger: (&testkit.Log{}).Logger()})
		if err := mqtt.Dial(ctx, c); err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		t.Cleanup(func() { c.Disconnect(100) })
		return c
	}
	hub := client(0, "hub", filepath.Join(dir, "hub.password"))
	for _, stop := range []string{"s1", "s2"} {
		if err := mqtt.Publish(ctx, hub, mqtt.StopTopic(stop), true, []byte("document of "+stop)); err != nil {
			t.Fatal(err)
		}
	}
	device := client(1, "d1", filepath.Join(out, "password"))
	got := make(chan string, 4)
	sub := device.Subscribe(mqtt.StopTopic("s1"), 1, func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) })
	if err := mqtt.Wait(ctx, sub); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, 30*time.Second, "the device's own stop document", func() bool {
		select {
		case p := <-got:
			return p == "document of s1"
		default:
			return false
		}
	})
	for _, topic := range []string{mqtt.StopTopic("s2"), mqtt.StopsFilter, mqtt.OperatorAlertTopic("+")} {
		sub := device.Subscribe(topic, 1, func(paho.Client, paho.Message) { t.Errorf("the device read %s", topic) })
		if err := mqtt.Wait(ctx, sub); err != nil {
			t.Fatal(err)
		}
		if qos := sub.(*paho.SubscribeToken).Result()[topic]; qos != 0x80 {
			t.Errorf("the device may subscribe to %s (granted QoS %d)", topic, qos)
		}
	}
}

// natsUser runs scripts/nats-users.sh for user in dir.
func natsUser(t *testing.T, dir, user string, args ...string) {
	t.Helper()
	if out, err := exec.Command("../scripts/nats-users.sh", append([]string{"--dir", dir, "--user", user}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("nats-users.sh: %v\n%s", err, out)
	}
}
