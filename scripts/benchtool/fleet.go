package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/natstest"
	"github.com/halte-transit/halte/sign"
)

// fleet runs simulated stop agents (real MQTT connections, real policy,
// state files and speech caches; silence for speech, no sound device) in
// shard processes, and a hub, against real brokers; it measures how long
// a line's alert takes to reach its stops' agents, and a network-wide
// alert to reach them all. This machine's open-file limit bounds a process
// (two files an agent) and a broker (one connection an agent). With
// --broker mosquitto, as many Mosquittos are started as the count needs,
// bridged to the first; with --broker nats, a 3-node NATS cluster (MQTT,
// JetStream, streams replicated 3 times), each agent given every node,
// and a second network-wide alert during which a node is killed.
func fleet(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fleet", flag.ExitOnError)
	n := fs.Int("agents", 500, "how many agents")
	kind := fs.String("broker", "mosquitto", "mosquitto (bridged brokers) or nats (a 3-node cluster)")
	fs.DurationVar(&deliveryDeadline, "deadline", deliveryDeadline, "how long an alert may take to reach every agent")
	natsPublishers := fs.Int("publishers", 8, "on nats, the hub's publishing connections (halte hub --publishers)")
	session := fs.String("session", "kept", "the agents' session: kept (QoS 1, acknowledged once stored) or none (a clean session at QoS 0)")
	statusSpread := fs.Duration("status-spread", 0, "the agents' status_spread: each status after a random pause of half this to this, one for all that changed in it; 0: at once")
	consumers := fs.String("consumers", "replicated", "on nats, where a device's subscription is kept: replicated (a JetStream consumer on 3 nodes, as shipped) or memory (one copy, in memory)")
	hubLog := fs.String("hub-log", "", "a file for the hub's log (its connections, what it published and what it sends again); none: discarded")
	jsTimeout := fs.Duration("js-api-timeout", 0, "on nats (2.11 or newer), how long a node waits for JetStream (a session's record, a QoS 1 store) before it fails the client; 0: the server's default, 5s")
	fs.Parse(args)
	onNATS := *kind == "nats"
	if !onNATS && *kind != "mosquitto" {
		return fmt.Errorf("--broker %q: want mosquitto or nats", *kind)
	}
	tuning, ok := map[string]string{"replicated": "", "memory": "consumer_replicas: 1, consumer_memory_storage: true"}[*consumers]
	if !ok {
		return fmt.Errorf("--consumers %q: want replicated or memory", *consumers)
	}
	if *jsTimeout > 0 {
		tuning = strings.TrimPrefix(tuning+", js_api_timeout: "+jsTimeout.String(), ", ")
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return err
	}
	const spare = 256 // files besides the agents' (the hub, bridges, logs)
	perProcess, perBroker := (int(rl.Cur)-spare)/2, int(rl.Cur)-spare
	brokers := ceil(*n, perBroker)
	if onNATS {
		brokers = 3
	}
	shards := ceil(ceil(*n, perProcess), brokers) * brokers // as many on each broker
	dir, err := os.MkdirTemp("", "halte-fleet-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var urls []string
	var nats *natstest.Cluster
	if onNATS {
		if nats, err = natstest.Run(filepath.Join(dir, "nats"), tuning); err != nil {
			return err
		}
		defer nats.StopAll()
		urls = nats.URLs
	} else {
		var stopBrokers func()
		if urls, stopBrokers, err = cluster(dir, brokers); err != nil {
			return err
		}
		defer stopBrokers()
	}
	net, err := sample.Region(*n, max(1, *n/40), 40) // two directions: each stop on about two lines
	if err != nil {
		return err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	hubLogger := quiet
	if *hubLog != "" {
		file, err := os.Create(*hubLog)
		if err != nil {
			return err
		}
		defer file.Close()
		hubLogger = slog.New(slog.NewTextHandler(file, nil))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	publishers := 1
	if onNATS {
		publishers = *natsPublishers
	}
	hubMetrics := prometheus.NewRegistry()
	hubConn := mqtt.Options{Broker: urls[0]}
	if onNATS { // a cluster: the hub fails over between its nodes, as halte hub --broker repeated does
		hubConn.Fallback = urls[1:]
	}
	go hub.Run(ctx, hub.Config{Connection: hubConn, Network: net, ClientID: "fleet-hub", Logger: hubLogger, OperatorKeys: sign.Insecure(), Publishers: publishers, Metrics: hubMetrics})
	op := mqtt.NewClient(mqtt.Options{Broker: urls[0], ClientID: "fleet-operator", Logger: quiet})
	if err := mqtt.Connect(ctx, op); err != nil {
		return err
	}
	if err := bridged(ctx, op, urls[1:], quiet); err != nil {
		return err
	}

	start := time.Now()
	f := &flock{reports: make(chan shardReport, 1024), session: *session, statusSpread: *statusSpread}
	defer f.stop()
	for k := range shards {
		nodes := urls[k%brokers : k%brokers+1]
		if onNATS { // every node, in the same order: each agent spreads itself (mqtt.NodeOrder)
			nodes = urls
		}
		if err := f.start(filepath.Join(dir, fmt.Sprint(k)), nodes, k**n/shards, (k+1)**n/shards); err != nil {
			return err
		}
	}
	ready, limit := f.ready()
	started := time.Since(start)
	settle(2 * time.Minute) // the agents' start-up work (state files, speech caches) is over
	if err := bridged(ctx, op, urls[1:], quiet); err != nil {
		return err
	}
	settled := time.Since(start) - started

	line := halte.Alert{ID: "line", Version: 1, Effect: halte.Detour, Lines: []halte.Line{{ID: "r0"}}}
	lineStops := net.RouteStops("r0")
	brokerRSS, brokerStart := brokerMemory(), brokerCPU()
	time.Sleep(10 * time.Second)
	brokerIdle := (brokerCPU() - brokerStart) / 10 // the fleet connected, nothing happening
	lineLat, lineMissing, err := f.deliver(ctx, op, line, lineStops, nil)
	if err != nil {
		return err
	}
	all := make([]string, *n)
	for i := range all {
		all[i] = fmt.Sprintf("s%d", i)
	}
	wide := halte.Alert{ID: "wide", Version: 1, Effect: halte.ReducedService, Stops: all} // every stop of the network
	wideLat, wideMissing, err := f.deliver(ctx, op, wide, all, nil)
	if err != nil {
		return err
	}
	figures := map[string]any{"line_missing": lineMissing, "wide_missing": wideMissing}
	lostMissing := 0
	if onNATS { // the same again, node 1 killed midway (deliver)
		settle(time.Minute)
		again := halte.Alert{ID: "wide-node-lost", Version: 1, Effect: halte.Detour, Stops: all}
		figures["node_killed"] = false
		var lost []time.Duration
		lost, lostMissing, err = f.deliver(ctx, op, again, all, func(holding int, after time.Duration) {
			nats.Kill(1)
			figures["node_killed"], figures["node_killed_after_s"], figures["node_killed_holding"] = true, after.Seconds(), holding
			progress("node 1 killed, %.0f s after the alert, %d agents holding it", after.Seconds(), holding)
		})
		if err != nil {
			return err
		}
		figures["node_lost_missing"] = lostMissing
		figures["consumers"], figures["session"], figures["publishers"], figures["nats_mqtt"] = *consumers, *session, publishers, tuning
		figures["nats_server"], _ = natstest.Version()
		figures["node_lost_all_ms"], figures["node_lost_p50_ms"], figures["node_lost_received"] = pct(lost, 100), pct(lost, 50), len(lost)
	}
	if lineMissing+wideMissing+lostMissing > 0 && limit == "" {
		limit = fmt.Sprintf("agents without the alert after %v: %d of %d for the line's, %d of %d for the network-wide", deliveryDeadline, lineMissing, len(lineStops), wideMissing, ready)
		if onNATS {
			limit += fmt.Sprintf(", %d of %d for the one sent as the node was killed", lostMissing, ready)
		}
	}
	if limit == "" && onNATS {
		limit = "the count asked for"
	}
	if limit == "" {
		limit = fmt.Sprintf("the count asked for; this machine's open-file limit (%d) allows about %d agents a process and %d a broker", rl.Cur, perProcess, perBroker)
	}
	maps.Copy(figures, map[string]any{
		"broker": *kind, "agents": ready, "status_spread_s": statusSpread.Seconds(), "asked": *n, "limit": limit, "start_s": started.Seconds(), "settle_s": settled.Seconds(), "processes": shards, "brokers": brokers,
		"line_stops": len(lineStops), "line_p50_ms": pct(lineLat, 50), "line_p99_ms": pct(lineLat, 99),
		"wide_all_ms": pct(wideLat, 100), "wide_p50_ms": pct(wideLat, 50), "wide_received": len(wideLat),
		"broker_rss_mb": brokerRSS, "broker_start_cpu_s": brokerStart, "broker_idle_cpu": brokerIdle,
		"hub_documents_lost": counted(hubMetrics, "halte_hub_documents_lost_total"), "agents_silences": f.silences,
	})
	return json.NewEncoder(os.Stdout).Encode(figures)
}

// deliveryDeadline bounds how long a shard waits for its last agent
// (--deadline).
var deliveryDeadline = 2 * time.Minute

// devicesNice is the shard processes' nice value (the brokers' is 0).
const devicesNice = 10

// flock is the shard processes and what they report.
type flock struct {
	shards       []*exec.Cmd
	orders       []*json.Encoder
	ranges       [][2]int
	closers      []io.Closer
	reports      chan shardReport
	session      string        // the agents' (agent.Config.Session)
	statusSpread time.Duration // the agents' (agent.Config.StatusSpread)
	silences     int           // the agents' silences (agent.Stats.Silences) at the end of the last delivery
}

// start runs a shard of the agents of stops s<from> to s<to-1> on the
// brokers (the nodes of one cluster, each agent trying them in its own order).
func (f *flock) start(dir string, brokers []string, from, to int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	// The devices run at a lower priority than the brokers: each real
	// device has a processor of its own, so its work should not take the
	// cores the brokers need (it still waits for them when they are busy).
	cmd := exec.Command("nice", "-n", fmt.Sprint(devicesNice), self, "fleet-shard", "--broker", strings.Join(brokers, ","), "--dir", dir, "--from", fmt.Sprint(from), "--to", fmt.Sprint(to), "--session", f.session, "--status-spread", f.statusSpread.String(), "--deadline", deliveryDeadline.String())
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	f.shards, f.orders, f.closers = append(f.shards, cmd), append(f.orders, json.NewEncoder(in)), append(f.closers, in)
	f.ranges = append(f.ranges, [2]int{from, to})
	go func() {
		lines := bufio.NewScanner(out)
		lines.Buffer(nil, 16<<20) // a report names every stop that missed an alert
		for lines.Scan() {
			var r shardReport
			if json.Unmarshal(lines.Bytes(), &r) == nil {
				f.reports <- r
			}
		}
		f.reports <- shardReport{Error: fmt.Sprintf("the shard of stops %d to %d ended", from, to-1)}
	}()
	return nil
}

// ready waits until every shard's agents are ready, and returns how many
// agents are, and why not all, if not.
func (f *flock) ready() (agents int, limit string) {
	start, tick := time.Now(), time.NewTicker(15*time.Second)
	defer tick.Stop()
	for done := 0; done < len(f.shards); {
		select {
		case r := <-f.reports:
			done++
			agents += r.Ready
			if r.Error != "" && limit == "" {
				limit = r.Error
			}
			progress("%d of %d shard processes have all their agents ready (%d agents), after %.0f s", done, len(f.shards), agents, time.Since(start).Seconds())
		case <-tick.C:
			progress("waiting for the agents to connect and sync: %d of %d shard processes ready, after %.0f s", done, len(f.shards), time.Since(start).Seconds())
		}
	}
	return agents, limit
}

// progress tells the person running a long benchmark where it is (on
// standard error: standard output is the figures).
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchtool fleet: "+format+"\n", args...)
}

// deliver publishes an operator alert, has the shards watch the stops'
// agents, and returns, for those that got it within deliveryDeadline, how
// long until each held a document with the alert, and how many did not.
// midway, if not nil, runs once, given how many hold it and since when it
// was sent, when half the stops' agents do or a quarter of
// deliveryDeadline has passed.
func (f *flock) deliver(ctx context.Context, op paho.Client, a halte.Alert, stops []string, midway func(holding int, after time.Duration)) ([]time.Duration, int, error) {
	raw, _ := json.Marshal(a)
	t0 := time.Now()
	if err := mqtt.Publish(ctx, op, mqtt.OperatorAlertTopic(a.ID), true, raw); err != nil {
		return nil, 0, err
	}
	for k, r := range f.ranges {
		var mine []string
		for _, s := range stops {
			var i int
			if _, err := fmt.Sscanf(s, "s%d", &i); err == nil && r[0] <= i && i < r[1] {
				mine = append(mine, s)
			}
		}
		if err := f.orders[k].Encode(watchOrder{Alert: a.ID, Stops: mine}); err != nil {
			return nil, 0, fmt.Errorf("shard %d: %w", k, err)
		}
	}
	var out []time.Duration
	missing := 0
	f.silences = 0 // each shard's Done carries its agents' count so far
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	var late <-chan time.Time
	if midway != nil {
		late = time.After(deliveryDeadline / 4)
	}
	halfway := func() {
		if midway != nil {
			midway(len(out), time.Since(t0))
			midway = nil
		}
	}
	for done := 0; done < len(f.shards); {
		var r shardReport
		select {
		case r = <-f.reports:
		case <-late:
			halfway()
			continue
		case <-tick.C:
			progress("alert %s: %d of %d agents hold it, after %.0f s", a.ID, len(out), len(stops), time.Since(t0).Seconds())
			continue
		}
		switch {
		case r.Alert == a.ID:
			out = append(out, time.Unix(0, r.At).Sub(t0))
			if len(out) >= len(stops)/2 {
				halfway()
			}
		case r.Done == a.ID:
			done++
			missing += len(r.Missing)
			f.silences += r.Silences
			for _, h := range r.Held {
				progress("alert %s not held in time by %s", a.ID, h)
			}
		case r.Error != "":
			return out, missing, fmt.Errorf("%s", r.Error)
		}
	}
	return out, missing, nil
}

// stop ends the shards: their input closes, and they close their agents.
func (f *flock) stop() {
	for _, c := range f.closers {
		c.Close()
	}
	for _, cmd := range f.shards {
		cmd.Wait()
	}
}

// bridged waits until a message published on the first broker now reaches
// every other broker of the cluster: the bridges are up, and what they
// carried before (the agents' start-up statuses) has gone through.
func bridged(ctx context.Context, op paho.Client, others []string, log *slog.Logger) error {
	const probe = "halte/v1/bench/probe"
	nonce := fmt.Sprint(time.Now().UnixNano())
	got := make(chan int, 16)
	for i, url := range others {
		c := mqtt.NewClient(mqtt.Options{Broker: url, ClientID: fmt.Sprintf("fleet-probe-%d", i), Logger: log})
		if err := mqtt.Connect(ctx, c); err != nil {
			return err
		}
		defer c.Disconnect(100)
		if err := mqtt.Wait(ctx, c.Subscribe(probe, 1, func(_ paho.Client, m paho.Message) {
			if string(m.Payload()) == nonce {
				select {
				case got <- i:
				default:
				}
			}
		})); err != nil {
			return err
		}
	}
	// Sent again every 5 s: a bridge that reconnected meanwhile forwards
	// only what comes after.
	again, deadline := time.NewTicker(5*time.Second), time.After(5*time.Minute)
	defer again.Stop()
	send := func() error { return mqtt.Publish(ctx, op, probe, false, []byte(nonce)) }
	if err := send(); err != nil {
		return err
	}
	for seen := map[int]bool{}; len(seen) < len(others); {
		select {
		case i := <-got:
			seen[i] = true
		case <-again.C:
			if err := send(); err != nil {
				return err
			}
		case <-deadline:
			return fmt.Errorf("a message from the first broker reached %d of the %d others in 5 minutes", len(seen), len(others))
		}
	}
	return nil
}

// settle waits until this machine's processors are at least three
// quarters idle over a second, or timeout passes.
func settle(timeout time.Duration) {
	start := time.Now()
	busy0, total0 := cpuJiffies()
	for time.Since(start) < timeout {
		time.Sleep(time.Second)
		busy, total := cpuJiffies()
		if total > total0 && float64(busy-busy0)/float64(total-total0) < 0.25 {
			return
		}
		busy0, total0 = busy, total
	}
}

// cpuJiffies reads the machine's busy and total processor time from /proc/stat.
func cpuJiffies() (busy, total int64) {
	raw, _ := os.ReadFile("/proc/stat")
	fields := strings.Fields(strings.SplitN(string(raw), "\n", 2)[0])[1:] // user nice system idle iowait irq softirq steal
	for i, f := range fields {
		v, _ := strconv.ParseInt(f, 10, 64)
		total += v
		if i != 3 && i != 4 {
			busy += v
		}
	}
	return busy, total
}

func ceil(a, b int) int { return (a + b - 1) / b }

func pct(d []time.Duration, p int) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := min(len(s)-1, len(s)*p/100)
	return float64(s[i].Microseconds()) / 1000
}

// counted is the value of the counter name in reg; 0 if it is absent.
func counted(reg *prometheus.Registry, name string) float64 {
	families, _ := reg.Gather()
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}
