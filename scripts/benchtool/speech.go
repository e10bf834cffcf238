package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/feeds/gtfsrt"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/feeds/siri"
	"github.com/halte-transit/halte/firmware/agent"
)

// speech prints what one press says at a feed's busiest stop: the stop
// with the most alerts in force at one of the alerts' start times. With
// --gtfs the hub resolves the feed as it does in service; without, each
// stop the feed names gets the alerts that name it.
func speech(args []string) error {
	fs := flag.NewFlagSet("speech", flag.ContinueOnError)
	feed := fs.String("feed", "", "a GTFS-Realtime (.pb, .json, .txtpb) or SIRI-SX (.xml) `file`")
	gtfsPath := fs.String("gtfs", "", "the feed's static GTFS `folder or zip` (optional)")
	lang := fs.String("lang", "en", "the stop's `language`")
	feedLang := fs.String("feed-lang", "", "the `language` of texts that name none (default: --lang)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *feedLang == "" {
		*feedLang = *lang
	}
	raw, err := os.ReadFile(*feed)
	if err != nil {
		return err
	}
	var alerts []halte.FeedAlert
	if strings.HasSuffix(*feed, ".xml") {
		alerts, err = siri.Decode(raw, siri.Options{Prefix: "sx:", Language: *feedLang})
	} else {
		alerts, err = gtfsrt.Decode(raw, gtfsrt.Options{Prefix: "rt:", Language: *feedLang})
	}
	if err != nil {
		return err
	}
	byStop, err := placed(alerts, *gtfsPath)
	if err != nil {
		return err
	}
	stop, at, n := busiest(byStop)
	if n == 0 {
		return fmt.Errorf("%s: no alert in force at any stop", *feed)
	}
	docs := map[string]halte.StopState{stop: byStop[stop]}
	parts := agent.Preview(docs, *lang, time.UTC, nil, at)
	text := strings.Join(parts, " ")
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"feed": *feed, "stop": stop, "at": at, "alerts": n,
		"words": len(strings.Fields(text)), "text": text})
}

// placed is each stop's document: through the hub with a GTFS, else the
// alerts that name the stop.
func placed(alerts []halte.FeedAlert, gtfsPath string) (map[string]halte.StopState, error) {
	out := map[string]halte.StopState{}
	if gtfsPath != "" {
		net, err := gtfs.Load(gtfsPath)
		if err != nil {
			return nil, err
		}
		state := hub.NewState(net, slog.New(slog.NewTextHandler(io.Discard, nil)))
		var first time.Time
		for _, fa := range alerts {
			for _, p := range fa.Alert.Periods {
				if first.IsZero() || p.Start.Before(first) {
					first = p.Start
				}
			}
		}
		for _, doc := range state.Plan(state.ReplaceFeed("feed", alerts, first), first) {
			out[doc.Stop] = doc
		}
		return out, nil
	}
	for _, fa := range alerts {
		var lines []halte.Line
		for _, s := range fa.Selectors {
			if s.Route != "" && !slices.ContainsFunc(lines, func(l halte.Line) bool { return l.ID == s.Route }) {
				lines = append(lines, halte.Line{ID: s.Route, Name: s.Route})
			}
		}
		for _, s := range fa.Selectors {
			if s.Stop == "" {
				continue
			}
			a := fa.Alert
			a.Lines, a.Stops = lines, []string{s.Stop}
			doc := out[s.Stop]
			if !slices.ContainsFunc(doc.Alerts, func(b halte.Alert) bool { return b.ID == a.ID }) {
				doc.Stop, doc.Version, doc.Alerts = s.Stop, 1, append(doc.Alerts, a)
			}
			out[s.Stop] = doc
		}
	}
	return out, nil
}

// busiest is the stop with the most alerts in force at one moment, the
// moment, and how many.
func busiest(byStop map[string]halte.StopState) (stop string, at time.Time, n int) {
	for _, id := range slices.Sorted(maps.Keys(byStop)) {
		doc := byStop[id]
		for _, a := range doc.Alerts {
			for _, p := range a.Periods {
				t := p.Start.Add(time.Minute)
				if k := len(doc.Active(t)); k > n {
					stop, at, n = id, t, k
				}
			}
		}
		if t := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC); len(doc.Active(t)) > n {
			stop, at, n = id, t, len(doc.Active(t))
		}
	}
	if doc := byStop[stop]; n > 0 {
		doc.IssuedAt = at
		byStop[stop] = doc
	}
	return stop, at, n
}
