package hub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	rt "github.com/MobilityData/gtfs-realtime-bindings/golang/gtfs"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/gtfsrt"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/feeds/source"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
	"github.com/halte-transit/halte/sign"
)

const deadline = 20 * time.Second

// watcher records every stop document and hub status the broker delivers.
type watcher struct {
	mu     sync.Mutex
	docs   []halte.StopState
	status map[string]any
}

var watchers atomic.Int64 // numbers the watchers' client ids

func watch(t *testing.T, broker string) *watcher {
	t.Helper()
	w := &watcher{}
	c := mqtt.NewClient(mqtt.Options{Broker: broker, ClientID: fmt.Sprintf("watcher-%d", watchers.Add(1)), Logger: (&testkit.Log{}).Logger()})
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := mqtt.Connect(ctx, c); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect(100) })
	c.Subscribe(mqtt.StopsFilter, 1, func(_ paho.Client, m paho.Message) {
		if d, err := halte.DecodeStopState(m.Payload()); err == nil {
			w.mu.Lock()
			w.docs = append(w.docs, d)
			w.mu.Unlock()
		}
	}).Wait()
	c.Subscribe(mqtt.HubStatus, 1, func(_ paho.Client, m paho.Message) {
		var st map[string]any
		if json.Unmarshal(m.Payload(), &st) == nil {
			w.mu.Lock()
			w.status = st
			w.mu.Unlock()
		}
	}).Wait()
	return w
}

// latest returns the newest document seen for stop, and how many came.
func (w *watcher) latest(stop string) (halte.StopState, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var last halte.StopState
	n := 0
	for _, d := range w.docs {
		if d.Stop == stop {
			last, n = d, n+1
		}
	}
	return last, n
}

// stopsWith counts the stops whose newest document holds the alert id.
func (w *watcher) stopsWith(id string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	newest := map[string]halte.StopState{}
	for _, d := range w.docs {
		newest[d.Stop] = d
	}
	n := 0
	for _, d := range newest {
		for _, a := range d.Alerts {
			if a.ID == id {
				n++
				break
			}
		}
	}
	return n
}

func (w *watcher) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.docs)
}

// runHub runs a hub on the sample network with a file feed until stop is
// called; tune, if given, changes its configuration.
func runHub(t *testing.T, broker, feed string, log *testkit.Log, tune ...func(*hub.Config)) (stop func()) {
	t.Helper()
	net := sample.GhentNetwork()
	src := &source.Source{Name: "delijn", Location: feed, Decode: func(b []byte) ([]halte.FeedAlert, error) {
		return gtfsrt.Decode(b, gtfsrt.Options{Prefix: "rt:", Language: "nl"})
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		cfg := hub.Config{Broker: broker, Network: net, ClientID: "test-hub", Logger: log.Logger(), OperatorKeys: sign.Insecure(),
			Feeds: []*source.Source{src}, Poll: 50 * time.Millisecond, Heartbeat: 100 * time.Millisecond,
			Now: func() time.Time { return time.Unix(1796112000+3600, 0) }}
		for _, f := range tune {
			f(&cfg)
		}
		if err := hub.Run(ctx, cfg); err != nil {
			t.Errorf("hub: %v", err)
		}
	}()
	once := sync.Once{}
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// writeFeed writes the Ghent fixture, as binary protobuf, with its first n
// alerts, or the bytes given.
func writeFeed(t *testing.T, path string, n int, raw []byte) {
	t.Helper()
	if raw == nil {
		text, err := os.ReadFile("../gtfsrt/testdata/delijn-detour.txtpb")
		if err != nil {
			t.Fatal(err)
		}
		msg := &rt.FeedMessage{}
		if err := prototext.Unmarshal(text, msg); err != nil {
			t.Fatal(err)
		}
		msg.Entity = msg.Entity[:n]
		if raw, err = proto.Marshal(msg); err != nil {
			t.Fatal(err)
		}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestHubFollowsItsFeed(t *testing.T) {
	broker := mqtttest.Start(t)
	w := watch(t, broker.URL)
	feed := filepath.Join(t.TempDir(), "alerts.pb")
	writeFeed(t, feed, 2, nil)
	log := &testkit.Log{}
	stop := runHub(t, broker.URL, feed, log)
	testkit.WaitFor(t, deadline, "Rabot's document with both alerts", func() bool {
		d, _ := w.latest("200501")
		return len(d.Alerts) == 2
	})

	// A broken feed: logged, counted, and the last good content stays.
	good, _ := w.latest("200501")
	writeFeed(t, feed, 0, []byte("\x0a\xff\xff truncated"))
	testkit.WaitFor(t, deadline, "the feed error in the heartbeat", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		errs, _ := w.status["feed_errors"].(map[string]any)
		return errs != nil && errs["delijn"].(float64) >= 1
	})
	if len(log.Lines("feed not read; its last good content stays in force")) == 0 {
		t.Fatal("no log line for the broken feed")
	}
	if d, _ := w.latest("200501"); d.Version != good.Version {
		t.Fatalf("a broken feed changed Rabot's document: version %d after %d", d.Version, good.Version)
	}

	// The feed stops listing an alert: the stops' next documents lack it.
	writeFeed(t, feed, 1, nil)
	testkit.WaitFor(t, deadline, "Rabot's document without the stop alert", func() bool {
		d, _ := w.latest("200501")
		return len(d.Alerts) == 1
	})

	// A restart republishes nothing that did not change.
	stop()
	before := w.count()
	log2 := &testkit.Log{}
	runHub(t, broker.URL, feed, log2)
	testkit.WaitFor(t, deadline, "the restarted hub to read its feed", func() bool {
		return len(log2.Lines("feed read")) > 0 && len(log2.Lines("hub synchronized with the broker")) > 0
	})
	writeFeed(t, feed, 2, nil) // a change after the restart is the barrier
	testkit.WaitFor(t, deadline, "the change after the restart", func() bool {
		d, _ := w.latest("200501")
		return len(d.Alerts) == 2
	})
	if after := w.count(); after != before+2 { // Gravensteen and Rabot, nothing else
		t.Fatalf("%d documents published after the restart, want the 2 that changed", after-before)
	}
}

// A change read while the broker is away is published when it returns.
func TestHubPublishesWhatChangedWhileTheBrokerWasAway(t *testing.T) {
	broker := mqtttest.Start(t)
	w := watch(t, broker.URL)
	feed := filepath.Join(t.TempDir(), "alerts.pb")
	writeFeed(t, feed, 1, nil)
	log := &testkit.Log{}
	runHub(t, broker.URL, feed, log)
	testkit.WaitFor(t, deadline, "Rabot's document with one alert", func() bool {
		d, _ := w.latest("200501")
		return len(d.Alerts) == 1
	})

	broker.Stop()
	writeFeed(t, feed, 2, nil)
	testkit.WaitFor(t, deadline, "the hub to read the change", func() bool { return len(log.Lines("feed read")) >= 2 })
	broker.Restart()
	again := watch(t, broker.URL)
	testkit.WaitFor(t, deadline, "Rabot's document with both alerts after the broker's return", func() bool {
		d, _ := again.latest("200501")
		return len(d.Alerts) == 2
	})
}

// A broker that acknowledged a document and then lost it, holding an older
// one in its place (as a NATS cluster does when a node is killed while it
// stores the document), is given the document again at the hub's next
// recheck, and the loss is counted.
func TestHubRepublishesWhatTheBrokerLost(t *testing.T) {
	broker := mqtttest.Start(t)
	w := watch(t, broker.URL)
	feed := filepath.Join(t.TempDir(), "alerts.pb")
	writeFeed(t, feed, 1, nil)
	reg := prometheus.NewRegistry()
	runHub(t, broker.URL, feed, &testkit.Log{}, func(c *hub.Config) { c.Recheck, c.Metrics = 200*time.Millisecond, reg })
	testkit.WaitFor(t, deadline, "Rabot's document with one alert", func() bool {
		d, _ := w.latest("200501")
		return len(d.Alerts) == 1
	})
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	c := mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "loser", Logger: (&testkit.Log{}).Logger()})
	if err := mqtt.Connect(ctx, c); err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(100)
	older := make(chan []byte, 1)
	c.Subscribe(mqtt.StopTopic("200501"), 1, func(_ paho.Client, m paho.Message) {
		select {
		case older <- m.Payload():
		default:
		}
	}).Wait()
	held := <-older
	c.Unsubscribe(mqtt.StopTopic("200501")).Wait()

	writeFeed(t, feed, 2, nil)
	testkit.WaitFor(t, deadline, "Rabot's document with both alerts", func() bool {
		d, _ := w.latest("200501")
		return len(d.Alerts) == 2
	})
	newer, _ := w.latest("200501")
	if err := mqtt.Publish(ctx, c, mqtt.StopTopic("200501"), true, held); err != nil { // the broker "loses" it
		t.Fatal(err)
	}
	testkit.WaitFor(t, deadline, "Rabot's document with both alerts published again, and the loss counted", func() bool {
		d, _ := w.latest("200501")
		return len(d.Alerts) == 2 && d.Version > newer.Version && metric(t, reg, "halte_hub_documents_lost_total") == 1
	})
	after := watch(t, broker.URL)
	testkit.WaitFor(t, deadline, "the broker to hold it", func() bool {
		d, _ := after.latest("200501")
		return len(d.Alerts) == 2 && d.Version > newer.Version
	})
}

// The hub's Prometheus metrics count what it published and what it refused.
func TestHubMetrics(t *testing.T) {
	broker := mqtttest.Start(t)
	reg := prometheus.NewRegistry()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		hub.Run(ctx, hub.Config{Broker: broker.URL, Network: sample.GhentNetwork(), ClientID: "metrics-hub",
			Logger: (&testkit.Log{}).Logger(), OperatorKeys: sign.Insecure(), Metrics: reg})
	}()
	t.Cleanup(func() { cancel(); <-done })
	op := mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "metrics-operator", Logger: (&testkit.Log{}).Logger()})
	if err := mqtt.Connect(ctx, op); err != nil {
		t.Fatal(err)
	}
	defer op.Disconnect(100)
	good, _ := json.Marshal(halte.Alert{ID: "a1", Version: 1, Effect: halte.NoService, Lines: []halte.Line{{ID: "T1"}}})
	for id, payload := range map[string][]byte{"a1": good, "bad": []byte("not json")} {
		if err := mqtt.Publish(ctx, op, mqtt.OperatorAlertTopic(id), true, payload); err != nil {
			t.Fatal(err)
		}
	}
	want := len(sample.GhentNetwork().RouteStops("T1"))
	testkit.WaitFor(t, deadline, fmt.Sprintf("%d documents published and one alert refused in the metrics", want), func() bool {
		return metric(t, reg, "halte_hub_documents_published_total") == float64(want) &&
			metric(t, reg, "halte_hub_operator_alerts_refused_total") == 1 &&
			metric(t, reg, "halte_hub_stops") == float64(want) && metric(t, reg, "halte_hub_synchronized") == 1
	})
}

// metric sums the values of a metric family in reg; 0 if it is absent.
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}
