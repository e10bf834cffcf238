//go:build !device

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/route"
	"github.com/halte-transit/halte/tts"
	"github.com/halte-transit/halte/tts/phrases"
)

// routeFlags are halte route's flags.
type routeFlags struct {
	conn                         connFlags
	gtfsPath, line, direction    string
	stops, lesson, out, tz       string
	alerts, rtFeeds, siri, langs listFlag
	hubKeys                      listFlag
	at                           timeFlag
	watch, walk                  bool
	trigger, hubURL              string
	wait                         time.Duration
}

func (f *routeFlags) register(fs *flag.FlagSet) {
	f.conn.register(fs)
	fs.StringVar(&f.gtfsPath, "gtfs", "", "static GTFS `path` (folder or zip): stops, lines and their trips")
	fs.StringVar(&f.line, "line", "", "the route: a GTFS line `ID` (route_id, or a route_short_name that only one route has), its stops in trip order")
	fs.StringVar(&f.direction, "direction", "0", "the line's `direction`: 0 or 1 (GTFS direction_id)")
	fs.StringVar(&f.stops, "stops", "", "the route: stop ids in order, as `A,B,C`")
	fs.StringVar(&f.lesson, "f", "", "the route: a lesson `file` (YAML: name, line, stops with notes and walks)")
	fs.Var(&f.alerts, "alert", "offline: an operator alert JSON `file`, resolved as the hub does; repeatable")
	fs.Var(&f.rtFeeds, "gtfs-rt", "offline: a GTFS-Realtime Alerts `file`; repeatable")
	fs.Var(&f.siri, "siri-sx", "offline: a SIRI-SX `file`; repeatable")
	fs.StringVar(&f.hubURL, "hub", "", "read the stops' documents from a hub's open API at `URL` (http://host:port, halte hub --http) instead of a broker")
	fs.Var(&f.hubKeys, "hub-keys", "with --broker or --hub: a PEM `file` of the hub's public keys; documents it did not sign are reported, as a device refuses them; repeatable")
	fs.Var(&f.at, "at", "the moment of the lesson, RFC 3339 (default: now)")
	fs.Var(&f.langs, "lang", "a `language` to check: nl, fr, en or de; repeatable (default: the GTFS agency's, else nl)")
	fs.StringVar(&f.tz, "tz", "", "time `zone` in which times are said (default: the GTFS agency's, else Europe/Brussels)")
	fs.StringVar(&f.out, "out", "", "also write `folder`/index.html (accessible report), route.json and one WAV per stop and language")
	fs.BoolVar(&f.watch, "watch", false, "with --broker: keep running and print a stop's entry again each time its document changes")
	fs.StringVar(&f.trigger, "trigger", "", "lesson mode, with --broker: make `stop` speak now and show the receipt its device sends back")
	fs.BoolVar(&f.walk, "walk", false, "lesson mode, with --broker: walk along the route; Enter makes the next stop speak")
	fs.DurationVar(&f.wait, "wait", 10*time.Second, "how long to wait for the broker, and for a device's receipt")
}

// runRoute checks a route before a lesson: what each of its stops will say.
func runRoute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("route", flag.ContinueOnError)
	var f routeFlags
	f.register(fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if f.gtfsPath == "" {
		return usageError(fs, "--gtfs is required: the stops, lines and trips of the route")
	}
	given := 0
	for _, v := range []string{f.line, f.stops, f.lesson} {
		if v != "" {
			given++
		}
	}
	if given != 1 {
		return usageError(fs, "give the route one way: --line ID [--direction 0|1], --stops A,B,C or -f LESSON.yaml")
	}
	live := len(f.conn.brokers) > 0
	if !live && (f.watch || f.walk || f.trigger != "") {
		return usageError(fs, "--watch, --walk and --trigger need --broker: they follow the devices live")
	}
	if (live || f.hubURL != "") && len(f.alerts)+len(f.rtFeeds)+len(f.siri) > 0 {
		return usageError(fs, "--alert, --gtfs-rt and --siri-sx are for an offline check; with --broker or --hub the stops' documents are read from there")
	}
	if live && f.hubURL != "" {
		return usageError(fs, "read the documents from --broker or from --hub, not both")
	}
	net, err := gtfs.Load(f.gtfsPath)
	if err != nil {
		return err
	}
	r, err := f.route(net)
	if err != nil {
		return err
	}
	opts := route.Options{At: f.at.Time, Languages: f.langs}
	if opts.At.IsZero() {
		opts.At = time.Now()
	}
	if opts.Location, err = zoneOf(f.tz, net); err != nil {
		return usageError(fs, "--tz: %v", err)
	}
	if len(opts.Languages) == 0 {
		opts.Languages = []string{defaultLanguage(net)}
	}
	for _, lang := range opts.Languages {
		if !slices.Contains(phrases.Languages, lang) {
			return usageError(fs, "--lang %s: halte speaks %s", lang, strings.Join(phrases.Languages, ", "))
		}
	}
	if live {
		return f.runLive(ctx, r, net, opts, stdout, stderr)
	}
	var docs map[string]halte.StopState
	var source string
	if f.hubURL != "" {
		docs, source, err = f.hubDocuments(ctx, r, stderr)
	} else {
		docs, source, err = f.offlineDocuments(ctx, r, net, opts.At)
	}
	if err != nil {
		return err
	}
	opts.Source = source
	return f.report(ctx, route.Check(r, docs, net, opts), stdout, stderr)
}

// route is the route the flags give, checked against the GTFS.
func (f *routeFlags) route(net *gtfs.Network) (route.Route, error) {
	switch {
	case f.line != "":
		return route.FromLine(net, f.line, f.direction)
	case f.lesson != "":
		r, err := route.ReadLesson(f.lesson)
		if err != nil {
			return route.Route{}, err
		}
		return r.Resolve(net)
	}
	return route.FromStops(strings.Split(f.stops, ",")).Resolve(net)
}

// report prints the transcript and, with --out, writes the folder.
func (f *routeFlags) report(ctx context.Context, rep route.Report, stdout, stderr io.Writer) error {
	if err := rep.WriteTranscript(stdout); err != nil {
		return err
	}
	if f.out == "" {
		return nil
	}
	err := rep.WriteFolder(ctx, f.out, tts.Espeak{}, func(done, total int) {
		fmt.Fprintf(stderr, "\rhalte route: audio %d of %d", done, total)
		if done == total {
			fmt.Fprintln(stderr)
		}
	})
	if err != nil {
		return fmt.Errorf("--out %s: %w", f.out, err)
	}
	fmt.Fprintf(stderr, "halte route: report written to %s\n", f.out+string(os.PathSeparator)+"index.html")
	return nil
}
