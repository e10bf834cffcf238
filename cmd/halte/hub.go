package main

import (
	"context"
	"flag"
	"io"
	"log/slog"

	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/feeds/mqtt"
)

func runHub(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hub", flag.ContinueOnError)
	broker := fs.String("broker", "", "MQTT broker URL, tcp://host:port (default $HALTE_BROKER)")
	gtfsPath := fs.String("gtfs", "", "static GTFS `path`, a folder or a .zip, to resolve lines and stations to stops")
	stateDir := fs.String("state-dir", "", "`folder` where the hub keeps the highest version it published, so versions keep growing across restarts")
	clientID := fs.String("client-id", "", "MQTT client id (default halte-hub-HOSTNAME)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *gtfsPath == "" {
		return usageError(fs, "--gtfs is required")
	}
	url, err := mqtt.ResolveBroker(*broker)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	net, err := gtfs.Load(*gtfsPath)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	log.Info("GTFS loaded", "path", *gtfsPath, "stops", len(net.Stops), "routes", len(net.Routes))
	return hub.Run(ctx, hub.Config{Broker: url, Network: net, ClientID: *clientID, StateDir: *stateDir, Logger: log})
}
