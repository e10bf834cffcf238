package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/firmware/agent/agenttest"
	"github.com/halte-transit/halte/firmware/store"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
	"github.com/halte-transit/halte/sign"
	"github.com/halte-transit/halte/sign/signtest"
)

// secureSite is a set-up as deployed: Mosquitto with TLS, the shipped ACL
// and passwords, a device made by scripts/provision-device.sh, a hub that
// checks operators' signatures and signs its documents, and the device's
// agent, which speaks only what the hub signed.
type secureSite struct {
	broker                          *mqtttest.Broker
	hubKey, oldHub, operator, oldOp *sign.Signer
	stranger                        *sign.Signer
	device                          *device
	deviceDir                       string
	hubLog                          *testkit.Log
	passwords                       map[string]string
}

func key(t *testing.T, dir, name string) *sign.Signer {
	t.Helper()
	if _, err := sign.Generate(filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	s, err := sign.LoadSigner(filepath.Join(dir, name+".key"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func startSecureSite(t *testing.T) *secureSite {
	t.Helper()
	testkit.RequireTool(t, "espeak-ng")
	testkit.RequireTool(t, "mosquitto_passwd")
	dir := t.TempDir()
	s := &secureSite{hubLog: &testkit.Log{}, deviceDir: filepath.Join(dir, "device"),
		passwords: map[string]string{"hub": "hub-pass", "operator": "op-pass", "app": "app-pass"}}
	s.hubKey, s.oldHub = key(t, dir, "hub"), key(t, dir, "old-hub")
	s.operator, s.oldOp, s.stranger = key(t, dir, "operator"), key(t, dir, "old-operator"), key(t, dir, "stranger")

	acl, err := os.ReadFile("../mosquitto/halte.acl")
	if err != nil {
		t.Fatal(err)
	}
	aclFile, passwd := filepath.Join(dir, "acl"), filepath.Join(dir, "passwd")
	if err := os.WriteFile(aclFile, acl, 0o600); err != nil {
		t.Fatal(err)
	}
	ca := mqtttest.NewCA(t, dir, "site-ca")
	for _, d := range []struct{ id, stop, out string }{{"dev1", stop, s.deviceDir}, {"dev2", "200801", filepath.Join(dir, "dev2")}} {
		out, err := exec.Command("../../scripts/provision-device.sh", "--device", d.id, "--stop", d.stop,
			"--broker", "ssl://127.0.0.1:1", "--hub-key", filepath.Join(dir, "hub.pub"), "--ca", ca.CertFile,
			"--passwd", passwd, "--acl", aclFile, "--out", d.out, "--etc", d.out).CombinedOutput()
		if err != nil {
			t.Fatalf("provision-device.sh: %v\n%s", err, out)
		}
	}
	finalACL, _ := os.ReadFile(aclFile)
	s.broker = mqtttest.StartSecured(t, mqtttest.Secured{TLS: true, CA: ca, PasswordFile: passwd, Users: s.passwords, ACL: string(finalACL)})

	// The hub: operators' keys (the old one revoked), its own signing key.
	operators, err := sign.LoadVerifier([]string{filepath.Join(dir, "operator.pub"), filepath.Join(dir, "old-operator.pub")}, []string{s.oldOp.ID()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		err := hub.Run(ctx, hub.Config{Connection: s.login(t, "hub"), ClientID: "halte-hub-test", Network: sample.GhentNetwork(),
			OperatorKeys: operators, Key: s.hubKey, Logger: s.hubLog.Logger()})
		if err != nil {
			t.Errorf("hub: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })

	// The device, from the configuration the script made; it also trusts
	// the hub's old key, revoked.
	cfg, err := agent.LoadConfig(filepath.Join(s.deviceDir, "halte.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Broker, cfg.StateDir = agent.Brokers{s.broker.URL}, filepath.Join(dir, "state")
	cfg.HubKeys = append(cfg.HubKeys, filepath.Join(dir, "old-hub.pub"))
	cfg.RevokedKeys = []string{s.oldHub.ID()}
	cfg.StartupWait = 300 * time.Millisecond
	cfg.Announce = agent.AnnounceConfig{Coalesce: 50 * time.Millisecond, MinGap: 100 * time.Millisecond}
	s.device = startConfigured(t, cfg)
	return s
}

// login returns the connection options of a user of the site.
func (s *secureSite) login(t *testing.T, user string) mqtt.Options {
	t.Helper()
	tls, err := mqtt.TLSFiles{CA: s.broker.CAFile()}.Config()
	if err != nil {
		t.Fatal(err)
	}
	pass := s.passwords[user]
	if user == "dev1" {
		raw, _ := os.ReadFile(filepath.Join(s.deviceDir, "password"))
		pass = strings.TrimSpace(string(raw))
	}
	return mqtt.Options{Broker: s.broker.URL, Username: user, Password: pass, TLS: tls, Logger: (&testkit.Log{}).Logger()}
}

// client connects as user.
func (s *secureSite) client(t *testing.T, user, id string) paho.Client {
	t.Helper()
	o := s.login(t, user)
	o.ClientID = id
	c := mqtt.NewClient(o)
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := mqtt.Connect(ctx, c); err != nil {
		t.Fatalf("%s: %v", user, err)
	}
	t.Cleanup(func() { c.Disconnect(50) })
	return c
}

// startConfigured starts an agent from a configuration, speaking into WAVs.
func startConfigured(t *testing.T, cfg agent.Config) *device {
	t.Helper()
	return &device{agenttest.Start(t, cfg)}
}

func signedJSON(t *testing.T, s *sign.Signer, v any) []byte {
	t.Helper()
	raw, ok := v.([]byte)
	if !ok {
		raw, _ = json.Marshal(v)
	}
	out, err := s.Sign(raw)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHostileInputIsNeverSpoken throws documents, alerts and connections at
// a secured site. In every case nothing is spoken, nothing is stored, and the
// reason is logged.
func TestHostileInputIsNeverSpoken(t *testing.T) {
	s := startSecureSite(t)
	dev := s.device
	op := s.client(t, "operator", "halte-cli-test")
	now := time.Now()
	good := halte.Alert{ID: "good", Version: uint64(now.UnixMilli()), Effect: halte.Detour, Stops: []string{stop},
		Header: halte.Text{"nl": "Tram 1 rijdt om."}}
	publish(t, op, mqtt.OperatorAlertTopic("good"), signedJSON(t, s.operator, good))
	dev.waitAnnounced(t, "good", 1) // the path works: over TLS, with credentials, signed at both hops
	heard := len(dev.announcements())

	// What the broker holds now, signed by the hub, to replay and to alter.
	var latest []byte
	watcher := s.client(t, "hub", "halte-hub-watch")
	got := make(chan []byte, 10)
	watcher.Subscribe(mqtt.StopTopic(stop), 1, func(_ paho.Client, m paho.Message) { got <- m.Payload() }).Wait()
	select {
	case latest = <-got:
	case <-time.After(deadline):
		t.Fatal("no retained document")
	}
	body, _, err := s.hubKey.Verifier().Open(latest)
	if err != nil {
		t.Fatal(err)
	}
	current, _ := halte.DecodeStopState(body)
	doc := func(mod func(*halte.StopState)) []byte {
		d := current
		d.Version, d.IssuedAt = current.Version+1000, time.Now().UTC()
		if mod != nil {
			mod(&d)
		}
		raw, _ := json.Marshal(d)
		return raw
	}
	evil := doc(func(d *halte.StopState) { d.Alerts[0].Header = halte.Text{"nl": "Alle trams rijden niet meer."} })
	attacker := s.client(t, "hub", "halte-hub-attacker") // has the hub's broker password, not its key

	docCases := []struct {
		name    string
		payload []byte
		reason  halte.Reason
	}{
		{"unsigned", evil, halte.ReasonUnsigned},
		{"signed by an unknown key", signedJSON(t, s.stranger, evil), halte.ReasonUnknownKey},
		{"signed by the hub's revoked key", signedJSON(t, s.oldHub, evil), halte.ReasonRevoked},
		{"altered after signing", signtest.Altered(latest, evil), halte.ReasonBadSignature},
		{"corrupted signature", signtest.Corrupted(signedJSON(t, s.hubKey, evil)), halte.ReasonBadSignature},
		{"alg none", signtest.WithAlg(signedJSON(t, s.hubKey, evil), "none", s.hubKey.ID()), halte.ReasonBadSignature},
		{"alg HS256", signtest.WithAlg(signedJSON(t, s.hubKey, evil), "HS256", s.hubKey.ID()), halte.ReasonBadSignature},
		{"signed by an operator's key", signedJSON(t, s.operator, evil), halte.ReasonUnknownKey},
		{"an older version", signedJSON(t, s.hubKey, doc(func(d *halte.StopState) { d.Version = current.Version - 1 })), halte.ReasonReplay},
		{"issued in the future", signedJSON(t, s.hubKey, doc(func(d *halte.StopState) { d.IssuedAt = time.Now().Add(2 * time.Hour) })), halte.ReasonFuture},
		{"a version from the future", signedJSON(t, s.hubKey, doc(func(d *halte.StopState) { d.Version = uint64(time.Now().Add(48 * time.Hour).UnixMilli()) })), halte.ReasonFuture},
		{"a document for another stop", signedJSON(t, s.hubKey, doc(func(d *halte.StopState) { d.Stop = "200801" })), halte.ReasonWrongStop},
		{"signed, not JSON", signedJSON(t, s.hubKey, []byte("tram 1 rijdt niet")), halte.ReasonSyntax},
		{"signed, an unknown effect", signedJSON(t, s.hubKey, doc(func(d *halte.StopState) { d.Alerts[0].Effect = "EXPLOSION" })), halte.ReasonInvalid},
		{"signed, 2 MB", signedJSON(t, s.hubKey, doc(func(d *halte.StopState) { d.Alerts[0].Description = halte.Text{"nl": strings.Repeat("x", 2<<20)} })), halte.ReasonTooLarge},
	}
	// The held document sent again (a broker's redelivery, or a replay of
	// it) changes nothing and is no refusal.
	t.Run("the held document again", func(t *testing.T) {
		again := dev.Stats().Again
		publish(t, attacker, mqtt.StopTopic(stop), latest)
		testkit.WaitFor(t, deadline, "the document counted as received again", func() bool { return dev.Stats().Again > again })
		if n, refused := len(dev.announcements()), len(dev.Log.Lines("stop document refused")); n != heard || refused != 0 {
			t.Fatalf("%d announcements (had %d), %d refusals", n, heard, refused)
		}
	})
	// The hub sees each hostile document on its stop's topic too, and
	// replaces it with a newly signed one of the same content: the device
	// may store that, but never what the attacker wrote.
	for _, c := range docCases {
		t.Run("document "+c.name, func(t *testing.T) {
			before := refusals(dev, c.reason)
			publish(t, attacker, mqtt.StopTopic(stop), c.payload)
			testkit.WaitFor(t, deadline, "the refusal with reason "+string(c.reason), func() bool { return refusals(dev, c.reason) > before })
			if n := len(dev.announcements()); n != heard {
				t.Fatalf("spoken: %d announcements, had %d", n, heard)
			}
			if text := heldText(dev); text != "Tram 1 rijdt om." {
				t.Fatalf("the device holds %q", text)
			}
		})
	}
	// Put the good document back, as the hub would on its next change.
	publish(t, attacker, mqtt.StopTopic(stop), latest)

	alertCases := []struct {
		name    string
		payload []byte
		reason  halte.Reason
	}{
		{"unsigned operator alert", mustJSON(halte.Alert{ID: "evil", Version: 1, Effect: halte.NoService, Stops: []string{stop}}), halte.ReasonUnsigned},
		{"operator alert signed by an unknown key", signedJSON(t, s.stranger, halte.Alert{ID: "evil", Version: 1, Effect: halte.NoService, Stops: []string{stop}}), halte.ReasonUnknownKey},
		{"operator alert signed by a revoked key", signedJSON(t, s.oldOp, halte.Alert{ID: "evil", Version: 1, Effect: halte.NoService, Stops: []string{stop}}), halte.ReasonRevoked},
		{"operator alert signed by the hub's key", signedJSON(t, s.hubKey, halte.Alert{ID: "evil", Version: 1, Effect: halte.NoService, Stops: []string{stop}}), halte.ReasonUnknownKey},
		{"operator alert altered after signing", signtest.Altered(signedJSON(t, s.operator, halte.Alert{ID: "evil", Version: 1, Effect: halte.Detour, Stops: []string{stop}}),
			mustJSON(halte.Alert{ID: "evil", Version: 1, Effect: halte.NoService, Stops: []string{stop}})), halte.ReasonBadSignature},
		{"operator alert with a version from the future", signedJSON(t, s.operator, halte.Alert{ID: "evil", Version: uint64(time.Now().Add(30 * 24 * time.Hour).UnixMilli()), Effect: halte.NoService, Stops: []string{stop}}), halte.ReasonFuture},
		{"a replayed operator alert", signedJSON(t, s.operator, good), halte.ReasonReplay},
	}
	for i, c := range alertCases {
		t.Run(c.name, func(t *testing.T) {
			id := "evil"
			if c.reason == halte.ReasonReplay {
				id = "good"
			}
			publish(t, op, mqtt.OperatorAlertTopic(id), c.payload)
			testkit.WaitFor(t, deadline, "the hub's refusal", func() bool { return len(s.hubLog.Lines("operator alert refused")) > i })
			if line := s.hubLog.Lines("operator alert refused")[i]; line["reason"] != string(c.reason) {
				t.Fatalf("refused with %v, want reason %s", line, c.reason)
			}
		})
	}

	t.Run("the broker refuses what a credential may not do", func(t *testing.T) {
		dev1 := s.client(t, "dev1", "halte-agent-dev1-impostor")
		publish(t, dev1, mqtt.OperatorAlertTopic("evil2"), signedJSON(t, s.operator, halte.Alert{ID: "evil2", Version: 1, Effect: halte.NoService, Stops: []string{stop}}))
		publish(t, dev1, mqtt.StopTopic(stop), signedJSON(t, s.hubKey, doc(nil)))
		dev1.Subscribe(mqtt.StopTopic("200801"), 1, func(paho.Client, paho.Message) { t.Error("dev1 read another stop's document") }).Wait()
		app := s.client(t, "app", "app-watch")
		other := make(chan struct{}, 10)
		app.Subscribe(mqtt.StopTopic("200801"), 1, func(paho.Client, paho.Message) { other <- struct{}{} }).Wait()
		testkit.WaitFor(t, deadline, "the broker's denials in its log", func() bool {
			return s.broker.Denied("halte-agent-dev1-impostor")
		})
		// A barrier: later good alerts reach the device and another stop's
		// reader, and nothing of the above did.
		next := good
		next.ID, next.Version, next.Header = "next", uint64(time.Now().UnixMilli()), halte.Text{"nl": "Nog een omleiding."}
		next.Stops = []string{stop, "200801"}
		publish(t, op, mqtt.OperatorAlertTopic("next"), signedJSON(t, s.operator, next))
		dev.waitAnnounced(t, "next", 1)
		select {
		case <-other:
		case <-time.After(deadline):
			t.Fatal("the app never saw stop 200801's document")
		}
		for _, l := range dev.announcements() {
			if l["alert"] == "evil2" || strings.Contains(fmt.Sprint(l["text"]), "Alle trams") {
				t.Fatalf("spoken: %v", l)
			}
		}
		if len(s.hubLog.Lines("operator alert accepted")) != 2 {
			t.Fatalf("the hub accepted %d alerts, want good and next", len(s.hubLog.Lines("operator alert accepted")))
		}
	})

	t.Run("connections refused: wrong CA, wrong password, expired certificate", func(t *testing.T) {
		other := mqtttest.NewCA(t, t.TempDir(), "other-ca")
		cfg, _ := agent.LoadConfig(filepath.Join(s.deviceDir, "halte.yaml"))
		cfg.Broker, cfg.StateDir, cfg.StartupWait = agent.Brokers{s.broker.URL}, t.TempDir(), 200*time.Millisecond
		cases := map[string]func(*agent.Config){
			"a CA that did not sign the broker": func(c *agent.Config) { c.TLS.CA = other.CertFile },
			"a wrong password": func(c *agent.Config) {
				wrong := filepath.Join(t.TempDir(), "pw")
				os.WriteFile(wrong, []byte("guess\n"), 0o600)
				c.PasswordFile = wrong
			},
		}
		for name, mod := range cases {
			c := cfg
			c.StateDir = t.TempDir()
			mod(&c)
			d := startConfigured(t, c)
			testkit.WaitFor(t, deadline, name+": the failure in the log", func() bool {
				return len(d.Log.Lines("broker connection failed")) > 0
			})
			if d.Stats().Applied != 0 || len(d.announcements()) != 0 {
				t.Fatalf("%s: the device heard something", name)
			}
		}
		expired := mqtttest.StartSecured(t, mqtttest.Secured{ClientCerts: true, CA: s.broker.CA(), ACL: "pattern readwrite halte/v1/sync/%c\n"})
		certFile, keyFile := s.broker.CA().Issue(t, "dev1", time.Now().Add(-time.Minute), false)
		tls, _ := mqtt.TLSFiles{CA: s.broker.CAFile(), Cert: certFile, Key: keyFile}.Config()
		c := mqtt.NewClient(mqtt.Options{Broker: expired.CertURL, ClientID: "halte-agent-dev1", TLS: tls, Once: true, Logger: (&testkit.Log{}).Logger()})
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		if err := mqtt.Connect(ctx, c); err == nil {
			t.Fatal("an expired client certificate was accepted")
		}
	})

	if v := dev.storedVersion(t); v != current.Version && v < current.Version {
		t.Fatalf("the state file went back to version %d", v)
	}
}

func refusals(d *device, r halte.Reason) int {
	n := 0
	for _, l := range d.Log.Lines("stop document refused") {
		if l["reason"] == string(r) {
			n++
		}
	}
	return n
}

// heldText is the Dutch header of the first alert the device holds.
func heldText(d *device) string {
	doc := d.Documents()[stop]
	if len(doc.Alerts) == 0 {
		return ""
	}
	return doc.Alerts[0].Header["nl"]
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// storedVersion reads the device's state file after the device stops.
func (d *device) storedVersion(t *testing.T) uint64 {
	t.Helper()
	d.Stop()
	st, err := store.Open(d.StateDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.All()
	if err != nil {
		t.Fatal(err)
	}
	return all[stop].Version
}
