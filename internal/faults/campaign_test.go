package faults_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/firmware/store"
	"github.com/halte-transit/halte/internal/faults"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
	"github.com/halte-transit/halte/sign"
)

var (
	runs       = flag.Int("runs", 0, "fault runs to make; 0 skips the campaign (scripts/faults.sh sets it)")
	firstSeed  = flag.Uint64("seed", 0, "the first run's seed (the others follow it); 0 draws one")
	failedFile = flag.String("failed", "", "a file to write the seeds of failing runs to")
)

// The devices of a run: a stop on tram 1, another on tram 1, and one on
// tram 4 and bus 70, of the sample Ghent network.
var deviceStops = []string{"200101", "200501", "200301"}

// targets are what operator alerts name: a line, or a stop.
var targets = []halte.Alert{
	{Lines: []halte.Line{{ID: "T1"}}}, {Lines: []halte.Line{{ID: "T4"}}}, {Lines: []halte.Line{{ID: "B70"}}},
	{Stops: []string{"200101"}}, {Stops: []string{"200301"}}, {Stops: []string{"korenmarkt"}},
}

// outcome is what the checks found in one run.
type outcome struct{ lost, wrong, diverged int }

// TestCampaign runs randomized fault runs against the real hub, agents and
// Mosquitto (with persistence), and checks per device that its state equals
// the hub's latest documents, that nothing it had committed went back, that
// no alert was announced after its cancellation was committed, and that
// its state file passes bbolt's check.
func TestCampaign(t *testing.T) {
	if *runs == 0 {
		t.Skip("the fault campaign runs with scripts/faults.sh (go test -args -runs N)")
	}
	testkit.RequireTool(t, "espeak-ng")
	bin := halteBinary(t)
	seed := *firstSeed
	if seed == 0 {
		seed = rand.Uint64() % 1_000_000
	}
	var total outcome
	faultCount := 0
	var failing []string
	for i := range *runs {
		s := seed + uint64(i)
		sc := faults.Draw(s, len(deviceStops))
		var o outcome
		t.Run(fmt.Sprintf("seed-%d", s), func(t *testing.T) { o = run(t, bin, sc, i+1) })
		faultCount += sc.Faults()
		total.lost, total.wrong, total.diverged = total.lost+o.lost, total.wrong+o.wrong, total.diverged+o.diverged
		if o != (outcome{}) {
			failing = append(failing, fmt.Sprint(s))
		}
	}
	fmt.Printf("faults: runs %d, faults %d, lost %d, wrongly spoken %d, diverged %d\n", *runs, faultCount, total.lost, total.wrong, total.diverged)
	if len(failing) > 0 {
		fmt.Printf("failing seeds (replay with scripts/faults.sh --runs 1 --seed S): %s\n", strings.Join(failing, " "))
		if *failedFile != "" {
			os.WriteFile(*failedFile, []byte(strings.Join(failing, "\n")+"\n"), 0o644)
		}
	}
}

// run makes one run of scenario sc and reports what the checks found.
func run(t *testing.T, bin string, sc faults.Scenario, n int) outcome {
	dir := t.TempDir()
	hubKey, operatorKey, hubTrust := keys(t, dir)
	broker := mqtttest.Start(t)
	target := fmt.Sprintf("127.0.0.1:%d", broker.Port)
	links := make([]*faults.Proxy, len(deviceStops)+1) // the devices', then the hub's
	for i := range links {
		p, err := faults.NewProxy(target)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		links[i] = p
	}
	hubProc := &proc{bin: bin, log: filepath.Join(dir, "hub.log"), args: []string{"hub", "--broker", "tcp://" + links[len(deviceStops)].Addr,
		"--gtfs", sampleGTFS, "--key", hubKey + ".key", "--operator-keys", filepath.Join(dir, "operator.pub"), "--state-dir", filepath.Join(dir, "hub")}}
	agents := make([]*proc, len(deviceStops))
	for i, stop := range deviceStops {
		conf := filepath.Join(dir, fmt.Sprintf("dev%d.yaml", i))
		agentConfig(t, conf, "tcp://"+links[i].Addr, fmt.Sprintf("dev%d", i), stop, filepath.Join(dir, fmt.Sprintf("state%d", i)), hubKey+".pub")
		agents[i] = &proc{bin: bin, log: filepath.Join(dir, fmt.Sprintf("dev%d.log", i)), args: []string{"agent", "--config", conf}}
	}
	w := watch(t, broker.URL, hubTrust)
	hubProc.start(t)
	for _, a := range agents {
		a.start(t)
	}
	t.Cleanup(func() {
		for _, p := range append(agents, hubProc) {
			p.kill()
		}
	})

	// The storm: every step at its time; a fault's end (a restart) too.
	final := map[string]halte.Alert{} // the operator's last word per alert
	type event struct {
		at time.Duration
		do func()
	}
	var timeline []event
	for _, st := range sc.Steps {
		st := st
		timeline = append(timeline, event{st.At, func() { step(t, st, sc.Seed, final, operatorKey, broker, links, agents, hubProc, w) }})
		if restart := restarter(t, st, broker, agents, hubProc); restart != nil {
			timeline = append(timeline, event{st.At + st.For, restart})
		}
	}
	sort.SliceStable(timeline, func(i, j int) bool { return timeline[i].at < timeline[j].at })
	began := time.Now()
	for _, e := range timeline {
		time.Sleep(time.Until(began.Add(e.at)))
		e.do()
	}
	// The operator says its last word again: a broker killed before its
	// autosave may have lost a retained alert it had acknowledged.
	for id, a := range final {
		for operatorPublish(broker.URL, operatorKey, mqtt.OperatorAlertTopic(id), a, 2*time.Second) != nil {
			time.Sleep(100 * time.Millisecond)
		}
	}

	// Convergence: each device holds the hub's latest document for its stop,
	// and that document says what the operator's alerts say.
	truth := expected(t, final)
	settled := time.Now()
	// Clients reconnect with a backoff of up to 30 s (the mqtt package): after
	// a late broker kill, the hub and then a device may each wait that long.
	waitConverged(w, truth, 90*time.Second) // what has not converged by then is counted below
	convergedIn := time.Since(settled) - settle
	for _, p := range append(agents, hubProc) {
		p.stop()
	}
	var o outcome
	var notes []string
	inForce, storedN, announcedN := 0, 0, 0
	for _, list := range truth {
		inForce += len(list)
	}
	for i, stop := range deviceStops {
		device := fmt.Sprintf("dev%d", i)
		f, err := os.Open(agents[i].log)
		if err != nil {
			t.Fatal(err)
		}
		stored, announced, err := faults.ReadLog(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		storedN, announcedN = storedN+len(stored), announcedN+len(announced)
		back, wrong := faults.Backwards(stored), faults.WronglySpoken(stored, announced)
		held, err := stateOf(filepath.Join(dir, fmt.Sprintf("state%d", i)), stop)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: state file: %v", device, err))
			o.lost++
		}
		if held.Version < faults.Highest(stored)[stop] {
			notes = append(notes, fmt.Sprintf("%s: state file holds version %d, below the %d it had stored", device, held.Version, faults.Highest(stored)[stop]))
			back++
		}
		latest := w.latestOf(stop)
		if held.Version != latest.Version || !slices.Equal(ids(held), ids(latest)) || !slices.Equal(ids(latest), truth[stop]) {
			notes = append(notes, fmt.Sprintf("%s: holds version %d %v; the hub's latest is %d %v; the operator's alerts make %v",
				device, held.Version, ids(held), latest.Version, ids(latest), truth[stop]))
			o.diverged++
		}
		if back > 0 || wrong > 0 {
			notes = append(notes, fmt.Sprintf("%s: went back %d times, announced %d cancelled alerts", device, back, wrong))
		}
		o.lost += back
		o.wrong += wrong
	}
	var kinds []string
	for _, st := range sc.Steps {
		if st.IsFault() {
			kinds = append(kinds, st.Kind)
		}
	}
	fmt.Printf("run %d seed %d: storm %s, %d operator steps, faults %d (%s); devices stored %d documents, announced %d parts; %d alerts in force at their stops, converged in %.1f s; lost %d, wrongly spoken %d, diverged %d\n",
		n, sc.Seed, sc.Storm, len(sc.Steps)-sc.Faults(), sc.Faults(), strings.Join(kinds, ", "), storedN, announcedN, inForce,
		convergedIn.Seconds(), o.lost, o.wrong, o.diverged)
	for _, note := range notes {
		fmt.Printf("  %s\n", note)
	}
	if o != (outcome{}) {
		t.Errorf("lost %d, wrongly spoken %d, diverged %d; logs kept in %s", o.lost, o.wrong, o.diverged, keep(dir))
	}
	return o
}

// stepWait is how long an operator's step waits for the broker: no longer,
// or a broker that is down would hold back the storm's later steps (the
// operator says its last word again at the end).
const stepWait = 300 * time.Millisecond

// step does one step of a scenario.
func step(t *testing.T, st faults.Step, seed uint64, final map[string]halte.Alert, key *sign.Signer,
	broker *mqtttest.Broker, links []*faults.Proxy, agents []*proc, hubProc *proc, w *watcher) {
	id := fmt.Sprintf("f%d-%d", seed, st.Alert)
	version := uint64(time.Now().UnixMilli())
	switch st.Kind {
	case faults.Publish:
		a := targets[(st.Alert+int(seed))%len(targets)]
		a.ID, a.Version, a.Effect = id, version, []halte.Effect{halte.Detour, halte.NoService, halte.ReducedService}[st.Alert%3]
		a.Header = halte.Text{"nl": fmt.Sprintf("Storing %d.", st.Alert)}
		final[id] = a
		operatorPublish(broker.URL, key, mqtt.OperatorAlertTopic(id), a, stepWait)
	case faults.Update:
		a, ok := final[id]
		if !ok || a.Cancelled {
			return
		}
		a.Version = max(version, a.Version+1)
		a.Header = halte.Text{"nl": fmt.Sprintf("Storing %d, versie %d.", st.Alert, a.Version)}
		final[id] = a
		operatorPublish(broker.URL, key, mqtt.OperatorAlertTopic(id), a, stepWait)
	case faults.Cancel:
		a, ok := final[id]
		if !ok || a.Cancelled {
			return
		}
		c := halte.Alert{ID: id, Version: max(version, a.Version+1), Cancelled: true}
		final[id] = c
		operatorPublish(broker.URL, key, mqtt.OperatorAlertTopic(id), c, stepWait)
	case faults.BrokerKill:
		broker.Kill()
	case faults.AgentKill:
		agents[st.Target].kill()
	case faults.HubKill:
		hubProc.kill()
	case faults.Cut:
		links[st.Target].Cut(st.For)
	case faults.Delay:
		links[st.Target].Delay(st.Delay, st.For)
	case faults.Reset:
		links[st.Target].Reset()
	case faults.Replay:
		old := w.older(deviceStops[st.Target], 2)
		for _, payload := range append(old, old...) { // twice, and out of order
			w.client.Publish(mqtt.StopTopic(deviceStops[st.Target]), 1, false, payload).WaitTimeout(time.Second)
		}
	}
}

// restarter is what ends a fault that kills a process: starting it again.
func restarter(t *testing.T, st faults.Step, broker *mqtttest.Broker, agents []*proc, hubProc *proc) func() {
	switch st.Kind {
	case faults.BrokerKill:
		return broker.Restart
	case faults.AgentKill:
		return func() { agents[st.Target].start(t) }
	case faults.HubKill:
		return func() { hubProc.start(t) }
	}
	return nil
}

// expected is, per device stop, the ids of the alerts that the operator's
// last word puts in force there, by the hub's own resolution.
func expected(t *testing.T, final map[string]halte.Alert) map[string][]string {
	state := hub.NewState(sample.GhentNetwork(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	var touched []string
	for id, a := range final {
		raw, _ := json.Marshal(a)
		touched = append(touched, state.ApplyAlert(id, raw)...)
	}
	out := map[string][]string{}
	for _, doc := range state.Plan(touched, time.Now()) {
		out[doc.Stop] = ids(doc)
	}
	return out
}

// waitConverged waits until every device reports the hub's latest version
// of its stop, that document says what the operator's alerts say, and this
// has held for settle (a hub still reconnecting after a broker's restart
// may yet republish what the broker lost).
const settle = 3 * time.Second

func waitConverged(w *watcher, truth map[string][]string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	var since time.Time
	for time.Now().Before(deadline) {
		switch {
		case !w.converged(truth):
			since = time.Time{}
		case since.IsZero():
			since = time.Now()
		case time.Since(since) >= settle:
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func (w *watcher) converged(truth map[string][]string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, stop := range deviceStops {
		latest := w.latest[stop]
		if !slices.Equal(ids(latest), truth[stop]) || w.versions[fmt.Sprintf("dev%d", i)][stop] != latest.Version {
			return false
		}
	}
	return true
}

func (w *watcher) latestOf(stop string) halte.StopState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.latest[stop]
}

// stateOf opens a device's state file (the device stopped), checks it with
// bbolt's own check, and returns what it holds for stop.
func stateOf(dir, stop string) (halte.StopState, error) {
	s, err := store.Open(dir)
	if err != nil {
		return halte.StopState{}, err
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		return halte.StopState{}, err
	}
	all, err := s.All()
	return all[stop], err
}

// ids are a document's alert ids, sorted; none for no document.
func ids(doc halte.StopState) []string {
	out := doc.AlertIDs()
	slices.Sort(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// keep copies a failing run's folder out of the test's temporary one.
func keep(dir string) string {
	dst, err := os.MkdirTemp("", "halte-faults-")
	if err != nil {
		return dir
	}
	os.CopyFS(dst, os.DirFS(dir))
	return dst
}
