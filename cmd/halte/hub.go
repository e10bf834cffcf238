//go:build !device

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	gonet "net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/api"
	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/feeds/gtfsrt"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/feeds/siri"
	"github.com/halte-transit/halte/feeds/source"
	"github.com/halte-transit/halte/sign"
)

func runHub(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hub", flag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	key := fs.String("key", "", "the hub's private key `file` (halte keys gen), which signs every stop document")
	insecure := fs.Bool("insecure", false, "accept unsigned operator alerts and publish unsigned documents: closed test set-ups only")
	var operatorKeys, revoked listFlag
	fs.Var(&operatorKeys, "operator-keys", "a PEM `file` of operators' public keys; only alerts they signed are accepted; repeatable")
	fs.Var(&revoked, "revoke", "a key `id` no longer trusted; repeatable")
	gtfsPath := fs.String("gtfs", "", "static GTFS `path`, a folder or a .zip, to resolve lines and stations to stops")
	stateDir := fs.String("state-dir", "", "`folder` where the hub keeps the highest version it published, so versions keep growing across restarts")
	clientID := fs.String("client-id", "", "MQTT client id (default halte-hub-HOSTNAME)")
	publishers := fs.Int("publishers", 1, "how many connections publish the stop documents; on a NATS cluster, which stores each retained document before it reads the next from the same connection, several publish a network-wide change faster (8: 1.5 times, measured on 2 cores)")
	poll := fs.Duration("poll", 30*time.Second, "how often each feed is fetched (a file is read again)")
	recheck := fs.Duration("recheck", 5*time.Minute, "how often the hub reads back every stop document the broker holds and publishes again any the broker lost after acknowledging it (a cluster node killed as it stored it)")
	metricsAddr := fs.String("metrics", "", "serve Prometheus metrics at http://`address`/metrics (host:port), e.g. 127.0.0.1:9464")
	httpAddr := fs.String("http", "", "serve the open HTTP API (documented at /openapi.json) at `address` (host:port), e.g. 127.0.0.1:8080")
	httpRate := fs.Float64("http-rate", 20, "requests per second each API client (an API key, else an address) may make")
	httpBurst := fs.Int("http-burst", 40, "requests an API client may make at once, above its rate")
	httpKeys := fs.String("http-keys", "", "a `file` of API keys, one \"KEY NAME\" per line, to count requests by holder; requests without a key stay allowed")
	var rtFeeds, tripFeeds, siriFeeds, headers listFlag
	fs.Var(&rtFeeds, "gtfs-rt", "a GTFS-Realtime Alerts feed, `URL or FILE` (protobuf, or its JSON rendering); repeatable")
	fs.Var(&tripFeeds, "gtfs-rt-trips", "a GTFS-Realtime TripUpdates feed, `URL or FILE`: stops its trips skip become \"not served\" alerts; repeatable")
	fs.Var(&siriFeeds, "siri-sx", "a SIRI-SX feed, `URL or FILE`; repeatable")
	fs.Var(&headers, "header", "an HTTP header sent to the feeds, as `NAME=VALUE` (an API key); repeatable")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *gtfsPath == "" {
		return usageError(fs, "--gtfs is required")
	}
	if !*insecure && (len(operatorKeys) == 0 || *key == "") {
		return usageError(fs, "--operator-keys and --key are required, so that only operators' signed alerts are spoken and agents can trust the documents (or --insecure, for a closed test set-up)")
	}
	host, _ := os.Hostname()
	id := *clientID
	if id == "" {
		id = "halte-hub-" + host
	}
	opts, err := conn.options(id)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	header := http.Header{}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, "=")
		if !ok || name == "" {
			return usageError(fs, "--header %q: want NAME=VALUE", h)
		}
		header.Add(name, value)
	}
	net, err := gtfs.Load(*gtfsPath)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	log.Info("GTFS loaded", "path", *gtfsPath, "stops", len(net.Stops), "routes", len(net.Routes))
	cfg := hub.Config{Connection: opts, Network: net, StateDir: *stateDir, Logger: log,
		Feeds: feedSources(net, rtFeeds, siriFeeds, header), TripFeeds: tripSources(net, tripFeeds, header),
		Poll: *poll, Recheck: *recheck, OperatorKeys: sign.Insecure(), Publishers: *publishers}
	if *insecure {
		log.Warn("INSECURE: operator alerts are not checked and stop documents are not signed; anyone who can publish can make stops speak")
	}
	if len(operatorKeys) > 0 {
		if cfg.OperatorKeys, err = sign.LoadVerifier(operatorKeys, revoked); err != nil {
			return err
		}
	}
	if *key != "" {
		if cfg.Key, err = sign.LoadSigner(*key); err != nil {
			return err
		}
		log.Info("signing stop documents", "key", cfg.Key.ID())
	}
	if *metricsAddr != "" {
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		if err := serveMetrics(ctx, *metricsAddr, reg); err != nil {
			return fmt.Errorf("--metrics: %w", err)
		}
		log.Info("metrics served", "url", "http://"+*metricsAddr+"/metrics")
		cfg.Metrics = reg
	}
	if *httpAddr != "" {
		keys, err := readAPIKeys(*httpKeys)
		if err != nil {
			return fmt.Errorf("--http-keys: %w", err)
		}
		loc, err := zoneOf("", net)
		if err != nil {
			return fmt.Errorf("the GTFS's agency_timezone: %w", err)
		}
		acfg := api.Config{Network: net, Location: loc, Rate: rate.Limit(*httpRate), Burst: *httpBurst,
			Keys: keys, Metrics: cfg.Metrics, Logger: log, Languages: []string{defaultLanguage(net)}}
		if cfg.Key != nil {
			acfg.Documents = cfg.Key.Verifier()
		}
		srv, err := api.New(acfg)
		if err != nil {
			return err
		}
		if err := serveAPI(ctx, *httpAddr, srv); err != nil {
			return fmt.Errorf("--http: %w", err)
		}
		log.Info("open API served", "url", "http://"+*httpAddr+"/")
		cfg.Observe = srv.Observe
	}
	return hub.Run(ctx, cfg)
}

// serveAPI serves the API at addr until ctx ends.
func serveAPI(ctx context.Context, addr string, h http.Handler) error {
	l, err := gonet.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go srv.Serve(l)
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return nil
}

// readAPIKeys reads a keys file: "KEY NAME" per line, # comments; "" reads none.
func readAPIKeys(path string) (map[string]string, error) {
	keys := map[string]string{}
	if path == "" {
		return keys, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, name, ok := strings.Cut(line, " ")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("%s line %d: want \"KEY NAME\"", path, i+1)
		}
		keys[key] = strings.TrimSpace(name)
	}
	return keys, nil
}

// serveMetrics serves reg's metrics at addr's /metrics until ctx ends.
func serveMetrics(ctx context.Context, addr string, reg *prometheus.Registry) error {
	l, err := gonet.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return nil
}

// feedSources makes a source of each feed. Alert ids get a prefix made
// from the feed's location, so that the ids of two feeds never meet.
func feedSources(net *gtfs.Network, rtFeeds, siriFeeds []string, header http.Header) []*source.Source {
	loc, err := time.LoadLocation(net.Timezone)
	if err != nil {
		loc = time.UTC
	}
	var out []*source.Source
	for _, where := range rtFeeds {
		opts := gtfsrt.Options{Prefix: tag("rt", where), Language: net.Language}
		out = append(out, &source.Source{Name: "gtfs-rt " + where, Location: where, Header: header,
			Decode: func(b []byte) ([]halte.FeedAlert, error) { return gtfsrt.Decode(b, opts) }})
	}
	for _, where := range siriFeeds {
		opts := siri.Options{Prefix: tag("sx", where), Language: net.Language, Location: loc}
		out = append(out, &source.Source{Name: "siri-sx " + where, Location: where, Header: header,
			Decode: func(b []byte) ([]halte.FeedAlert, error) { return siri.Decode(b, opts) }})
	}
	return out
}

// tripSources makes a source of each TripUpdates feed; the GTFS gives the
// line and direction of trips the feed names by trip_id alone.
func tripSources(net *gtfs.Network, feeds []string, header http.Header) []*source.Source {
	opts := func(where string) gtfsrt.TripOptions {
		return gtfsrt.TripOptions{Prefix: tag("tu", where), Trip: func(id string) (string, string, bool) {
			t, ok := net.Trips[id]
			return t.Route, t.Direction, ok
		}}
	}
	var out []*source.Source
	for _, where := range feeds {
		o := opts(where)
		out = append(out, &source.Source{Name: "gtfs-rt-trips " + where, Location: where, Header: header,
			Decode: func(b []byte) ([]halte.FeedAlert, error) { return gtfsrt.DecodeTrips(b, o) }})
	}
	return out
}

func tag(kind, where string) string {
	sum := sha256.Sum256([]byte(where))
	return kind + hex.EncodeToString(sum[:3]) + ":"
}
