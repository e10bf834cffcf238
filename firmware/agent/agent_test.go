package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfsrt"
	"github.com/halte-transit/halte/feeds/source"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/firmware/agent/agenttest"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
	"github.com/halte-transit/halte/tts"
)

func tram1Alert(version uint64) halte.Alert {
	return halte.Alert{ID: "tram1", Version: version, Effect: halte.NoService, Severity: halte.Severe,
		Lines:  []halte.Line{{ID: "T1"}},
		Header: halte.Text{"nl": "Tram 1 rijdt niet tussen Korenmarkt en Rabot."},
		Advice: halte.Text{"nl": "Neem bus 70 aan Gent Zuid."}}
}

func TestOperatorAlertIsSpoken(t *testing.T) {
	broker := mqtttest.Start(t)
	startHub(t, broker.URL)
	dev := startDevice(t, broker.URL, t.TempDir())
	op := client(t, broker.URL, "operator")
	publish(t, op, mqtt.OperatorAlertTopic("tram1"), tram1Alert(1))

	line := dev.waitAnnounced(t, "tram1", 1)
	want := "Tram 1 rijdt niet tussen Korenmarkt en Rabot. Neem bus 70 aan Gent Zuid."
	if line["text"] != want || line["lang"] != "nl" || line["trigger"] != "new" || line["version"] != float64(1) {
		t.Fatalf("announce line %v; want text %q, lang nl, trigger new, version 1", line, want)
	}
	files := dev.waitWAVs(t, 1)
	length, peak := wavStats(t, files[0])
	if length < 2*time.Second || length > 20*time.Second || peak < 3000 {
		t.Fatalf("speech of %s with peak %d: not a plausible spoken sentence", length, peak)
	}
}

func TestCancelledWhileStoppedIsNeverSpoken(t *testing.T) {
	broker := mqtttest.Start(t)
	startHub(t, broker.URL)
	state := t.TempDir()
	op := client(t, broker.URL, "operator")
	docs := watchStop(t, op)

	dev := startDevice(t, broker.URL, state)
	publish(t, op, mqtt.OperatorAlertTopic("tram1"), tram1Alert(1))
	dev.waitAnnounced(t, "tram1", 1)
	dev.Stop()

	publish(t, op, mqtt.OperatorAlertTopic("tram1"), halte.Alert{ID: "tram1", Version: 2, Cancelled: true})
	testkit.WaitFor(t, deadline, "the hub's document without the alert", func() bool {
		d := docs()
		return len(d) >= 2 && len(d[len(d)-1].Alerts) == 0
	})

	again := startDevice(t, broker.URL, state)
	// A later alert is a barrier: speech is in order, so had the cancelled
	// alert been queued, it would be spoken before this one.
	publish(t, op, mqtt.OperatorAlertTopic("lift"), halte.Alert{ID: "lift", Version: 1,
		Effect: halte.AccessibilityIssue, Stops: []string{stop}, Header: halte.Text{"nl": "De lift is stuk."}})
	again.waitAnnounced(t, "lift", 1)
	for _, l := range again.announcements() {
		if l["alert"] == "tram1" {
			t.Fatalf("the cancelled alert was spoken after the restart: %v", l)
		}
	}
}

func TestRestoresAndSpeaksWithoutBroker(t *testing.T) {
	broker := mqtttest.Start(t)
	startHub(t, broker.URL)
	state := t.TempDir()
	dev := startDevice(t, broker.URL, state)
	publish(t, client(t, broker.URL, "operator"), mqtt.OperatorAlertTopic("tram1"), tram1Alert(1))
	dev.waitAnnounced(t, "tram1", 1)
	dev.Stop()
	broker.Stop()

	offline := startDevice(t, broker.URL, state)
	line := offline.waitAnnounced(t, "tram1", 1)
	if line["trigger"] != "start" || !strings.Contains(line["text"].(string), "Tram 1 rijdt niet") {
		t.Fatalf("restored announcement %v", line)
	}
	testkit.WaitFor(t, deadline, "the device to say it works offline", func() bool {
		return len(offline.Log.Lines("broker not reached; announcing the stored state")) == 1
	})
	offline.waitWAVs(t, 1)
}

// doc is a stop document as the hub would publish it.
func doc(version uint64, alerts ...halte.Alert) halte.StopState {
	if alerts == nil {
		alerts = []halte.Alert{}
	}
	return halte.StopState{Stop: stop, Version: version, IssuedAt: time.Now().UTC(), Alerts: alerts}
}

func alert(id, text string) halte.Alert {
	return halte.Alert{ID: id, Version: 1, Effect: halte.Detour, Stops: []string{stop}, Header: halte.Text{"nl": text}}
}

// deviceSpeaking starts a device without a hub, and has a test client
// publish it a first document, with one alert, announced.
func deviceSpeaking(t *testing.T, first halte.StopState) (*device, paho.Client) {
	t.Helper()
	broker := mqtttest.Start(t)
	dev := startDevice(t, broker.URL, t.TempDir())
	hubLike := client(t, broker.URL, "fake-hub")
	publish(t, hubLike, mqtt.StopTopic(stop), first)
	dev.waitAnnounced(t, first.Alerts[0].ID, 1)
	return dev, hubLike
}

func TestDuplicateAndOlderDocumentsChangeNothing(t *testing.T) {
	first := doc(10, alert("a", "Omleiding a."))
	dev, hubLike := deviceSpeaking(t, first)

	publish(t, hubLike, mqtt.StopTopic(stop), first)                               // the held document again
	publish(t, hubLike, mqtt.StopTopic(stop), doc(10, alert("b", "Omleiding b."))) // duplicate version
	publish(t, hubLike, mqtt.StopTopic(stop), doc(9, alert("c", "Omleiding c.")))  // out of order
	bumped := alert("a", "Omleiding a.")
	bumped.Version = 2
	publish(t, hubLike, mqtt.StopTopic(stop), doc(11, bumped)) // same content, new version
	publish(t, hubLike, mqtt.StopTopic(stop), doc(12, bumped, alert("d", "Omleiding d.")))
	dev.waitAnnounced(t, "d", 1)

	var got []string
	for _, l := range dev.announcements() {
		got = append(got, l["alert"].(string))
	}
	if strings.Join(got, ",") != "a,d" {
		t.Fatalf("announced %v, want a then d only", got)
	}
	if s := dev.Stats(); s.Rejected[halte.ReasonReplay] != 2 || s.Applied != 3 || s.Again != 1 {
		t.Fatalf("stats %+v, want 2 refused as replays, 3 applied and 1 received again", s)
	}
}

// OnStored is told each document committed, and nothing refused.
func TestOnStoredIsToldEachCommit(t *testing.T) {
	var stored []uint64
	a, err := agent.New(agent.Config{Broker: agent.Brokers{"tcp://127.0.0.1:1"}, Device: "d", Stops: []string{stop}, StateDir: t.TempDir(),
		Insecure: true, Audio: agent.AudioConfig{Output: "none"}},
		agent.Deps{Engine: tts.Espeak{}, Logger: (&testkit.Log{}).Logger(), OnStored: func(d halte.StopState) { stored = append(stored, d.Version) }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, v := range []uint64{3, 3, 2, 4} {
		raw, _ := json.Marshal(doc(v, alert("a", "Omleiding.")))
		if err := a.HandleDocument(stop, raw); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(stored) != "[3 4]" {
		t.Fatalf("told of versions %v, want [3 4] (the duplicate and the older one refused)", stored)
	}
}

// Alive answers only while the policy loop turns: not before Run, not
// after it ends.
func TestAliveWhileThePolicyLoopTurns(t *testing.T) {
	a, err := agent.New(agent.Config{Broker: agent.Brokers{"tcp://127.0.0.1:1"}, Device: "d", Stops: []string{stop}, StateDir: t.TempDir(),
		Insecure: true, StartupWait: time.Millisecond, Audio: agent.AudioConfig{Output: "none"}},
		agent.Deps{Engine: tts.Espeak{}, Logger: (&testkit.Log{}).Logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	alive := func(within time.Duration) bool {
		ctx, cancel := context.WithTimeout(context.Background(), within)
		defer cancel()
		return a.Alive(ctx)
	}
	if alive(100 * time.Millisecond) {
		t.Fatal("alive before Run")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	<-a.Ready()
	if !alive(deadline) {
		t.Fatal("not alive while running")
	}
	cancel()
	<-done
	if alive(100 * time.Millisecond) {
		t.Fatal("alive after Run ended")
	}
}

func TestBadDocumentsAreRefused(t *testing.T) {
	dev, hubLike := deviceSpeaking(t, doc(5, alert("good", "Omleiding.")))

	bad := []struct {
		payload string
		reason  halte.Reason
	}{
		{"not json at all", halte.ReasonSyntax},
		{`{"stop":"200101","version":"6","issued_at":"2026-11-29T14:00:00Z","alerts":[]}`, halte.ReasonType},
		{`{"stop":"200101","version":6,"issued_at":"2026-11-29T14:00:00Z","alerts":[{"version":1,"effect":"DETOUR","stops":["200101"]}]}`, halte.ReasonInvalid},
		{`{"stop":"200101","version":6,"issued_at":"2026-11-29T14:00:00Z","alerts":[{"id":"x","version":1,"effect":"EXPLOSION","stops":["200101"]}]}`, halte.ReasonInvalid},
		{`{"stop":"200101","version":6,"issued_at":"2026-11-29T14:00:00Z","alerts":[{"id":"x","version":1,"effect":"DETOUR"}]}`, halte.ReasonInvalid},
		{`{"stop":"200101","version":6,"issued_at":"2026-11-29T14:00:00Z","alerts":[{"id":"x","version":1,"effect":"DETOUR","header":{"nl":"` + strings.Repeat("x", 2<<20) + `"}}]}`, halte.ReasonTooLarge},
		{"{\"stop\":\"200101\",\"version\":6,\"issued_at\":\"2026-11-29T14:00:00Z\",\"alerts\":[{\"id\":\"\xff\",\"version\":1,\"effect\":\"DETOUR\"}]}", halte.ReasonEncoding},
		{`{"stop":"200999","version":6,"issued_at":"2026-11-29T14:00:00Z","alerts":[]}`, halte.ReasonWrongStop},
		{`{"stop":"200101","version":6,"alerts":[]}`, halte.ReasonInvalid},
	}
	for i, b := range bad {
		publish(t, hubLike, mqtt.StopTopic(stop), []byte(b.payload))
		testkit.WaitFor(t, deadline, "refusal of bad document", func() bool {
			return len(dev.Log.Lines("stop document refused")) == i+1
		})
		line := dev.Log.Lines("stop document refused")[i]
		if line["reason"] != string(b.reason) || line["err"] == "" {
			t.Fatalf("payload %d: refusal %v, want reason %s and the problem named", i, line, b.reason)
		}
	}
	stats := dev.Stats()
	total := 0
	for _, n := range stats.Rejected {
		total += n
	}
	if total != len(bad) || stats.Applied != 1 {
		t.Fatalf("stats %+v, want %d refused and 1 applied", stats, len(bad))
	}
	// Operators see the same counters in the device's retained status.
	reported := statuses(hubLike)
	testkit.WaitFor(t, deadline, "the status to report the refusals", func() bool {
		for {
			select {
			case st := <-reported:
				sum := 0.0
				for _, n := range st["rejected"].(map[string]any) {
					sum += n.(float64)
				}
				if sum == float64(len(bad)) && st["versions"].(map[string]any)[stop] == float64(5) {
					return true
				}
			default:
				return false
			}
		}
	})
	// The last good state still stands: a newer document adds to it, and
	// only the new alert is announced.
	publish(t, hubLike, mqtt.StopTopic(stop), doc(6, alert("good", "Omleiding."), alert("next", "Nog een omleiding.")))
	dev.waitAnnounced(t, "next", 1)
	if n := len(dev.announcements()); n != 2 {
		t.Fatalf("%d announcements, want good then next", n)
	}
}

func TestPressAndRemoteTrigger(t *testing.T) {
	minor := alert("minor", "Kleine omleiding.")
	minor.Severity = halte.Warning
	major := alert("major", "Grote omleiding.")
	major.Severity = halte.Severe
	dev, hubLike := deviceSpeaking(t, doc(1, minor))
	publish(t, hubLike, mqtt.StopTopic(stop), doc(2, minor, major))
	dev.waitAnnounced(t, "major", 1)

	// What a press says is synthesized ahead, in the cache.
	waitCached(t, dev, "Twee storingen aan deze halte.", "Grote omleiding.")

	dev.Press(halte.Single)
	answer := dev.waitTrigger(t, "button", 3)
	if answer[0] != "Twee storingen aan deze halte." || answer[1] != "Grote omleiding." || answer[2] != "Kleine omleiding." {
		t.Fatalf("the answer was %q; want the summary, then the severe alert first", answer)
	}
	publish(t, hubLike, mqtt.TriggerTopic(stop), []byte(`{}`))
	if remote := dev.waitTrigger(t, "remote", 3); remote[0] != "Twee storingen aan deze halte." {
		t.Fatalf("the remote answer was %q", remote)
	}
}

// TestFeedAlertStopsBeingSpoken follows an alert from a feed file to the
// stop, and out again when the feed no longer lists it.
func TestFeedAlertStopsBeingSpoken(t *testing.T) {
	broker := mqtttest.Start(t)
	feed := filepath.Join(t.TempDir(), "alerts.json")
	write := func(body string) {
		if err := os.WriteFile(feed+".tmp", []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(feed+".tmp", feed); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"header": {"gtfs_realtime_version": "2.0"}, "entity": [{"id": "w1", "alert": {
		"informed_entity": [{"route_id": "T1"}], "effect": "DETOUR",
		"header_text": {"translation": [{"text": "Tram 1 rijdt om via de Kouter.", "language": "nl"}]}}}]}`)
	startHub(t, broker.URL, &source.Source{Name: "feed", Location: feed, Decode: func(b []byte) ([]halte.FeedAlert, error) {
		return gtfsrt.Decode(b, gtfsrt.Options{Prefix: "rt:"})
	}})
	dev := startDevice(t, broker.URL, t.TempDir())
	dev.waitAnnounced(t, "rt:w1", 1)

	write(`{"header": {"gtfs_realtime_version": "2.0"}, "entity": []}`)
	testkit.WaitFor(t, deadline, "the document without the alert", func() bool {
		return len(dev.Log.Lines("stop document stored")) >= 2
	})
	dev.Press(halte.Single)
	if answer := dev.waitTrigger(t, "button", 2); answer[0] != "Halte Gent Korenmarkt perron 1." ||
		!strings.HasPrefix(answer[len(answer)-1], "Geen storingen gemeld voor deze halte.") {
		t.Fatalf("after the feed dropped the alert, a press answered %q", answer)
	}
}

// TestFailsOverToTheNextBroker: the first broker of the list cannot be
// reached; the agent takes its documents from the next.
func TestFailsOverToTheNextBroker(t *testing.T) {
	broker := mqtttest.Start(t)
	dev := &device{agenttest.Start(t, agent.Config{
		Broker: agent.Brokers{"tcp://127.0.0.1:1", broker.URL}, Device: "failover", Stops: []string{stop},
		StartupWait: 300 * time.Millisecond, Insecure: true,
	})}
	publish(t, client(t, broker.URL, "fake-hub"), mqtt.StopTopic(stop), doc(10, alert("a", "Omleiding a.")))
	dev.waitAnnounced(t, "a", 1)
}

// Stats.Connects counts the first connection and each one after a loss.
func TestCountsConnections(t *testing.T) {
	broker := mqtttest.Start(t)
	dev := startDevice(t, broker.URL, t.TempDir())
	testkit.WaitFor(t, deadline, "the first connection", func() bool { return dev.Stats().Connects == 1 })
	broker.Kill()
	broker.Restart()
	testkit.WaitFor(t, deadline, "the connection after the broker's loss", func() bool { return dev.Stats().Connects == 2 })
}
