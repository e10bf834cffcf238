//go:build !device

package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/mqtt"
)

// deviceStatus is what fleet reads of a device's retained status.
type deviceStatus struct {
	Online    bool              `json:"online"`
	Device    string            `json:"device"`
	Release   string            `json:"release"`
	Stops     []string          `json:"stops"`
	Alerts    map[string]uint64 `json:"alerts"`
	Announced map[string]struct {
		Version uint64    `json:"version"`
		At      time.Time `json:"at"`
	} `json:"announced"`
	Signal halte.Signal `json:"signal"`
	Audio  string       `json:"audio"`
	Store  string       `json:"store"`
	At     time.Time    `json:"at"`
}

// problems lists what is wrong with a device, in words; none means healthy.
func (d deviceStatus) problems() []string {
	var out []string
	if !d.Online {
		out = append(out, "offline since "+d.At.Local().Format("2006-01-02 15:04"))
	}
	if d.Audio != "" && d.Audio != "ok" {
		out = append(out, "audio: "+d.Audio)
	}
	if d.Store != "" && d.Store != "ok" {
		out = append(out, "state file: "+d.Store)
	}
	if d.Signal.Stale {
		out = append(out, "information out of date")
	}
	return out
}

func runFleet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fleet", flag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	alert := fs.String("alert", "", "show, for each device, whether it holds and has announced the alert with this `id`")
	wait := fs.Duration("wait", 15*time.Second, "how long to wait for the broker")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	statuses, err := readStatuses(ctx, &conn, *wait, stderr)
	if err != nil {
		return err
	}
	unhealthy, holding, announced := 0, 0, 0
	for _, d := range statuses {
		line := fmt.Sprintf("%s (stops %s; halte %s): ", d.Device, strings.Join(d.Stops, ", "), cmp.Or(d.Release, "of an unknown release"))
		if p := d.problems(); len(p) > 0 {
			unhealthy++
			line += strings.Join(p, "; ")
		} else {
			line += fmt.Sprintf("online, alerts: %d", d.Signal.Alerts)
		}
		if *alert != "" {
			v, held := d.Alerts[*alert]
			heard, said := d.Announced[*alert]
			switch {
			case held && said:
				holding, announced = holding+1, announced+1
				line += fmt.Sprintf("; %s: holds version %d, announced version %d at %s", *alert, v, heard.Version, heard.At.Local().Format("15:04:05"))
			case held:
				holding++
				line += fmt.Sprintf("; %s: holds version %d, not announced", *alert, v)
			default:
				line += fmt.Sprintf("; %s: not held", *alert)
			}
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stdout, "devices: %d; with a problem: %d", len(statuses), unhealthy)
	if *alert != "" {
		fmt.Fprintf(stdout, "; alert %s held by %d, announced by %d", *alert, holding, announced)
	}
	fmt.Fprintln(stdout)
	return nil
}

// readStatuses reads every device's retained status, sorted by device.
func readStatuses(ctx context.Context, conn *connFlags, wait time.Duration, stderr io.Writer) ([]deviceStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	var mu sync.Mutex
	byDevice := map[string]deviceStatus{}
	routes := map[string]mqtt.Route{mqtt.DeviceStatusFilter: {QoS: 1, Handle: func(_ paho.Client, m paho.Message) {
		var d deviceStatus
		if err := json.Unmarshal(m.Payload(), &d); err != nil || d.Device == "" {
			fmt.Fprintf(stderr, "halte: %s: not a device status, left out\n", m.Topic())
			return
		}
		mu.Lock()
		byDevice[d.Device] = d
		mu.Unlock()
	}}}
	synced := make(chan error, 1)
	client, err := conn.connect(ctx, "halte-fleet", stderr, func(c paho.Client) {
		opts := c.OptionsReader()
		if err := mqtt.SubscribeAndSync(c, opts.ClientID(), routes, func() { synced <- nil }); err != nil {
			synced <- err
		}
	})
	if err != nil {
		return nil, err
	}
	defer client.Disconnect(250)
	select {
	case err := <-synced:
		if err != nil {
			return nil, err
		}
	case <-ctx.Done():
		return nil, fmt.Errorf("the devices' statuses were not all read within %s", wait)
	}
	mu.Lock()
	defer mu.Unlock()
	out := make([]deviceStatus, 0, len(byDevice))
	for _, d := range byDevice {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b deviceStatus) int { return strings.Compare(a.Device, b.Device) })
	return out, nil
}
