package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

func TestPublishRefusesBadAlertsBeforeSending(t *testing.T) {
	broker := mqtttest.Start(t)
	watcher := mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "watcher", Logger: (&testkit.Log{}).Logger()})
	if tok := watcher.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer watcher.Disconnect(100)
	seen := make(chan string, 100)
	watcher.Subscribe(mqtt.OperatorAlertsFilter, 1, func(_ paho.Client, m paho.Message) { seen <- mqtt.LastLevel(m.Topic()) }).Wait()

	dir := t.TempDir()
	bigFile := filepath.Join(dir, "big.json")
	os.WriteFile(bigFile, []byte(`{"id":"big","version":1,"effect":"DETOUR","stops":["s"],"header":{"nl":"`+strings.Repeat("x", 2<<20)+`"}}`), 0o644)
	typeFile := filepath.Join(dir, "type.json")
	os.WriteFile(typeFile, []byte(`{"id":"typ","version":"1","effect":"DETOUR","stops":["s"]}`), 0o644)
	notJSON := filepath.Join(dir, "not.json")
	os.WriteFile(notJSON, []byte(`tram 1 rijdt niet`), 0o644)
	utf8File := filepath.Join(dir, "utf8.json")
	os.WriteFile(utf8File, []byte("{\"id\":\"u\",\"version\":1,\"effect\":\"DETOUR\",\"stops\":[\"s\"],\"header\":{\"nl\":\"\xff\"}}"), 0o644)

	cases := []struct {
		name string
		args []string
		says string
	}{
		{"unknown effect", []string{"--id", "a", "--effect", "explosion", "--stop", "200101", "--text", "nl=x"}, `field "effect": unknown effect "explosion"`},
		{"no stop and no line", []string{"--id", "a", "--effect", "detour", "--text", "nl=x"}, `field "stops": the alert names no stop and no line`},
		{"missing id", []string{"--effect", "detour", "--stop", "200101"}, `field "id": missing or empty`},
		{"bad text flag", []string{"--id", "a", "--effect", "detour", "--stop", "s", "--text", "geen taal"}, "want LANG=TEXT"},
		{"bad time", []string{"--id", "a", "--effect", "detour", "--stop", "s", "--until", "morgen"}, "want an RFC 3339 time"},
		{"2 MB file", []string{"-f", bigFile}, "larger than the limit"},
		{"wrong type in file", []string{"-f", typeFile}, `field "version": want a whole number, got JSON string`},
		{"not JSON", []string{"-f", notJSON}, "not a JSON object"},
		{"invalid UTF-8", []string{"-f", utf8File}, "not valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runHalte(t, nil, append([]string{"alert", "publish", "--broker", broker.URL}, c.args...)...)
			if r.code == 0 {
				t.Fatalf("accepted; stdout %s", r.stdout)
			}
			mustContain(t, "the error", r.stderr, c.says)
		})
	}
	// A valid alert afterwards is the only one the broker ever saw.
	if r := runHalte(t, nil, "alert", "publish", "--broker", broker.URL, "--id", "ok", "--effect", "DETOUR", "--stop", "200101"); r.code != 0 {
		t.Fatalf("valid alert refused: %s", r.stderr)
	}
	if got := <-seen; got != "ok" {
		t.Fatalf("the broker received alert %q before the valid one", got)
	}
}

func TestCancelPublishesACancelDocument(t *testing.T) {
	broker := mqtttest.Start(t)
	r := runHalte(t, []string{"HALTE_BROKER=" + broker.URL}, "alert", "cancel", "werken-1")
	if r.code != 0 {
		t.Fatalf("cancel failed: %s", r.stderr)
	}
	mustContain(t, "the output", r.stdout, "cancelled alert werken-1 on halte/v1/operator/alerts/werken-1")
	if r := runHalte(t, nil, "alert", "cancel", "--broker", broker.URL); r.code != 2 {
		t.Fatalf("cancel without id: exit %d, want 2", r.code)
	}
}

func TestAgentConfigErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		config string
		says   string
	}{
		{"broker: tcp://127.0.0.1:1883\ndevise: x\n", "field devise not found"},
		{"broker: tcp://127.0.0.1:1883\ndevice: d\nstops: [200101]\nstate_dir: " + dir + "\ninsecure: true\naudio: {output: speakers}\n", "config key audio.output"},
		{"broker: tcp://127.0.0.1:1883\ndevice: d\nstops: [200101]\nstate_dir: " + dir + "\n", "config key hub_keys"},
		{"broker: tcp://127.0.0.1:1883\ndevice: d\nstops: [200101]\nstate_dir: " + dir + "\nhub_keys: [" + dir + "/missing.pub]\n", "missing.pub"},
		{"broker: localhost\ndevice: d\nstops: [200101]\nstate_dir: " + dir + "\n", "config key broker"},
		{"broker: tcp://127.0.0.1:1883\ndevice: d\nstate_dir: " + dir + "\n", "config key stops"},
		{"broker: tcp://127.0.0.1:1883\ndevice: d\nstops: 200101\nstate_dir: " + dir + "\n", "line 3"},
	}
	for i, c := range cases {
		r := runHalte(t, []string{"HALTE_BROKER="}, "agent", "--config", write("c"+string(rune('0'+i))+".yaml", c.config))
		if r.code == 0 {
			t.Fatalf("config %d accepted", i)
		}
		mustContain(t, "the error", r.stderr, c.says)
	}
}

func TestHubRefusesToRunUnsignedUnlessInsecure(t *testing.T) {
	r := runHalte(t, nil, "hub", "--broker", "tcp://127.0.0.1:1", "--gtfs", sampleGTFS)
	if r.code != 2 || !strings.Contains(r.stderr, "--operator-keys and --key are required") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r = runHalte(t, nil, "agent", "--broker", "tcp://127.0.0.1:1", "--device", "d", "--stop", "s", "--state-dir", t.TempDir())
	if r.code != 2 || !strings.Contains(r.stderr, "config key hub_keys") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

func TestSelftest(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	r := runHalte(t, nil, "selftest", "--sim")
	if r.code != 0 {
		t.Fatalf("selftest --sim: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, part := range []string{"speech", "audio", "light", "vibration", "button"} {
		mustContain(t, "the self-test's report", r.stdout, part)
	}
	if strings.Contains(r.stdout, "FAULT") {
		t.Fatalf("faults in a simulated self-test:\n%s", r.stdout)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "pins.yaml")
	os.WriteFile(cfg, []byte("broker: tcp://127.0.0.1:1\ndevice: d\nstops: [s]\nstate_dir: "+dir+"\ninsecure: true\n"+
		"audio: {output: none}\npins: {button: {name: GPIO17, active_low: true}, led: GPIO27, vibration: GPIO22}\n"), 0o644)
	if _, err := os.Stat("/dev/gpiochip0"); err == nil {
		t.Skip("this machine has GPIO")
	}
	r = runHalte(t, nil, "agent", "--config", cfg)
	if r.code == 0 || !strings.Contains(r.stderr, "pin GPIO17 (button) cannot be opened: this machine has no GPIO") {
		t.Fatalf("agent with pins on a machine without GPIO: exit %d: %s", r.code, r.stderr)
	}
	r = runHalte(t, nil, "selftest", "--config", cfg)
	if r.code == 0 || !strings.Contains(r.stdout, "GPIO17") {
		t.Fatalf("selftest with pins on a machine without GPIO: exit %d: %s", r.code, r.stdout)
	}
}
