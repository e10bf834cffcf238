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

	"github.com/halte-transit/halte"
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
	poll := fs.Duration("poll", 30*time.Second, "how often each feed is fetched (a file is read again)")
	metricsAddr := fs.String("metrics", "", "serve Prometheus metrics at http://`address`/metrics (host:port), e.g. 127.0.0.1:9464")
	var rtFeeds, siriFeeds, headers listFlag
	fs.Var(&rtFeeds, "gtfs-rt", "a GTFS-Realtime Alerts feed, `URL or FILE` (protobuf, or its JSON rendering); repeatable")
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
		Feeds: feedSources(net, rtFeeds, siriFeeds, header), Poll: *poll, OperatorKeys: sign.Insecure()}
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
	return hub.Run(ctx, cfg)
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

func tag(kind, where string) string {
	sum := sha256.Sum256([]byte(where))
	return kind + hex.EncodeToString(sum[:3]) + ":"
}
