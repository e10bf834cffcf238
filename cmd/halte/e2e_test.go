package main_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/audio"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

const sampleGTFS = "../../feeds/gtfs/sample/ghent"

// TestSpokenThroughALSA runs the real binaries: an operator's alert goes
// through Mosquitto and the hub to the agent, whose speech reaches ALSA.
func TestSpokenThroughALSA(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	broker := mqtttest.Start(t)
	home, raw := testkit.ALSAToFile(t)
	keys := t.TempDir()
	for _, name := range []string{"hub", "operator"} {
		if r := runHalte(t, nil, "keys", "gen", "--out", filepath.Join(keys, name)); r.code != 0 || len(strings.TrimSpace(r.stdout)) != 16 {
			t.Fatalf("keys gen: exit %d, printed %q: %s", r.code, r.stdout, r.stderr)
		}
	}
	agent := startHalte(t, []string{"HOME=" + home}, "agent", "--broker", broker.URL, "--device", "e2e",
		"--stop", "200101", "--state-dir", t.TempDir(), "--hub-keys", filepath.Join(keys, "hub.pub"))
	startHalte(t, nil, "hub", "--broker", broker.URL, "--gtfs", sampleGTFS,
		"--key", filepath.Join(keys, "hub.key"), "--operator-keys", filepath.Join(keys, "operator.pub"))
	testkit.WaitFor(t, 20*time.Second, "the agent to synchronize", func() bool {
		return len(agent.log.Lines("synchronized with the broker")) > 0
	})

	r := runHalte(t, nil, "alert", "publish", "--broker", broker.URL, "--key", filepath.Join(keys, "operator.key"), "--id", "werken-1", "--effect", "no_service",
		"--line", "T1", "--text", "nl=Tram 1 rijdt niet door werken aan de Korenmarkt.",
		"--advice", "nl=Neem tram 4 aan perron 2.", "--until", time.Now().Add(3*time.Hour).Format(time.RFC3339))
	if r.code != 0 {
		t.Fatalf("publish failed: %s", r.stderr)
	}
	var line map[string]any
	testkit.WaitFor(t, 20*time.Second, "the announce log line", func() bool {
		lines := agent.log.Lines("announce")
		if len(lines) > 0 {
			line = lines[0]
		}
		return line != nil
	})
	want := "Tram 1 rijdt niet door werken aan de Korenmarkt. Neem tram 4 aan perron 2."
	if line["alert"] != "werken-1" || line["lang"] != "nl" || line["trigger"] != "new" || line["text"] != want || line["version"] == nil {
		t.Fatalf("announce line %v", line)
	}
	// The announce line comes as speech starts; this one once it has played.
	testkit.WaitFor(t, 30*time.Second, "the announcement to be played", func() bool {
		return len(agent.log.Lines("announcement played")) > 0
	})
	// The operator sees which devices hold and announced it, and which are unwell.
	var fleet result
	testkit.WaitFor(t, 20*time.Second, "halte fleet to show the announcement", func() bool {
		fleet = runHalte(t, nil, "fleet", "--broker", broker.URL, "--alert", "werken-1")
		return fleet.code == 0 && strings.Contains(fleet.stdout, "announced by 1")
	})
	t.Logf("halte fleet --alert werken-1:\n%s", fleet.stdout)
	mustContain(t, "halte fleet", fleet.stdout, "e2e (stops 200101; halte dev): online, alerts: 1; werken-1: holds version", "announced version",
		"devices: 1; with a problem: 0; alert werken-1 held by 1, announced by 1")
	agent.stop()
	fleet = runHalte(t, nil, "fleet", "--broker", broker.URL)
	mustContain(t, "halte fleet once the agent stopped", fleet.stdout, "e2e (stops 200101; halte dev): offline since", "devices: 1; with a problem: 1")
	length, peak := testkit.Audible(t, raw, audio.Rate)
	if length < 2*time.Second || length > 15*time.Second || peak < 0.1 {
		t.Fatalf("ALSA received %s of sound with peak %.2f; want a spoken sentence", length, peak)
	}
}

// TestHubReadsFeeds runs the hub binary on the project's Ghent GTFS-Realtime
// fixture and a SIRI-SX file, and watches the stop documents it publishes.
func TestHubReadsFeeds(t *testing.T) {
	broker := mqtttest.Start(t)
	siriFile := filepath.Join(t.TempDir(), "sx.xml")
	sx := `<Siri xmlns="http://www.siri.org.uk/siri"><ServiceDelivery><SituationExchangeDelivery><Situations>
<PtSituationElement><SituationNumber>lift-1</SituationNumber><Progress>open</Progress>
 <Summary xml:lang="nl">De lift aan de Dampoort is stuk.</Summary>
 <Affects><StopPoints><AffectedStopPoint><StopPointRef>200801</StopPointRef></AffectedStopPoint></StopPoints></Affects>
 <Consequences><Consequence><Suitabilities><Suitability><Suitable>notSuitable</Suitable></Suitability></Suitabilities></Consequence></Consequences>
</PtSituationElement></Situations></SituationExchangeDelivery></ServiceDelivery></Siri>`
	if err := os.WriteFile(siriFile, []byte(sx), 0o644); err != nil {
		t.Fatal(err)
	}
	// The fixture's detour, moved to the day around now: its own dates have passed.
	fixture, err := os.ReadFile("../../feeds/gtfsrt/testdata/delijn-detour.txtpb")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rtFile := filepath.Join(t.TempDir(), "detour.txtpb")
	moved := strings.ReplaceAll(string(fixture), "active_period { start: 1796112000 end: 1796335200 }",
		fmt.Sprintf("active_period { start: %d end: %d }", now.Add(-time.Hour).Unix(), now.Add(24*time.Hour).Unix()))
	if moved == string(fixture) {
		t.Fatal("the fixture's active period is not where this test expects it")
	}
	if err := os.WriteFile(rtFile, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	// The trips fixture, moved so that it is read at this moment.
	trips, err := os.ReadFile("../../feeds/gtfsrt/testdata/delijn-trips-skipped.txtpb")
	if err != nil {
		t.Fatal(err)
	}
	shift := now.Unix() - 1796115600 // the fixture's own time
	tripsFile := filepath.Join(t.TempDir(), "trips.txtpb")
	trips = regexp.MustCompile(`\b1796\d{6}\b`).ReplaceAllFunc(trips, func(b []byte) []byte {
		v, _ := strconv.ParseInt(string(b), 10, 64)
		return []byte(strconv.FormatInt(v+shift, 10))
	})
	if err := os.WriteFile(tripsFile, trips, 0o644); err != nil {
		t.Fatal(err)
	}
	docs := make(chan halte.StopState, 100)
	c := mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "watch", Logger: (&testkit.Log{}).Logger()})
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	defer c.Disconnect(100)
	c.Subscribe(mqtt.StopsFilter, 1, func(_ paho.Client, m paho.Message) {
		if d, err := halte.DecodeStopState(m.Payload()); err == nil {
			docs <- d
		}
	}).Wait()
	metrics, apiAddr := freeAddress(t), freeAddress(t)
	startHalte(t, nil, "hub", "--broker", broker.URL, "--gtfs", sampleGTFS, "--poll", "1s", "--insecure",
		"--gtfs-rt", rtFile, "--siri-sx", siriFile, "--gtfs-rt-trips", tripsFile, "--metrics", metrics, "--http", apiAddr)
	got := map[string]halte.StopState{}
	testkit.WaitFor(t, 20*time.Second, "documents for Rabot, Dampoort and Korenmarkt perron 2", func() bool {
		for {
			select {
			case d := <-docs:
				got[d.Stop] = d
			default:
				return len(got["200501"].Alerts) == 2 && len(got["200801"].Alerts) == 1 && len(got["200102"].Alerts) == 2
			}
		}
	})
	if a := got["200801"].Alerts[0]; a.Effect != halte.AccessibilityIssue || !strings.HasPrefix(a.Source, "siri-sx ") {
		t.Fatalf("Dampoort: %+v", a)
	}
	// Rabot: the feed's detour and its "not served", which the trips' skip
	// does not repeat; Korenmarkt perron 2: the detour and the skip of tram 4.
	if !slices.ContainsFunc(got["200102"].Alerts, func(a halte.Alert) bool {
		return a.Effect == halte.NoService && strings.HasPrefix(a.Source, "gtfs-rt-trips ")
	}) || slices.ContainsFunc(got["200501"].Alerts, func(a halte.Alert) bool { return strings.HasPrefix(a.Source, "gtfs-rt-trips ") }) {
		t.Fatalf("Korenmarkt perron 2 %+v (want tram 4's skip), Rabot %+v (want no skip)", got["200102"].Alerts, got["200501"].Alerts)
	}

	// The open API: the state answer holds the document's keys and spoken.
	var state map[string]json.RawMessage
	testkit.WaitFor(t, 20*time.Second, "the API's answer for Korenmarkt perron 2", func() bool {
		resp, err := http.Get("http://" + apiAddr + "/v1/stops/200102?lang=nl,en")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		state = nil
		return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&state) == nil && len(state["alerts"]) > 2
	})
	for _, key := range []string{"stop", "stop_name", "version", "issued_at", "alerts", "spoken"} {
		if _, ok := state[key]; !ok {
			t.Fatalf("the state answer lacks %q: %s", key, state)
		}
	}
	var spoken map[string][]string
	if err := json.Unmarshal(state["spoken"], &spoken); err != nil || len(spoken["nl"]) == 0 || len(spoken["en"]) == 0 {
		t.Fatalf("spoken %s: want language → sentences (%v)", state["spoken"], err)
	}
	mustContain(t, "the Dutch sentences", strings.Join(spoken["nl"], " "), "Tram 4 richting Korenmarkt stopt niet aan deze halte")
	resp, err := http.Get("http://" + metrics + "/metrics")
	if err != nil {
		t.Fatalf("the hub's metrics: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	mustContain(t, "the hub's metrics", string(body), "halte_hub_documents_published_total", "halte_hub_synchronized 1", "go_goroutines")
	if strings.Contains(string(body), "halte_hub_documents_published_total 0\n") {
		t.Fatalf("the hub's metrics count no document published:\n%s", body)
	}
}

// freeAddress returns a loopback address with a port free at the time.
func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestAudioDeviceComesBack starts the agent with no sound card: it runs,
// says so in its log and status, logs what it would say; once the card is
// there, it speaks through it.
func TestAudioDeviceComesBack(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	broker := mqtttest.Start(t)
	// ALSA reads its configuration again when the top file named by
	// ALSA_CONFIG_PATH changes: first no card, then one that writes to a file.
	home, raw := testkit.ALSAToFile(t)
	working, _ := os.ReadFile(filepath.Join(home, ".asoundrc"))
	working = append(working, "pcm.null { type null }\n"...) // alsa.conf, which this file replaces, has it
	conf := filepath.Join(t.TempDir(), "asound.conf")
	if err := os.WriteFile(conf, []byte("pcm.!default { type hw card 7 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	agent := startHalte(t, []string{"HOME=" + home, "ALSA_CONFIG_PATH=" + conf}, "agent", "--broker", broker.URL, "--device", "nocard",
		"--stop", "200101", "--state-dir", t.TempDir(), "--insecure")
	testkit.WaitFor(t, 20*time.Second, "the audio fault in the log", func() bool {
		return len(agent.log.Lines("audio device fault; the light, the screen and the log go on")) > 0
	})
	statuses := make(chan map[string]any, 20)
	c := mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "hub-like", Logger: (&testkit.Log{}).Logger()})
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	defer c.Disconnect(50)
	c.Subscribe(mqtt.DeviceStatusTopic("nocard"), 1, func(_ paho.Client, m paho.Message) {
		var st map[string]any
		if json.Unmarshal(m.Payload(), &st) == nil {
			statuses <- st
		}
	}).Wait()
	doc := func(version uint64, id string) []byte { // a stop document as the hub makes it
		raw, _ := json.Marshal(halte.StopState{Stop: "200101", Version: version, IssuedAt: time.Now().UTC(),
			Alerts: []halte.Alert{{ID: id, Version: 1, Effect: halte.Detour, Stops: []string{"200101"}, Header: halte.Text{"nl": "Tram 1 rijdt om."}}}})
		return raw
	}
	c.Publish(mqtt.StopTopic("200101"), 1, true, doc(1, "first")).Wait()
	testkit.WaitFor(t, 20*time.Second, "the announcement in the log, without a card", func() bool {
		return len(agent.log.Lines("announce")) > 0 && len(agent.log.Lines("audio output failed")) > 0
	})
	testkit.WaitFor(t, 20*time.Second, "the fault in the status", func() bool {
		for {
			select {
			case st := <-statuses:
				sig, _ := st["signal"].(map[string]any)
				if st["audio"] != "ok" && sig["fault"] == true {
					return true
				}
			default:
				return false
			}
		}
	})

	// The card comes.
	if err := os.WriteFile(conf, working, 0o644); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, 20*time.Second, "the audio device to be taken back", func() bool {
		return len(agent.log.Lines("audio device ready")) > 0
	})
	c.Publish(mqtt.TriggerTopic("200101"), 1, false, []byte("{}")).Wait() // an instructor asks the stop to speak
	testkit.WaitFor(t, 20*time.Second, "the answer to be played", func() bool {
		return len(agent.log.Lines("announcement played")) > 0
	})
	if length, _ := testkit.Audible(t, raw, audio.Rate); length < time.Second {
		t.Fatalf("%s of sound reached ALSA once the card was back", length)
	}
}
