//go:build !device

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/route"
	"github.com/halte-transit/halte/sign"
)

// receipt is a device's receipt, as it arrives on its events topic.
type receipt struct {
	Device string
	agent.Announcement
}

// trust checks the documents with the hub's keys, or says that nothing is
// checked.
func (f *routeFlags) trust(stderr io.Writer) (*sign.Verifier, error) {
	if len(f.hubKeys) > 0 {
		return sign.LoadVerifier(f.hubKeys, nil)
	}
	fmt.Fprintln(stderr, "halte route: the documents' signatures are not checked (give --hub-keys to check them as a device does)")
	return sign.Insecure(), nil
}

// runLive checks the route on the documents the broker holds, then, as
// asked, follows them (--watch) or makes stops speak (--trigger, --walk).
func (f *routeFlags) runLive(ctx context.Context, r route.Route, net *gtfs.Network, opts route.Options, stdout, stderr io.Writer) error {
	trust, err := f.trust(stderr)
	if err != nil {
		return err
	}
	stops := newLiveStops(trust, stderr)
	routes := stops.routes(r)
	receipts := make(chan receipt, 64)
	if f.trigger != "" || f.walk {
		routes[mqtt.DeviceEventsFilter] = mqtt.Route{QoS: 0, Handle: func(_ paho.Client, m paho.Message) {
			var rc receipt
			if json.Unmarshal(m.Payload(), &rc.Announcement) == nil {
				rc.Device = strings.TrimSuffix(strings.TrimPrefix(m.Topic(), mqtt.Root+"/devices/"), "/events")
				select {
				case receipts <- rc:
				default:
				}
			}
		}}
	}
	waitCtx, cancel := context.WithTimeout(ctx, f.wait)
	defer cancel()
	synced := make(chan error, 1)
	client, err := f.conn.connect(waitCtx, "halte-route", stderr, func(c paho.Client) {
		opts := c.OptionsReader()
		err := mqtt.SubscribeAndSync(c, opts.ClientID(), routes, func() { synced <- nil })
		if err != nil {
			synced <- err
		}
	})
	if err != nil {
		return err
	}
	defer client.Disconnect(250)
	select {
	case err := <-synced:
		if err != nil {
			return err
		}
	case <-waitCtx.Done():
		return fmt.Errorf("the stops' documents were not all read within %s", f.wait)
	}
	opts.Source = "live, from " + strings.Join(f.conn.brokers, ", ")
	check := func() route.Report {
		if f.at.IsZero() {
			opts.At = time.Now()
		}
		return route.Check(r, stops.snapshot(), net, opts)
	}
	l := lesson{client: client, receipts: receipts, wait: f.wait, stdout: stdout}
	switch {
	case f.trigger != "":
		rep := check()
		e, ok := entryOf(rep, f.trigger)
		if !ok {
			return fmt.Errorf("--trigger %s: the stop is not on the route", f.trigger)
		}
		rep.WriteEntry(stdout, e)
		return l.speak(ctx, e)
	case f.walk:
		return l.walk(ctx, check, os.Stdin)
	}
	if err := f.report(ctx, check(), stdout, stderr); err != nil || !f.watch {
		return err
	}
	return watch(ctx, stops, check, stdout)
}

// watch prints a stop's entry again each time its document changes, until
// ctx ends.
func watch(ctx context.Context, stops *liveStops, check func() route.Report, stdout io.Writer) error {
	fmt.Fprintln(stdout, "\nWatching the stops' documents; Ctrl-C to stop.")
	for {
		select {
		case <-ctx.Done():
			return nil
		case stop := <-stops.changed:
			rep := check()
			if e, ok := entryOf(rep, stop); ok {
				fmt.Fprintf(stdout, "\nChanged at %s:\n", time.Now().Format("15:04:05"))
				rep.WriteEntry(stdout, e)
			}
		}
	}
}

func entryOf(rep route.Report, stop string) (route.Entry, bool) {
	for _, e := range rep.Stops {
		if e.Stop == stop {
			return e, true
		}
	}
	return route.Entry{}, false
}

// lesson makes stops speak on an instructor's cue and shows what their
// devices answered.
type lesson struct {
	client   paho.Client
	receipts chan receipt
	wait     time.Duration
	stdout   io.Writer
}

// speak publishes the trigger of e's stop and prints the receipts of the
// answer, until its last part, or says that no device answered in time.
func (l lesson) speak(ctx context.Context, e route.Entry) error {
	for len(l.receipts) > 0 { // receipts of an earlier answer are not this one's
		<-l.receipts
	}
	asked := time.Now()
	if err := mqtt.Publish(ctx, l.client, mqtt.TriggerTopic(e.Stop), false, []byte(asked.UTC().Format(time.RFC3339))); err != nil {
		return fmt.Errorf("trigger of stop %s: %w", e.Stop, err)
	}
	fmt.Fprintf(l.stdout, "Asked %s (%s) to speak.\n", e.Name, e.Stop)
	deadline := time.NewTimer(l.wait)
	defer deadline.Stop()
	answered := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			if answered {
				return fmt.Errorf("the device at %s did not finish its answer within %s", e.Name, l.wait)
			}
			return fmt.Errorf("no device at %s (%s) answered within %s: it may be offline, or it was asked a moment ago (a stop answers one trigger every 10 seconds at most)",
				e.Name, e.Stop, l.wait)
		case rc := <-l.receipts:
			if rc.Trigger != halte.TriggerRemote || rc.Stop != "" && rc.Stop != e.Stop {
				continue
			}
			answered = true
			fmt.Fprintf(l.stdout, "  device %s said (%s): %s\n", rc.Device, rc.Lang, rc.Text)
			if rc.Last {
				return nil
			}
		}
	}
}

// walk goes along the route: each Enter makes the next stop speak.
func (l lesson) walk(ctx context.Context, check func() route.Report, in io.Reader) error {
	lines := bufio.NewScanner(in)
	stops := check().Stops
	for i := 0; i < len(stops); i++ {
		rep := check()
		e := rep.Stops[i]
		fmt.Fprintln(l.stdout)
		rep.WriteEntry(l.stdout, e)
		fmt.Fprintf(l.stdout, "Enter: make %s speak; s: skip it; q: end the lesson. ", e.Name)
		if !lines.Scan() {
			return lines.Err()
		}
		switch strings.TrimSpace(lines.Text()) {
		case "q":
			return nil
		case "s":
			continue
		}
		if err := l.speak(ctx, e); err != nil {
			fmt.Fprintf(l.stdout, "halte route: %v\n", err)
		}
	}
	return nil
}
