package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/halte-transit/halte"

	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/feeds/source"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/sign"
)

// Config is what a hub needs to run. Broker, Network and OperatorKeys are
// required.
type Config struct {
	// Broker is the MQTT broker URL (or set Connection).
	Broker string
	// Connection holds the credentials and TLS of the broker connection;
	// its Broker and ClientID, if set, win over the fields below.
	Connection mqtt.Options
	// Network is the static GTFS that resolves lines and stations to stops.
	Network *gtfs.Network
	// OperatorKeys checks operators' signatures; required (sign.Insecure()
	// accepts unsigned alerts, for closed test set-ups only).
	OperatorKeys *sign.Verifier
	// Key signs the stop documents; nil publishes them unsigned, which
	// agents refuse unless they run insecure.
	Key *sign.Signer
	// Feeds are polled for alerts besides the operators'; none means
	// operators' alerts only.
	Feeds []*source.Source
	// TripFeeds are GTFS-Realtime TripUpdates feeds, polled like Feeds,
	// whose decoder gives the stops that trips skip (gtfsrt.DecodeTrips):
	// their alerts give way to an operator's on the same line and stop.
	TripFeeds []*source.Source
	// Observe, if set, is given every stop document the broker delivers
	// (the hub's own, as published, and the retained ones), in order: the
	// HTTP API's view of what devices hold. An empty payload clears the stop.
	Observe func(stop string, payload []byte)
	// Publishers is how many connections publish the documents, each stop
	// always on the same one; 0 means 1. A broker that stores each
	// retained message before it reads the next from the same connection
	// (a NATS cluster, which replicates it first) publishes a network-wide
	// change faster over several.
	Publishers int
	// Poll is how often each feed is fetched; 0 means 30 s.
	Poll time.Duration
	// FeedWait is how long, after a start, publishing waits for each feed's
	// first content (publishing earlier would drop the alerts of a feed not
	// yet read); 0 means 1 minute.
	FeedWait time.Duration
	// ClientID names the hub on the broker; "" means "halte-hub-" + host name.
	ClientID string
	// StateDir keeps the highest version published and the stops with a
	// document; "" means none is kept
	// and versions rest on the clock and the broker's retained documents.
	StateDir string
	// Heartbeat is how often the hub's status is republished; 0 means 30 s.
	Heartbeat time.Duration
	// Sweep is how often documents are recomputed to drop ended alerts; 0 means 1 min.
	Sweep time.Duration
	// Recheck is how often the hub subscribes to the stop documents again,
	// so that the broker sends each one it holds: a document older than
	// the broker acknowledged (lost by a broker that acknowledged it before
	// it stored it for good) is published again. 0 means 5 min.
	Recheck time.Duration
	// Metrics is where the hub registers its Prometheus metrics; nil means
	// they are not exposed.
	Metrics prometheus.Registerer
	// Logger receives the hub's log; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// event is one thing the hub loop handles, in arrival order.
type event struct {
	kind     int // alertEvent, stopEvent, syncEvent, feedEvent or feedError
	key      string
	payload  []byte
	retained bool // the broker's retained message, sent on subscribing
	alerts   []halte.FeedAlert
}

const (
	alertEvent = iota
	stopEvent
	syncEvent
	feedEvent
	feedError
)

// Run connects to the broker and publishes stop documents until ctx ends.
// Publishing starts once the retained operator alerts and stop documents
// present at connection time have been read, and every feed once (or
// FeedWait has passed), so that a restart republishes only what changed.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ClientID == "" {
		host, _ := os.Hostname()
		cfg.ClientID = "halte-hub-" + host
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = 30 * time.Second
	}
	if cfg.Sweep == 0 {
		cfg.Sweep = time.Minute
	}
	if cfg.Recheck == 0 {
		cfg.Recheck = 5 * time.Minute
	}
	if cfg.Poll == 0 {
		cfg.Poll = 30 * time.Second
	}
	if cfg.FeedWait == 0 {
		cfg.FeedWait = time.Minute
	}
	log := cfg.Logger
	if cfg.OperatorKeys == nil {
		return errors.New("hub: no operator keys (sign.Insecure() accepts unsigned alerts)")
	}
	events := make(chan event, 1024)
	push := func(e event) {
		select {
		case events <- e:
		case <-ctx.Done():
		}
	}
	handle := func(kind int) paho.MessageHandler {
		return func(_ paho.Client, m paho.Message) {
			push(event{kind: kind, key: mqtt.LastLevel(m.Topic()), payload: m.Payload(), retained: m.Retained()})
		}
	}
	routes := map[string]mqtt.Route{
		mqtt.OperatorAlertsFilter: {QoS: 1, Handle: handle(alertEvent)},
		mqtt.StopsFilter:          {QoS: 1, Handle: handle(stopEvent)},
	}
	opts := cfg.Connection
	if opts.Broker == "" {
		opts.Broker = cfg.Broker
	}
	if opts.ClientID == "" {
		opts.ClientID = cfg.ClientID
	}
	cfg.ClientID = opts.ClientID
	opts.Logger = log
	opts.Will = &mqtt.Will{Topic: mqtt.HubStatus, Payload: statusPayload(false, cfg.Now(), nil, nil)}
	opts.OnConnect = func(c paho.Client) {
		mqtt.KeepSubscribed(c, cfg.ClientID, routes, func() { push(event{kind: syncEvent}) }, log)
	}
	client := newPublisher(opts)
	if err := mqtt.Connect(ctx, client); err != nil {
		return err
	}
	defer client.Disconnect(250)
	publishers := []*publisher{client}
	for i := 2; i <= cfg.Publishers; i++ {
		more := opts
		more.ClientID, more.Will, more.OnConnect = fmt.Sprintf("%s-publisher-%d", opts.ClientID, i), nil, nil
		c := newPublisher(more)
		if err := mqtt.Connect(ctx, c); err != nil {
			return err
		}
		defer c.Disconnect(250)
		publishers = append(publishers, c)
	}

	for _, src := range slices.Concat(cfg.Feeds, cfg.TripFeeds) {
		go src.Poll(ctx, cfg.Poll,
			func(alerts []halte.FeedAlert) { push(event{kind: feedEvent, key: src.Name, alerts: alerts}) },
			func(err error) {
				log.Warn("feed not read; its last good content stays in force", "source", src.Name, "err", err)
				push(event{kind: feedError, key: src.Name})
			})
	}
	state := NewState(cfg.Network, log)
	for _, src := range cfg.TripFeeds {
		state.FromTrips(src.Name)
	}
	state.Operators, state.Now = cfg.OperatorKeys, cfg.Now
	if cfg.Key != nil {
		state.Own = cfg.Key.Verifier()
	}
	feeds := map[string][]halte.FeedAlert{} // last good content of each feed
	if cfg.StateDir != "" {
		if err := os.MkdirAll(cfg.StateDir, 0o755); err != nil {
			return err
		}
		floor, err := readFloor(cfg.StateDir)
		if err != nil {
			return err
		}
		state.RaiseFloor(floor)
		remembered, err := readStops(cfg.StateDir)
		if err != nil {
			return err
		}
		state.Remember(remembered)
	}
	known := len(state.PublishedStops())
	synced := false
	unread := map[string]bool{} // feeds not read since the start
	for _, src := range slices.Concat(cfg.Feeds, cfg.TripFeeds) {
		unread[src.Name] = true
	}
	feedWait := time.NewTimer(cfg.FeedWait)
	defer feedWait.Stop()
	ready := func() bool { return synced && len(unread) == 0 }
	heartbeat := time.NewTicker(cfg.Heartbeat)
	defer heartbeat.Stop()
	sweep := time.NewTicker(cfg.Sweep)
	defer sweep.Stop()
	recheck := time.NewTicker(cfg.Recheck)
	defer recheck.Stop()
	feedErrors := map[string]int{}
	stats, err := newMetrics(cfg.Metrics)
	if err != nil {
		return fmt.Errorf("hub metrics: %w", err)
	}
	out := newOutbox()
	go out.send(ctx, publishers, cfg.Key, stats, log)
	beat := func() { client.Publish(mqtt.HubStatus, 1, true, statusPayload(true, cfg.Now(), state, feedErrors)) }
	beat()
	for {
		var stops []string
		wasReady := ready()
		select {
		case <-feedWait.C:
			if len(unread) > 0 {
				log.Warn("feeds not read since the start; publishing without them", "feeds", sortedKeys(unread))
				clear(unread)
			}
		case <-ctx.Done():
			client.Publish(mqtt.HubStatus, 1, true, statusPayload(false, cfg.Now(), state, feedErrors)).WaitTimeout(time.Second)
			return nil
		case <-heartbeat.C:
			beat()
			continue
		case <-recheck.C:
			if !out.busy() { // documents in flight are older on the broker, and not lost
				go resubscribe(client, mqtt.StopsFilter, routes[mqtt.StopsFilter], log)
			}
			continue
		case <-sweep.C:
			for name, alerts := range feeds { // publication windows open and close
				state.ReplaceFeed(name, alerts, cfg.Now())
			}
			stops = state.KnownStops()
		case e := <-events:
			switch e.kind {
			case alertEvent:
				stops = state.ApplyAlert(e.key, e.payload)
			case stopEvent:
				if cfg.Observe != nil {
					cfg.Observe(e.key, e.payload)
				}
				if state.ObservePublished(e.key, e.payload, e.retained, out.acknowledged(e.key)) {
					stops = []string{e.key}
				}
			case feedEvent:
				delete(unread, e.key)
				feeds[e.key] = e.alerts
				stops = state.ReplaceFeed(e.key, e.alerts, cfg.Now())
				log.Info("feed read", "source", e.key, "alerts", len(e.alerts), "stops", len(stops))
			case feedError:
				feedErrors[e.key]++
			case syncEvent:
				if !synced {
					log.Info("hub synchronized with the broker", "stops", len(state.KnownStops()))
				}
				synced = true
			}
		}
		if !wasReady && ready() {
			stops = state.KnownStops() // everything, once: the start is over
		}
		stats.observe(state, feedErrors, ready())
		if !ready() || len(stops) == 0 {
			continue
		}
		docs := state.Plan(stops, cfg.Now())
		if len(docs) > 0 && cfg.StateDir != "" {
			if err := writeFloor(cfg.StateDir, state.Floor()); err != nil {
				log.Error("cannot keep the published version", "dir", cfg.StateDir, "err", err)
			}
			if published := state.PublishedStops(); len(published) != known {
				known = len(published)
				if err := writeStops(cfg.StateDir, published); err != nil {
					log.Error("cannot keep the stops published", "dir", cfg.StateDir, "err", err)
				}
			}
		}
		out.put(docs)
	}
}

// resubscribe subscribes c to filter again, which makes the broker send
// every retained message that matches it (MQTT 3.1.1, 3.8.4), to the
// route's handler. It logs a failure; the next recheck tries again.
func resubscribe(c paho.Client, filter string, r mqtt.Route, log *slog.Logger) {
	const timeout = 30 * time.Second
	t := c.Subscribe(filter, r.QoS, r.Handle)
	switch {
	case !t.WaitTimeout(timeout):
		log.Warn("recheck of the broker's documents: no answer", "filter", filter, "in", timeout.String())
	case t.Error() != nil:
		log.Warn("recheck of the broker's documents failed", "filter", filter, "err", t.Error())
	default:
		log.Debug("rechecking the broker's documents", "filter", filter)
	}
}

// statusPayload is the hub's heartbeat: whether it is online, how many
// operator alerts it refused (by reason), what of the feeds it could not
// place, and how many polls of each feed failed.
func statusPayload(online bool, at time.Time, state *State, feedErrors map[string]int) []byte {
	st := struct {
		Online     bool                 `json:"online"`
		At         time.Time            `json:"at"`
		Rejected   map[halte.Reason]int `json:"rejected,omitempty"`
		Skipped    map[string]int       `json:"skipped,omitempty"`
		FeedErrors map[string]int       `json:"feed_errors,omitempty"`
	}{Online: online, At: at.UTC(), FeedErrors: feedErrors}
	if state != nil {
		st.Rejected, st.Skipped = state.Rejected, state.Skipped
	}
	b, _ := json.Marshal(st)
	return b
}
