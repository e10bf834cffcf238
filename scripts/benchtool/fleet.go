package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"sync"
	"syscall"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/feeds/mqtt"
	"github.com/halte-transit/halte/feeds/sign"
	"github.com/halte-transit/halte/firmware/agent"
)

// fleet runs simulated stop agents in this process (real MQTT connections,
// real policy, state files and speech caches; silence for speech, no sound
// device) and a hub, against a real Mosquitto; it measures how long a
// line's alert takes to reach its stops' agents, and a network-wide alert
// to reach them all.
func fleet(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fleet", flag.ExitOnError)
	n := fs.Int("agents", 500, "how many agents")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	fs.Parse(args)
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	dir, url, stop, err := mosquittoIn("halte-fleet-")
	if err != nil {
		return err
	}
	defer stop()
	net, err := sample.Region(*n, max(1, *n/40), 40) // two directions: each stop on about two lines
	if err != nil {
		return err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go hub.Run(ctx, hub.Config{Broker: url, Network: net, ClientID: "fleet-hub", Logger: quiet, OperatorKeys: sign.Insecure()})

	agents := make([]*agent.Agent, 0, *n)
	var wg sync.WaitGroup
	start := time.Now()
	limit := ""
	for i := range *n {
		a, err := agent.New(agent.Config{Broker: url, Device: fmt.Sprintf("d%d", i), Stops: []string{fmt.Sprintf("s%d", i)},
			StateDir: filepath.Join(dir, fmt.Sprint(i)), Insecure: true, StartupWait: 30 * time.Second,
			Audio: agent.AudioConfig{Output: "none"}}, agent.Deps{Engine: silence{}, Logger: quiet})
		if err != nil {
			limit = err.Error()
			break
		}
		agents = append(agents, a)
		wg.Add(1)
		go func() { defer wg.Done(); a.Run(ctx); a.Close() }()
	}
	for _, a := range agents {
		<-a.Ready()
	}
	started := time.Since(start)

	op := mqtt.NewClient(mqtt.Options{Broker: url, ClientID: "fleet-operator", Logger: quiet})
	if err := mqtt.Connect(ctx, op); err != nil {
		return err
	}
	line := halte.Alert{ID: "line", Version: 1, Effect: halte.Detour, Lines: []halte.Line{{ID: "r0"}}}
	lineStops := net.RouteStops("r0")
	lineLat, lineMissing, err := deliver(ctx, op, line, agents, lineStops)
	if err != nil {
		return err
	}
	all := make([]string, len(agents))
	for i := range agents {
		all[i] = fmt.Sprintf("s%d", i)
	}
	wide := halte.Alert{ID: "wide", Version: 1, Effect: halte.ReducedService, Stops: all} // every stop of the network
	wideLat, wideMissing, err := deliver(ctx, op, wide, agents, all)
	if err != nil {
		return err
	}
	cancel()
	wg.Wait()
	if missing := lineMissing + wideMissing; missing > 0 && limit == "" {
		limit = fmt.Sprintf("%d of the %d agents did not get an alert within %v", missing, len(agents), deliveryDeadline)
	}
	if limit == "" {
		var rl syscall.Rlimit
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
		limit = fmt.Sprintf("the count asked for; this machine's open-file limit (%d) would stop one process near %d agents (a socket and a state file each)", rl.Cur, rl.Cur/2)
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"agents": len(agents), "asked": *n, "limit": limit, "start_s": started.Seconds(),
		"line_stops": len(lineStops), "line_p50_ms": pct(lineLat, 50), "line_p99_ms": pct(lineLat, 99),
		"wide_all_ms": pct(wideLat, 100), "wide_p50_ms": pct(wideLat, 50), "wide_received": len(wideLat),
	})
}

// deliveryDeadline bounds how long deliver waits for the last agent.
const deliveryDeadline = 2 * time.Minute

// deliver publishes an operator alert and returns, for each of the stops'
// agents that got it within deliveryDeadline, how long until it held a
// document with the alert, and how many agents did not.
func deliver(ctx context.Context, op paho.Client, a halte.Alert, agents []*agent.Agent, stops []string) ([]time.Duration, int, error) {
	raw, _ := json.Marshal(a)
	t0 := time.Now()
	if err := mqtt.Publish(ctx, op, mqtt.OperatorAlertTopic(a.ID), true, raw); err != nil {
		return nil, 0, err
	}
	waiting := map[string]*agent.Agent{}
	for _, s := range stops {
		var i int
		if _, err := fmt.Sscanf(s, "s%d", &i); err == nil && i < len(agents) {
			waiting[s] = agents[i]
		}
	}
	var out []time.Duration
	for deadline := t0.Add(deliveryDeadline); len(waiting) > 0; time.Sleep(10 * time.Millisecond) {
		for s, ag := range waiting {
			for _, held := range ag.Documents()[s].Alerts {
				if held.ID == a.ID {
					out = append(out, time.Since(t0))
					delete(waiting, s)
				}
			}
		}
		if time.Now().After(deadline) {
			break
		}
	}
	return out, len(waiting), nil
}

// silence stands in for espeak-ng in the fleet: each real device
// synthesizes on its own processor, while thousands of espeak-ng runs on
// this machine's two cores would measure those cores, not delivery.
type silence struct{}

func (silence) Synthesize(_ context.Context, text, _ string, _ bool) (halte.PCM, error) {
	return halte.Silence(22050, 100*time.Millisecond), nil
}

func (silence) Key(lang string, _ bool) string { return "silence-" + lang }

func pct(d []time.Duration, p int) float64 {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := min(len(s)-1, len(s)*p/100)
	return float64(s[i].Microseconds()) / 1000
}
