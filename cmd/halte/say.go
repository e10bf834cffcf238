//go:build !device

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/tts"
)

// runSay previews what a stop says about an alert when a traveler presses
// its button: the hub's resolution, the device's policy and phrase book.
func runSay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("say", flag.ContinueOnError)
	lang := fs.String("lang", "nl", "the `language` to speak: nl, fr, en or de")
	here := fs.String("here", "", "the `stop` (GTFS stop_id) that speaks; default: the alert's first stop")
	gtfsPath := fs.String("gtfs", "", "static GTFS `path` (folder or zip) that resolves lines, stations and stop names")
	tz := fs.String("tz", "", "time `zone` in which times are spoken (default: the GTFS agency's, else Europe/Brussels)")
	wav := fs.String("wav", "", "also write the audio to this WAV `file`")
	var at timeFlag
	fs.Var(&at, "at", "the moment of the press, RFC 3339 (default: now)")
	var af alertFlags
	af.register(fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	a, err := af.alert()
	if err != nil {
		return err
	}
	when := at.Time
	if when.IsZero() {
		when = time.Now()
	}
	net := &gtfs.Network{}
	if *gtfsPath != "" {
		if net, err = gtfs.Load(*gtfsPath); err != nil {
			return err
		}
	}
	loc, err := zoneOf(*tz, net)
	if err != nil {
		return usageError(fs, "--tz: %v", err)
	}
	stop := *here
	if stop == "" && len(a.Stops) > 0 {
		stop = a.Stops[0]
	}
	docs, err := stopDocuments(net, a, stop, *gtfsPath != "", when)
	if err != nil {
		return err
	}
	parts := agent.Preview(docs, *lang, loc, nil, when)
	for _, p := range parts {
		fmt.Fprintln(stdout, p)
	}
	if *wav == "" {
		return nil
	}
	pcm, err := agent.PreviewAudio(ctx, tts.Espeak{}, parts, *lang)
	if err != nil {
		return err
	}
	return pcm.SaveWAV(*wav)
}

// stopDocuments is what the device at stop would hold once the hub has
// published the alert: with a GTFS, the hub's own resolution of lines and
// stations (and nothing when the alert does not concern the stop); without
// one, the alert as it is.
func stopDocuments(net *gtfs.Network, a halte.Alert, stop string, resolve bool, at time.Time) (map[string]halte.StopState, error) {
	if !resolve {
		return map[string]halte.StopState{stop: {Stop: stop, Version: 1, IssuedAt: at, Alerts: []halte.Alert{a}}}, nil
	}
	if _, ok := net.Stops[stop]; !ok {
		return nil, fmt.Errorf("stop %q is not in the GTFS", stop)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	state := hub.NewState(net, quiet)
	payload, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	docs := map[string]halte.StopState{stop: {Stop: stop, StopName: net.Stops[stop].Name, Version: 1, IssuedAt: at, Alerts: []halte.Alert{}}}
	for _, doc := range state.Plan(state.ApplyAlert(a.ID, payload), at) {
		if doc.Stop == stop {
			docs[stop] = doc
		}
	}
	return docs, nil
}
