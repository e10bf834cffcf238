package api_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/api"
	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/feeds/source"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
	"github.com/halte-transit/halte/sign"
	"github.com/halte-transit/halte/tts"
)

const deadline = 20 * time.Second

// site is a real hub on a real Mosquitto, with the API fed by the hub as
// in `halte hub --http`, served on loopback.
type site struct {
	url      string
	api      *api.Server
	key      *sign.Signer
	metrics  *prometheus.Registry
	operator paho.Client
	now      time.Time

	mu   sync.Mutex
	docs map[string]halte.StopState // the newest document of each stop on the broker
	seen map[string]time.Time       // when it came
}

// siteConfig is what a test changes of the site.
type siteConfig struct {
	net    *gtfs.Network
	now    time.Time
	feeds  []*source.Source
	trips  []*source.Source
	keys   map[string]string
	speech tts.Engine
}

func startSite(t *testing.T, sc siteConfig) *site {
	t.Helper()
	broker := mqtttest.Start(t)
	_, priv, _ := ed25519.GenerateKey(nil)
	key, err := sign.NewSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	s := &site{key: key, metrics: prometheus.NewRegistry(), now: sc.now, docs: map[string]halte.StopState{}, seen: map[string]time.Time{}}
	clock := func() time.Time { return sc.now }
	log := (&testkit.Log{}).Logger()
	s.api, err = api.New(api.Config{Network: sc.net, Documents: key.Verifier(), Languages: []string{"nl"},
		Location: brussels(t), Rate: 1000, Burst: 1000, Keys: sc.keys, Speech: sc.speech, Metrics: s.metrics, Logger: log, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.api)
	t.Cleanup(srv.Close)
	s.url = srv.URL

	s.operator = mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "test-operator", Logger: log})
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := mqtt.Connect(ctx, s.operator); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.operator.Disconnect(100) })
	verifier := key.Verifier()
	s.operator.Subscribe(mqtt.StopsFilter, 1, func(_ paho.Client, m paho.Message) {
		body, _, err := verifier.Open(m.Payload())
		if err != nil {
			return
		}
		if d, err := halte.DecodeStopState(body); err == nil {
			s.mu.Lock()
			s.docs[d.Stop], s.seen[d.Stop] = d, time.Now()
			s.mu.Unlock()
		}
	}).Wait()

	hctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		err := hub.Run(hctx, hub.Config{Broker: broker.URL, Network: sc.net, ClientID: "test-hub", Logger: log,
			OperatorKeys: sign.Insecure(), Key: key, Feeds: sc.feeds, TripFeeds: sc.trips, Poll: 100 * time.Millisecond,
			Heartbeat: time.Second, Now: clock, Observe: s.api.Observe})
		if err != nil {
			t.Errorf("hub: %v", err)
		}
	}()
	t.Cleanup(func() { stop(); <-done })
	return s
}

// publish publishes an operator's alert, retained, as `halte alert publish` does.
func (s *site) publish(t *testing.T, a halte.Alert) {
	t.Helper()
	b, _ := json.Marshal(a)
	if tok := s.operator.Publish(mqtt.OperatorAlertTopic(a.ID), 1, true, b); !tok.WaitTimeout(deadline) || tok.Error() != nil {
		t.Fatalf("publish %s: %v", a.ID, tok.Error())
	}
}

// doc is the newest document of stop on the broker, and when it came.
func (s *site) doc(stop string) (halte.StopState, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.docs[stop], s.seen[stop]
}

// get asks the API for path, answered as the path template tmpl, and
// checks the answer against openapi.json.
func (s *site) get(t *testing.T, tmpl, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	openAPI(t).check(t, tmpl, resp, body)
	return resp, body
}

// getJSON is get, the body decoded into v, with want as the status.
func (s *site) getJSON(t *testing.T, tmpl, path string, want int, v any) *http.Response {
	t.Helper()
	resp, body := s.get(t, tmpl, path)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %s, want %d: %s", path, resp.Status, want, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return resp
}

// writeFile replaces path's content at once, as a feed publisher does.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func tempFile(t *testing.T, name string) string { return filepath.Join(t.TempDir(), name) }

func brussels(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
