package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt/mqtttest"
	"github.com/halte-transit/halte/route"
)

// routeSite is a hub and agents at three stops of tram 1, on a Mosquitto
// secured with halte's own ACL, holding two operator alerts: Korenmarkt
// platform 1 closed, tram 1 diverted.
type routeSite struct {
	broker     *mqtttest.Broker
	dir        string
	api        string // the hub's open API, http://host:port
	alertFiles []string
	agents     map[string]*process // by stop
}

// login is the connection flags of a user of the site.
func (s *routeSite) login(user string) []string {
	return []string{"--broker", s.broker.URL, "--username", user, "--password-file", filepath.Join(s.dir, user+".password")}
}

var routeStops = []string{"200701", "200101", "200401"} // Kouter, Korenmarkt perron 1, Gravensteen

func startRouteSite(t *testing.T) *routeSite {
	t.Helper()
	testkit.RequireTool(t, "espeak-ng")
	s := &routeSite{dir: t.TempDir(), agents: map[string]*process{}}
	acl, err := os.ReadFile("../../firmware/mosquitto/halte.acl")
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]string{"hub": "hub-pass", "operator": "op-pass", "instructor": "instructor-pass"}
	for _, stop := range routeStops { // as scripts/provision-device.sh adds a device
		acl = fmt.Appendf(acl, "\nuser dev-%s\ntopic read halte/v1/stops/%s\ntopic read halte/v1/stops/%s/trigger\n", stop, stop, stop)
		users["dev-"+stop] = "dev-pass-" + stop
	}
	for user, password := range users {
		if err := os.WriteFile(filepath.Join(s.dir, user+".password"), []byte(password), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s.broker = mqtttest.StartSecured(t, mqtttest.Secured{Users: users, ACL: string(acl)})
	s.api = "http://" + freeAddress(t)
	startHalte(t, nil, append([]string{"hub", "--gtfs", sampleGTFS, "--insecure", "--http", strings.TrimPrefix(s.api, "http://")}, s.login("hub")...)...)
	for _, stop := range routeStops {
		s.agents[stop] = startHalte(t, nil, append([]string{"agent"}, append(s.login("dev-"+stop), "--device", "dev-"+stop, "--stop", stop,
			"--lang", "nl", "--state-dir", t.TempDir(), "--insecure", "--wav-dir", t.TempDir(), "--http", freeAddress(t))...)...)
	}
	until := time.Now().Add(30 * time.Hour).UTC().Format(time.RFC3339)
	for id, alert := range map[string]string{
		"closed": `{"id":"closed","version":1,"effect":"NO_SERVICE","severity":"SEVERE","stops":["200101"],"active_periods":[{"end":"` + until + `"}],` +
			`"advice":{"nl":"Neem tram 1 aan perron 2."}}`,
		"detour": `{"id":"detour","version":1,"effect":"DETOUR","lines":["T1"],"advice":{"nl":"Reken op tien minuten meer."}}`,
	} {
		file := filepath.Join(s.dir, id+".json")
		if err := os.WriteFile(file, []byte(alert), 0o644); err != nil {
			t.Fatal(err)
		}
		s.alertFiles = append(s.alertFiles, file)
		if r := runHalte(t, nil, append([]string{"alert", "publish"}, append(s.login("operator"), "-f", file)...)...); r.code != 0 {
			t.Fatalf("alert publish %s: %s", id, r.stderr)
		}
	}
	for stop, agent := range s.agents {
		want := map[string]float64{"200101": 2}[stop]
		testkit.WaitFor(t, 30*time.Second, "the alerts at "+stop, func() bool {
			for _, l := range agent.log.Lines("stop document stored") {
				if n, _ := l["alerts"].(float64); n == max(want, 1) {
					return true
				}
			}
			return false
		})
	}
	return s
}

// press presses the stop's button (its screen's speak control does what the
// button does) and returns the answer as the agent said it.
func (s *routeSite) press(t *testing.T, stop string) string {
	t.Helper()
	agent := s.agents[stop]
	testkit.WaitFor(t, 60*time.Second, "the announcement of the new alerts at "+stop, func() bool {
		return len(agent.log.Lines("announcement played")) > 0
	})
	var screen string
	for i, arg := range agent.cmd.Args {
		if arg == "--http" {
			screen = agent.cmd.Args[i+1]
		}
	}
	resp, err := http.Post("http://"+screen+"/speak", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return strings.Join(answerToPress(t, agent), " ")
}

// spoken is what a transcript says a stop answers in lang, by stop id.
func spoken(transcript, lang string) map[string]string {
	out := map[string]string{}
	for _, block := range strings.Split(transcript, "\n\n")[1:] {
		header, _, _ := strings.Cut(block, "\n")
		stop := strings.TrimSuffix(header[strings.LastIndex(header, ", ")+2:], ")")
		for _, line := range strings.Split(block, "\n") {
			if text, ok := strings.CutPrefix(line, "  "+lang+": "); ok {
				out[stop] = text
			}
		}
	}
	return out
}

// TestRouteCheckSaysWhatTheStopsSay: on tram 1 towards Evergem, the route
// check, live from the broker with the instructor's credentials, from the
// hub's open API, and offline from the same alert files, lists the stops in
// trip order, marks the closed one, and says for each what its agent said
// to a press.
func TestRouteCheckSaysWhatTheStopsSay(t *testing.T) {
	s := startRouteSite(t)
	said := map[string]string{}
	for _, stop := range routeStops {
		said[stop] = s.press(t, stop)
	}
	out := filepath.Join(t.TempDir(), "report")
	live := runHalte(t, nil, append([]string{"route", "--gtfs", sampleGTFS, "--line", "T1", "--direction", "0", "--lang", "nl", "--out", out},
		s.login("instructor")...)...)
	offline := runHalte(t, nil, "route", "--gtfs", sampleGTFS, "--line", "T1", "--alert", s.alertFiles[0], "--alert", s.alertFiles[1])
	fromAPI := runHalte(t, nil, "route", "--gtfs", sampleGTFS, "--line", "T1", "--hub", s.api)
	for name, r := range map[string]result{"live": live, "offline": offline, "from the API": fromAPI} {
		if r.code != 0 {
			t.Fatalf("%s route check: exit %d\n%s", name, r.code, r.stderr)
		}
		checked := spoken(r.stdout, "nl")
		for _, stop := range routeStops {
			if checked[stop] != said[stop] {
				t.Errorf("%s, stop %s:\n the check says %q\n the agent said %q", name, stop, checked[stop], said[stop])
			}
		}
		if !strings.Contains(r.stdout, "\nNot served: Gent Korenmarkt perron 1 (stop 4)\n") {
			t.Errorf("%s: the transcript does not put the closed stop at the top:\n%s", name, r.stdout)
		}
	}
	t.Logf("the live check:\n%s", live.stdout)

	raw, err := os.ReadFile(filepath.Join(out, "route.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep route.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range rep.Stops {
		order = append(order, e.Stop)
		if e.Served != (e.Stop != "200101") {
			t.Errorf("stop %s: served %v", e.Stop, e.Served)
		}
		f, err := os.Open(filepath.Join(out, e.Audio["nl"]))
		if err != nil {
			t.Fatal(err)
		}
		pcm, err := halte.ReadWAV(f)
		f.Close()
		if sound, peak := testkit.Sounding(pcm); err != nil || peak < 3000 || sound < 1500*time.Millisecond {
			t.Errorf("%s: %v, %v of sound, peak %d", e.Audio["nl"], err, sound, peak)
		}
	}
	if want := "200601 200201 200701 200101 200401 200501 200901"; strings.Join(order, " ") != want {
		t.Errorf("stops in the order %v, want the trip's %s", order, want)
	}
	if _, err := os.Stat(filepath.Join(out, "index.html")); err != nil {
		t.Error(err)
	}
}

// TestLessonMode: the instructor makes a stop speak and sees its device's
// receipt, on cue or walking along the route; a stop without a device is reported within the wait; --watch
// prints a stop's entry again when its document changes.
func TestLessonMode(t *testing.T) {
	s := startRouteSite(t)
	instructor := s.login("instructor")
	r := runHalte(t, nil, append([]string{"route", "--gtfs", sampleGTFS, "--stops", "200701,200401", "--trigger", "200401", "--wait", "30s"}, instructor...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "Asked Gent Gravensteen (200401) to speak.\n  device dev-200401 said (nl): Halte Gent Gravensteen.\n") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if lines := s.agents["200401"].log.Lines("remote trigger"); len(lines) != 1 {
		t.Errorf("the device logged %d remote triggers, want 1", len(lines))
	}

	walk := exec.Command(halteBin, append([]string{"route", "--gtfs", sampleGTFS, "--stops", "200701,200401", "--walk", "--wait", "30s"}, instructor...)...)
	walk.Stdin = strings.NewReader("\nq\n") // Enter at the Kouter, then the lesson ends
	walked, err := walk.CombinedOutput()
	if err != nil || !strings.Contains(string(walked), "  device dev-200701 said (nl): Halte Gent Kouter.\n") ||
		!strings.Contains(string(walked), "Enter: make Gent Gravensteen speak") {
		t.Fatalf("--walk: %v\n%s", err, walked)
	}

	start := time.Now()
	r = runHalte(t, nil, append([]string{"route", "--gtfs", sampleGTFS, "--stops", "200601", "--trigger", "200601", "--wait", "3s"}, instructor...)...)
	took := time.Since(start)
	if r.code == 0 || !strings.Contains(r.stderr, "no device at Gent P+R Flanders Expo (200601) answered within 3s") {
		t.Fatalf("a stop without a device: exit %d\n%s", r.code, r.stderr)
	}
	t.Logf("a stop without a device was reported %s after the command started", took.Round(time.Millisecond))

	watching := startHalte(t, nil, append([]string{"route", "--gtfs", sampleGTFS, "--stops", "200401", "--watch"}, instructor...)...)
	testkit.WaitFor(t, 20*time.Second, "the first transcript", func() bool { return strings.Contains(watching.log.String(), "Watching the stops' documents") })
	if r := runHalte(t, nil, append([]string{"alert", "cancel"}, append(s.login("operator"), "detour")...)...); r.code != 0 {
		t.Fatal(r.stderr)
	}
	testkit.WaitFor(t, 20*time.Second, "the entry printed again without the detour", func() bool {
		_, after, ok := strings.Cut(watching.log.String(), "Changed at ")
		return ok && strings.Contains(after, "Gent Gravensteen (stop 1 of 1, 200401)\n  Served.\n  nl: Halte Gent Gravensteen. Geen storingen gemeld")
	})
}

// TestRouteRefusesWhatItCannotCheck: each mistake is named, nothing is
// written.
func TestRouteRefusesWhatItCannotCheck(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"id":"x","version":1,"effect":"storm","stops":["200101"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--stops", "200101,nowhere"}, "stops not in the GTFS: nowhere"},
		{[]string{"--line", "T9"}, `line "T9" is not in the GTFS`},
		{[]string{"--line", "T1", "--stops", "200101"}, "give the route one way"},
		{[]string{"--stops", "200101", "--lang", "es"}, "--lang es: halte speaks nl, fr, en, de"},
		{[]string{"--stops", "200101", "--alert", bad}, `field "effect": unknown effect "storm"`},
		{[]string{"--stops", "200101", "--trigger", "200101"}, "need --broker"},
		{[]string{"--stops", "200101", "--hub", "http://127.0.0.1:1", "--broker", "tcp://127.0.0.1:1"}, "from --broker or from --hub, not both"},
		{[]string{"--stops", "200101", "--hub", "http://" + freeAddress(t)}, "--hub: "},
	}
	for _, c := range cases {
		r := runHalte(t, nil, append([]string{"route", "--gtfs", sampleGTFS, "--out", out}, c.args...)...)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want %q", c.args, r.code, r.stderr, c.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused check wrote %s", out)
	}
}
