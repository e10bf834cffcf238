package mqtt_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// connect dials as the command-line tools do and returns its error.
func connect(t *testing.T, o mqtt.Options) error {
	t.Helper()
	o.Once = true
	o.Logger = (&testkit.Log{}).Logger()
	c := mqtt.NewClient(o)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := mqtt.Dial(ctx, c)
	c.Disconnect(50)
	return err
}

func TestTLSAndCredentials(t *testing.T) {
	b := mqtttest.StartSecured(t, mqtttest.Secured{TLS: true, ClientCerts: true,
		Users: map[string]string{"dev1": "s3cret"}, ACL: "pattern readwrite halte/v1/sync/%c\n"})
	trust, err := mqtt.TLSFiles{CA: b.CAFile()}.Config()
	if err != nil {
		t.Fatal(err)
	}
	other := mqtttest.NewCA(t, t.TempDir(), "other-ca")
	wrongCA, _ := mqtt.TLSFiles{CA: other.CertFile}.Config()
	ca := b.CA()
	goodCert, goodKey := ca.Issue(t, "dev2", time.Now().Add(time.Hour), false)
	oldCert, oldKey := ca.Issue(t, "dev3", time.Now().Add(-time.Hour), false)
	withCert, _ := mqtt.TLSFiles{CA: b.CAFile(), Cert: goodCert, Key: goodKey}.Config()
	expired, _ := mqtt.TLSFiles{CA: b.CAFile(), Cert: oldCert, Key: oldKey}.Config()

	cases := []struct {
		name    string
		opts    mqtt.Options
		refused bool
		says    string // what the refusal says, where the client is told
	}{
		{"TLS and the right password", mqtt.Options{Broker: b.URL, ClientID: "a", Username: "dev1", Password: "s3cret", TLS: trust}, false, ""},
		{"wrong password", mqtt.Options{Broker: b.URL, ClientID: "b", Username: "dev1", Password: "guess", TLS: trust}, true, "not Authorized"},
		{"anonymous", mqtt.Options{Broker: b.URL, ClientID: "c", TLS: trust}, true, "not Authorized"},
		{"a CA that did not sign the broker's certificate", mqtt.Options{Broker: b.URL, ClientID: "d", Username: "dev1", Password: "s3cret", TLS: wrongCA}, true, "certificate"},
		{"client certificate: its name is the user", mqtt.Options{Broker: b.CertURL, ClientID: "e", TLS: withCert}, false, ""},
		{"expired client certificate", mqtt.Options{Broker: b.CertURL, ClientID: "f", TLS: expired}, true, ""},
		{"no client certificate where one is required", mqtt.Options{Broker: b.CertURL, ClientID: "g", TLS: trust}, true, ""},
	}
	for _, c := range cases {
		err := connect(t, c.opts)
		switch {
		case !c.refused && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.refused && err == nil:
			t.Errorf("%s: connected", c.name)
		case c.refused && !strings.Contains(err.Error(), c.says):
			t.Errorf("%s: got %v, want an error about %q", c.name, err, c.says)
		case c.refused && mqtt.Unavailable(err):
			t.Errorf("%s: %v was waited out as if the broker were down", c.name, err)
		}
	}
}

// TestDialWaitsForTheBroker: a tool started while the broker is down
// connects once it is back.
func TestDialWaitsForTheBroker(t *testing.T) {
	b := mqtttest.Start(t)
	b.Stop()
	log := &testkit.Log{}
	c := mqtt.NewClient(mqtt.Options{Broker: b.URL, ClientID: "patient", Once: true, Logger: log.Logger()})
	defer c.Disconnect(50)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- mqtt.Dial(ctx, c) }()
	testkit.WaitFor(t, 10*time.Second, "a refused connection", func() bool {
		return len(log.Lines("broker connection failed")) > 0
	})
	b.Restart()
	if err := <-done; err != nil {
		t.Fatalf("Dial after the broker came back: %v", err)
	}
}
