//go:build !device

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/route"
	"github.com/halte-transit/halte/sign"
)

// offlineDocuments resolves the alert files and feed files as the hub does
// and returns the documents the route's stops would hold at "at", and what
// they were made from.
func (f *routeFlags) offlineDocuments(ctx context.Context, r route.Route, net *gtfs.Network, at time.Time) (map[string]halte.StopState, string, error) {
	state := hub.NewState(net, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, file := range f.alerts {
		raw, err := os.ReadFile(file)
		if err != nil {
			return nil, "", fmt.Errorf("--alert: %w", err)
		}
		body, _, err := sign.Insecure().Open(raw)
		var a halte.Alert
		if err == nil {
			a, err = halte.DecodeAlert(body)
		}
		if err != nil {
			return nil, "", fmt.Errorf("--alert %s: %w", file, err)
		}
		if len(state.ApplyAlert(a.ID, raw)) == 0 {
			return nil, "", fmt.Errorf("--alert %s: alert %s concerns no stop or line of the GTFS", file, a.ID)
		}
	}
	for _, src := range feedSources(net, f.rtFeeds, f.siri, nil) {
		alerts, err := src.Fetch(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", src.Name, err)
		}
		state.ReplaceFeed(src.Name, alerts, at)
	}
	docs := map[string]halte.StopState{}
	for _, s := range r.Stops {
		if doc := state.Document(s.ID, at); len(doc.Alerts) > 0 {
			doc.Version = 1
			docs[s.ID] = doc
		}
	}
	from := []string{"GTFS " + f.gtfsPath}
	for _, list := range [][]string{f.alerts, f.rtFeeds, f.siri} {
		from = append(from, list...)
	}
	return docs, "offline, from " + strings.Join(from, ", "), nil
}

// liveStops are the documents the route's stops hold on the broker, kept
// up to date while connected; each change is sent on changed.
type liveStops struct {
	trust   *sign.Verifier
	stderr  io.Writer
	changed chan string

	mu   sync.Mutex
	docs map[string]halte.StopState
}

func newLiveStops(trust *sign.Verifier, stderr io.Writer) *liveStops {
	return &liveStops{trust: trust, stderr: stderr, changed: make(chan string, 64), docs: map[string]halte.StopState{}}
}

// routes are the subscriptions to the stops' documents. QoS 0: the route
// check keeps no session, and each connection brings the retained
// documents again.
func (l *liveStops) routes(r route.Route) map[string]mqtt.Route {
	routes := map[string]mqtt.Route{}
	for _, s := range r.Stops {
		stop := s.ID
		routes[mqtt.StopTopic(stop)] = mqtt.Route{QoS: 0, Handle: func(_ paho.Client, m paho.Message) { l.receive(stop, m.Payload()) }}
	}
	return routes
}

// receive checks a document as a device does (signature, form, stop) and
// keeps it if it is newer; a refused one is reported and changes nothing.
func (l *liveStops) receive(stop string, payload []byte) {
	if len(payload) == 0 {
		return
	}
	body, _, err := l.trust.Open(payload)
	var doc halte.StopState
	if err == nil {
		doc, err = halte.DecodeStopState(body)
	}
	if err == nil && doc.Stop != stop {
		err = fmt.Errorf("document for stop %q on the topic of stop %q", doc.Stop, stop)
	}
	if err != nil {
		fmt.Fprintf(l.stderr, "halte route: the document of stop %s is refused, as a device would refuse it: %v\n", stop, err)
		return
	}
	l.mu.Lock()
	newer := doc.Newer(l.docs[stop])
	if newer {
		l.docs[stop] = doc
	}
	l.mu.Unlock()
	if newer {
		select {
		case l.changed <- stop:
		default:
		}
	}
}

// snapshot is a copy of the documents held.
func (l *liveStops) snapshot() map[string]halte.StopState {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]halte.StopState, len(l.docs))
	for k, v := range l.docs {
		out[k] = v
	}
	return out
}
