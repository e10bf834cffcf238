package api_test

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/gtfsrt"
	"github.com/halte-transit/halte/feeds/source"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/sign"
)

// tripsRead is when the Ghent trips fixture was read: 10:00 in Brussels on
// 1 December 2026, the feed's own time.
var tripsRead = time.Unix(1796115600, 0)

// The stops that the fixture's trips skip, by alert id.
const (
	gravensteenSkip = "tu:skip:T1:0:200401"
	rabotSkip       = "tu:skip:T1:0:200501"
)

// ghent is a site on the sample Ghent network whose hub reads the trips
// fixture (copied to a file the test may rewrite) as `--gtfs-rt-trips`.
func ghent(t *testing.T) (*site, string) {
	return ghentWith(t, siteConfig{})
}

// ghentWith is ghent with the rest of sc.
func ghentWith(t *testing.T, sc siteConfig) (*site, string) {
	t.Helper()
	raw, err := os.ReadFile("../feeds/gtfsrt/testdata/delijn-trips-skipped.txtpb")
	if err != nil {
		t.Fatal(err)
	}
	feed := tempFile(t, "trips.txtpb")
	writeFile(t, feed, raw)
	net := sample.GhentNetwork()
	trips := &source.Source{Name: "gtfs-rt-trips delijn", Location: feed, Decode: func(b []byte) ([]halte.FeedAlert, error) {
		return gtfsrt.DecodeTrips(b, gtfsrt.TripOptions{Prefix: "tu:", Trip: func(id string) (string, string, bool) {
			tr, ok := net.Trips[id]
			return tr.Route, tr.Direction, ok
		}})
	}}
	sc.net, sc.now, sc.trips, sc.keys = net, tripsRead, []*source.Source{trips}, map[string]string{"oko-123": "OKO app"}
	s := startSite(t, sc)
	testkit.WaitFor(t, deadline, "Gravensteen's document from the trips", func() bool {
		d, _ := s.doc("200401")
		return len(d.AlertIDs()) == 1
	})
	return s, feed
}

// served waits until the API serves the document the broker holds for stop.
func (s *site) served(t *testing.T, stop string) {
	t.Helper()
	testkit.WaitFor(t, deadline, "the API serving "+stop+"'s document", func() bool {
		var got stopAnswer
		s.getJSON(t, "/v1/stops/{stop}", "/v1/stops/"+stop, http.StatusOK, &got)
		d, _ := s.doc(stop)
		return d.Version > 0 && got.Version == d.Version
	})
}

// stopAnswer is GET /v1/stops/{stop}, as an app reads it.
type stopAnswer struct {
	halte.StopState
	Spoken map[string][]string `json:"spoken"`
	JWS    string              `json:"jws"`
}

// The stop's answer is its document as on MQTT, with the JWS as published,
// and the sentences the device says: the same policy and phrase book.
func TestStopAnswerIsWhatTheDeviceSays(t *testing.T) {
	s, _ := ghent(t)
	onBroker, _ := s.doc("200401")
	var got stopAnswer
	testkit.WaitFor(t, deadline, "the API serving Gravensteen's document", func() bool {
		s.getJSON(t, "/v1/stops/{stop}", "/v1/stops/200401?lang=nl,fr", http.StatusOK, &got)
		return got.Version == onBroker.Version
	})
	if got.Stop != "200401" || got.StopName != "Gent Gravensteen" || !slices.Equal(got.AlertIDs(), []string{gravensteenSkip}) {
		t.Fatalf("answer %+v, want Gent Gravensteen with %s", got.StopState, gravensteenSkip)
	}
	body, _, err := s.key.Verifier().Open([]byte(got.JWS))
	if err != nil {
		t.Fatalf("the JWS does not verify with the hub's key: %v", err)
	}
	signed, _ := halte.DecodeStopState(body)
	if signed.Version != got.Version || !slices.Equal(signed.AlertIDs(), got.AlertIDs()) {
		t.Fatalf("the JWS holds version %d %v, the answer %d %v", signed.Version, signed.AlertIDs(), got.Version, got.AlertIDs())
	}
	for _, lang := range []string{"nl", "fr"} {
		want := agent.PreviewSentences(map[string]halte.StopState{"200401": onBroker}, lang, brussels(t), nil, s.now)
		if !slices.Equal(got.Spoken[lang], want) {
			t.Errorf("spoken[%s] = %q, the device says %q", lang, got.Spoken[lang], want)
		}
	}
	said := strings.Join(got.Spoken["nl"], " ")
	for _, words := range []string{"Tram 1 richting Evergem Brielken", "stopt niet aan deze halte tot 10 uur 56"} {
		if !strings.Contains(said, words) {
			t.Errorf("the Dutch announcement %q lacks %q", said, words)
		}
	}
	if len(got.Spoken) != 2 {
		t.Errorf("spoken in %d languages, asked for 2", len(got.Spoken))
	}

	// A stop with nothing published: no disruptions, version 0.
	var quiet stopAnswer
	s.getJSON(t, "/v1/stops/{stop}", "/v1/stops/200801", http.StatusOK, &quiet)
	if quiet.Version != 0 || len(quiet.Alerts) != 0 || len(quiet.Spoken["nl"]) == 0 {
		t.Fatalf("Dampoort without a document: %+v", quiet)
	}
}

// An operator's alert on the same line and stop as a skip is said once,
// in the operator's words; a skip the trips no longer make ends within a
// poll.
func TestSkippedStopsMergeWithOperatorsAndEnd(t *testing.T) {
	s, feed := ghent(t)
	s.publish(t, halte.Alert{ID: "gravensteen-works", Version: 1, Effect: halte.NoService, Severity: halte.Severe,
		Lines: []halte.Line{{ID: "T1"}}, Stops: []string{"200401"},
		Header: halte.Text{"nl": "Tram 1 stopt niet aan het Gravensteen door werken. Stap op of af aan de Korenmarkt."}})
	testkit.WaitFor(t, deadline, "Gravensteen's document with the operator's alert alone", func() bool {
		d, _ := s.doc("200401")
		return slices.Equal(d.AlertIDs(), []string{"gravensteen-works"})
	})
	var got stopAnswer
	testkit.WaitFor(t, deadline, "the API with the operator's alert", func() bool {
		s.getJSON(t, "/v1/stops/{stop}", "/v1/stops/200401", http.StatusOK, &got)
		return slices.Equal(got.AlertIDs(), []string{"gravensteen-works"})
	})
	said := strings.Join(got.Spoken["nl"], " ")
	if n := strings.Count(said, "stopt niet"); n != 1 {
		t.Fatalf("%q says \"stopt niet\" %d times, want once", said, n)
	}
	if d, _ := s.doc("200501"); !slices.Contains(d.AlertIDs(), rabotSkip) {
		t.Fatalf("Rabot, on tram 1 but not named by the operator's alert, lost its skip: %v", d.AlertIDs())
	}

	// The next poll: the trips skip Gravensteen only.
	raw, _ := os.ReadFile(feed)
	changed := time.Now()
	writeFile(t, feed, bytes.ReplaceAll(raw, []byte(`stop_id: "200501" arrival { time: 1796117580 } schedule_relationship: SKIPPED`),
		[]byte(`stop_id: "200501" arrival { time: 1796117580 }`)))
	testkit.WaitFor(t, deadline, "Rabot's document without the skip", func() bool {
		d, _ := s.doc("200501")
		return !slices.Contains(d.AlertIDs(), rabotSkip)
	})
	_, ended := s.doc("200501")
	t.Logf("the skip ended %v after the feed changed (a poll: 100 ms)", ended.Sub(changed).Round(time.Millisecond))
	testkit.WaitFor(t, deadline, "the API without Rabot's skip", func() bool {
		s.getJSON(t, "/v1/stops/{stop}", "/v1/stops/200501", http.StatusOK, &got)
		return !slices.Contains(got.AlertIDs(), rabotSkip)
	})
}

func TestETagRoundTrip(t *testing.T) {
	s, _ := ghent(t)
	s.served(t, "200501")
	first, _ := s.get(t, "/v1/stops/{stop}", "/v1/stops/200501")
	etag := first.Header.Get("ETag")
	if etag == "" || first.Header.Get("Cache-Control") == "" {
		t.Fatalf("no ETag or Cache-Control: %v", first.Header)
	}
	again, body := s.get(t, "/v1/stops/{stop}", "/v1/stops/200501", "If-None-Match", etag)
	if again.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Fatalf("If-None-Match with the ETag: %s and %d bytes, want 304 and none: %s", again.Status, len(body), body)
	}
	s.publish(t, halte.Alert{ID: "rabot-lift", Version: 1, Effect: halte.AccessibilityIssue, Stops: []string{"200501"}})
	testkit.WaitFor(t, deadline, "a new ETag once Rabot's document changed", func() bool {
		resp, _ := s.get(t, "/v1/stops/{stop}", "/v1/stops/200501", "If-None-Match", etag)
		return resp.StatusCode == http.StatusOK && resp.Header.Get("ETag") != etag
	})
}

// One change of the stop's document reaches an open event stream within a
// second of the document reaching the broker; a reconnection with an older
// Last-Event-ID gets the current state at once.
func TestEventsFollowTheDocument(t *testing.T) {
	s, _ := ghent(t)
	events := openEvents(t, s.url+"/v1/stops/200701/events?lang=nl", "")
	first := events.next(t)
	if first.id != "0" {
		t.Fatalf("first event id %q, want 0 (Kouter has no document yet)", first.id)
	}
	s.publish(t, halte.Alert{ID: "kouter-works", Version: 1, Effect: halte.StopMoved, Stops: []string{"200701"},
		Header: halte.Text{"nl": "De halte Kouter is verplaatst naar de overkant."}})
	ev := events.next(t)
	doc, arrived := s.doc("200701")
	late := ev.at.Sub(arrived)
	t.Logf("the event came %v after the document reached the broker", late.Round(time.Millisecond))
	if late > time.Second {
		t.Fatalf("the event came %v after the document, want within a second", late)
	}
	var got stopAnswer
	json.Unmarshal(ev.data, &got)
	if ev.id != jsonNumber(doc.Version) || !slices.Equal(got.AlertIDs(), []string{"kouter-works"}) || len(got.Spoken["nl"]) == 0 {
		t.Fatalf("event %s %s, want id %d with kouter-works and Dutch sentences", ev.id, ev.data, doc.Version)
	}
	again := openEvents(t, s.url+"/v1/stops/200701/events", "0")
	if ev := again.next(t); ev.id != jsonNumber(doc.Version) {
		t.Fatalf("after Last-Event-ID 0 the first event is %s, want the current version %d", ev.id, doc.Version)
	}
}

func TestListsAndFilters(t *testing.T) {
	s, _ := ghent(t)
	s.publish(t, halte.Alert{ID: "korenmarkt-lift", Version: 1, Effect: halte.AccessibilityIssue, Stops: []string{"200101"},
		Periods: []halte.Period{{Start: tripsRead.Add(2 * time.Hour)}}})
	testkit.WaitFor(t, deadline, "the API with the lift alert", func() bool {
		resp, _ := s.get(t, "/v1/alerts/{id}", "/v1/alerts/korenmarkt-lift")
		return resp.StatusCode == http.StatusOK
	})

	type stopPage struct {
		Items []struct {
			Stop      string   `json:"stop"`
			Distance  *float64 `json:"distance_m"`
			Alerts    int      `json:"alerts"`
			NotServed bool     `json:"not_served"`
		} `json:"items"`
		Total int    `json:"total"`
		Next  string `json:"next"`
	}
	var near stopPage
	s.getJSON(t, "/v1/stops", "/v1/stops?near=51.0572,3.7206&radius=300", http.StatusOK, &near)
	if len(near.Items) == 0 || near.Items[0].Stop != "200401" || *near.Items[0].Distance > 5 || !near.Items[0].NotServed {
		t.Fatalf("around the Gravensteen: %+v, want Gravensteen first, not served", near.Items)
	}
	for i := 1; i < len(near.Items); i++ {
		if *near.Items[i].Distance < *near.Items[i-1].Distance || *near.Items[i].Distance > 300 {
			t.Fatalf("not nearest first within 300 m: %+v", near.Items)
		}
	}
	var line stopPage
	s.getJSON(t, "/v1/stops", "/v1/stops?line=T1&disrupted=true", http.StatusOK, &line)
	var disrupted []string
	for _, it := range line.Items {
		disrupted = append(disrupted, it.Stop)
	}
	if !slices.Equal(disrupted, []string{"200101", "200102", "200401", "200501"}) {
		t.Fatalf("disrupted stops of tram 1: %v, want Korenmarkt 1 (lift), Korenmarkt 2 (tram 4 skips it), Gravensteen and Rabot (skipped)", disrupted)
	}

	// Pagination: two a page, the cursor in the answer and in Link.
	var all []string
	path := "/v1/stops?line=T1&limit=2"
	for range 10 {
		var p stopPage
		resp := s.getJSON(t, "/v1/stops", path, http.StatusOK, &p)
		for _, it := range p.Items {
			all = append(all, it.Stop)
		}
		if p.Next == "" {
			break
		}
		link := resp.Header.Get("Link")
		if !strings.Contains(link, "cursor="+p.Next) || !strings.HasSuffix(link, `rel="next"`) {
			t.Fatalf("Link %q does not name the next page %s", link, p.Next)
		}
		path = strings.TrimPrefix(strings.Split(link, ">")[0], "<")
	}
	if !slices.Equal(all, sample.GhentNetwork().RouteDirectionStops("T1", "")) {
		t.Fatalf("the pages hold %v, want every stop of tram 1", all)
	}

	type alertPage struct {
		Items []halte.Alert `json:"items"`
	}
	ids := func(path string) []string {
		var p alertPage
		s.getJSON(t, "/v1/alerts", path, http.StatusOK, &p)
		var out []string
		for _, a := range p.Items {
			out = append(out, a.ID)
		}
		return out
	}
	if got := ids("/v1/alerts?effect=no_service"); !slices.Equal(got, []string{gravensteenSkip, rabotSkip, "tu:skip:T4:0:200102"}) {
		t.Fatalf("NO_SERVICE alerts: %v", got)
	}
	if got := ids("/v1/alerts?line=T1&stop=200501"); !slices.Equal(got, []string{rabotSkip}) {
		t.Fatalf("alerts of tram 1 at Rabot: %v", got)
	}
	if got := ids("/v1/alerts?active_at=" + tripsRead.Add(3*time.Hour).Format(time.RFC3339)); !slices.Equal(got, []string{"korenmarkt-lift"}) {
		t.Fatalf("alerts active at 13:00: %v, want the lift only (the skips end before 11:00)", got)
	}
	var one halte.Alert
	s.getJSON(t, "/v1/alerts/{id}", "/v1/alerts/"+gravensteenSkip, http.StatusOK, &one)
	if one.Effect != halte.NoService || !slices.Equal(one.Stops, []string{"200401"}) || len(one.Lines) != 1 || one.Lines[0].Direction != "Evergem Brielken" {
		t.Fatalf("alert %+v", one)
	}
}

// Every error is JSON with a code and a message that says what is wrong.
func TestErrorsSayWhatIsWrong(t *testing.T) {
	s, _ := ghent(t)
	for _, c := range []struct {
		tmpl, path string
		status     int
		code, says string
	}{
		{"/v1/stops/{stop}", "/v1/stops/999999", 404, "unknown_stop", `"999999"`},
		{"/v1/stops/{stop}", "/v1/stops/200401?lang=pt", 400, "unknown_language", "nl, fr, en, de"},
		{"/v1/stops", "/v1/stops?near=51.05", 400, "bad_parameter", "LAT,LON"},
		{"/v1/stops", "/v1/stops?near=51.05,3.72&radius=90000", 400, "bad_parameter", "5000"},
		{"/v1/stops", "/v1/stops?line=T99", 404, "unknown_line", "T99"},
		{"/v1/stops", "/v1/stops?limit=0", 400, "bad_parameter", "1 to 1000"},
		{"/v1/stops", "/v1/stops?cursor=bogus", 400, "bad_parameter", "next"},
		{"/v1/alerts", "/v1/alerts?effect=FLOOD", 400, "bad_parameter", "effect"},
		{"/v1/alerts", "/v1/alerts?active_at=tomorrow", 400, "bad_parameter", "RFC 3339"},
		{"/v1/alerts/{id}", "/v1/alerts/nope", 404, "unknown_alert", `"nope"`},
		{"/v1/stops/{stop}/audio", "/v1/stops/200401/audio?lang=nl,fr", 400, "bad_parameter", "one language"},
		{"/v1/stops/{stop}", "/v1/stops/200401?key=stolen", 401, "unknown_key", "API key"},
	} {
		var e struct{ Code, Message string }
		s.getJSON(t, c.tmpl, c.path, c.status, &e)
		if e.Code != c.code || !strings.Contains(e.Message, c.says) {
			t.Errorf("GET %s: %s %q, want %s saying %q", c.path, e.Code, e.Message, c.code, c.says)
		}
	}
	resp, err := http.Get(s.url + "/v2/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("an unknown path: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	resp, err = http.Post(s.url+"/v1/alerts", "application/json", strings.NewReader(`{"id":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Allow"), "GET") {
		t.Fatalf("POST: %s, Allow %q; the API writes nothing", resp.Status, resp.Header.Get("Allow"))
	}
}

// A browser on another origin may read the API: the preflight allows GET
// and the headers apps send, and answers carry the origin header.
func TestCORS(t *testing.T) {
	s, _ := ghent(t)
	req, _ := http.NewRequest(http.MethodOptions, s.url+"/v1/stops/200401", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "if-none-match, x-api-key")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "GET") ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "If-None-Match") || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "X-API-Key") {
		t.Fatalf("preflight: %s %v", resp.Status, h)
	}
	got, _ := s.get(t, "/v1/stops/{stop}", "/v1/stops/200401", "Origin", "https://app.example")
	if got.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(got.Header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Fatalf("answer's CORS headers: %v", got.Header)
	}
}

// The requests of a key's holder are counted under its name.
func TestAPIKeysCountRequests(t *testing.T) {
	s, _ := ghent(t)
	for range 3 {
		s.getJSON(t, "/v1/alerts", "/v1/alerts", http.StatusOK, nil)
	}
	resp, body := s.get(t, "/v1/alerts", "/v1/alerts", "X-API-Key", "oko-123")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with a known key: %s %s", resp.Status, body)
	}
	counts := map[string]float64{}
	families, err := s.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "halte_api_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["endpoint"] == "/v1/alerts" && labels["code"] == "200" {
				counts[labels["client"]] = m.GetCounter().GetValue()
			}
		}
	}
	if counts["OKO app"] != 1 || counts["anonymous"] != 3 {
		t.Fatalf("requests counted %v, want OKO app 1 and anonymous 3", counts)
	}
}

// event is one server-sent event and when it came.
type event struct {
	id   string
	data []byte
	at   time.Time
}

type eventStream struct {
	events chan event
}

// openEvents opens a stream, with Last-Event-ID lastID if not "".
func openEvents(t *testing.T, url, lastID string) *eventStream {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	es := &eventStream{events: make(chan event, 16)}
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = []byte(strings.TrimPrefix(line, "data: "))
			case line == "" && ev.data != nil:
				ev.at = time.Now()
				es.events <- ev
				ev = event{}
			}
		}
		close(es.events)
	}()
	return es
}

func (es *eventStream) next(t *testing.T) event {
	t.Helper()
	select {
	case ev, ok := <-es.events:
		if !ok {
			t.Fatal("the event stream ended")
		}
		openAPI(t).eventData(t, ev.data)
		return ev
	case <-time.After(deadline):
		t.Fatal("no event within the deadline")
	}
	return event{}
}

func jsonNumber(v uint64) string { b, _ := json.Marshal(v); return string(b) }

// A document the hub did not sign (or that does not decode) is not served:
// it is logged, counted, and the stop's answer stays as it was.
func TestForgedDocumentIsRefused(t *testing.T) {
	s, _ := ghent(t)
	s.served(t, "200401")
	before := answerOf(t, s, "200401")
	_, other, _ := ed25519.GenerateKey(nil)
	forger, _ := sign.NewSigner(other)
	forged := before.StopState
	forged.Version++
	forged.Alerts = nil
	raw, _ := json.Marshal(forged)
	signed, _ := forger.Sign(raw)
	s.api.Observe("200401", signed)
	s.api.Observe("200401", []byte(`{"stop":"200401","version":"soon"}`))
	if after := answerOf(t, s, "200401"); after.Version != before.Version || len(after.Alerts) != len(before.Alerts) {
		t.Fatalf("after a forged document the answer is version %d with %d alerts, was %d with %d", after.Version, len(after.Alerts), before.Version, len(before.Alerts))
	}
	families, _ := s.metrics.Gather()
	refused := 0.0
	for _, f := range families {
		if f.GetName() == "halte_api_documents_refused_total" {
			refused = f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	if refused != 2 {
		t.Fatalf("halte_api_documents_refused_total = %v, want 2", refused)
	}
}
