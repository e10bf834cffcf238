package faults_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/sign"
)

var halteFlag = flag.String("halte", "", "the halte binary to run; empty builds it (scripts/faults.sh passes its own)")

const sampleGTFS = "../../feeds/gtfs/sample/ghent"

// halteBinary is the binary the campaign runs.
func halteBinary(t *testing.T) string {
	t.Helper()
	if *halteFlag != "" {
		return *halteFlag
	}
	bin := filepath.Join(t.TempDir(), "halte")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/halte")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build halte: %v\n%s", err, out)
	}
	return bin
}

// proc is one halte process that can be killed and started again; its
// output from every start goes to one log file.
type proc struct {
	bin, log string
	args     []string
	cmd      *exec.Cmd
}

// start starts the process, unless it runs already (two kills of one
// process overlapped: the later restart finds it running).
func (p *proc) start(t *testing.T) {
	t.Helper()
	if p.cmd != nil {
		return
	}
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
}

// kill ends the process with SIGKILL, as a crash or a power cut would.
func (p *proc) kill() {
	if p.cmd != nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
		p.cmd = nil
	}
}

// stop ends the process with SIGTERM and waits (SIGKILL after 10 s).
func (p *proc) stop() {
	if p.cmd == nil {
		return
	}
	testkit.Terminate(p.cmd, 10*time.Second)
	p.cmd = nil
}

// keys makes the hub's and an operator's key pairs in dir.
func keys(t *testing.T, dir string) (hubKey string, operator *sign.Signer, hubTrust *sign.Verifier) {
	t.Helper()
	for _, name := range []string{"hub", "operator"} {
		if _, err := sign.Generate(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	operator, err := sign.LoadSigner(filepath.Join(dir, "operator.key"))
	if err != nil {
		t.Fatal(err)
	}
	hubTrust, err = sign.LoadVerifier([]string{filepath.Join(dir, "hub.pub")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "hub"), operator, hubTrust
}

// watcher reads, straight from the broker, every stop document (each
// version, signature checked) and every device's status.
type watcher struct {
	mu       sync.Mutex
	docs     map[string]map[uint64][]byte // stop → version → signed payload
	latest   map[string]halte.StopState   // stop → the retained (newest) document
	versions map[string]map[string]uint64 // device → stop → version it holds
	client   paho.Client
}

func watch(t *testing.T, broker string, trust *sign.Verifier) *watcher {
	t.Helper()
	w := &watcher{docs: map[string]map[uint64][]byte{}, latest: map[string]halte.StopState{}, versions: map[string]map[string]uint64{}}
	w.client = mqtt.NewClient(mqtt.Options{Broker: broker, ClientID: "faults-watch", Logger: (&testkit.Log{}).Logger(),
		OnConnect: func(c paho.Client) {
			c.Subscribe(mqtt.StopsFilter, 1, func(_ paho.Client, m paho.Message) { w.document(m.Topic(), m.Payload(), trust) })
			c.Subscribe(mqtt.DeviceStatusFilter, 1, func(_ paho.Client, m paho.Message) { w.status(m.Payload()) })
		}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := mqtt.Connect(ctx, w.client); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.client.Disconnect(100) })
	return w
}

func (w *watcher) document(topic string, payload []byte, trust *sign.Verifier) {
	body, _, err := trust.Open(payload)
	if err != nil {
		return
	}
	doc, err := halte.DecodeStopState(body)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	stop := mqtt.LastLevel(topic)
	if w.docs[stop] == nil {
		w.docs[stop] = map[uint64][]byte{}
	}
	w.docs[stop][doc.Version] = payload
	if doc.Version > w.latest[stop].Version {
		w.latest[stop] = doc
	}
}

func (w *watcher) status(payload []byte) {
	var st struct {
		Device   string            `json:"device"`
		Versions map[string]uint64 `json:"versions"`
	}
	if json.Unmarshal(payload, &st) != nil || st.Device == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if st.Versions != nil {
		w.versions[st.Device] = st.Versions
	}
}

// older returns up to n signed documents of stop older than its newest,
// newest first.
func (w *watcher) older(stop string, n int) [][]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	versions := slices.Sorted(maps.Keys(w.docs[stop]))
	slices.Reverse(versions)
	var out [][]byte
	for _, v := range versions {
		if v < w.latest[stop].Version && len(out) < n {
			out = append(out, w.docs[stop][v])
		}
	}
	return out
}

// operatorPublish publishes v as an operator does with halte alert: signed,
// retained, on a connection of its own that waits up to wait for the
// broker's acknowledgement, or fails (nothing is left queued to be sent
// late, after a newer version).
func operatorPublish(broker string, s *sign.Signer, topic string, v any, wait time.Duration) error {
	c := mqtt.NewClient(mqtt.Options{Broker: broker, ClientID: fmt.Sprintf("faults-operator-%d", time.Now().UnixNano()),
		Once: true, Logger: (&testkit.Log{}).Logger()})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := mqtt.Connect(ctx, c); err != nil {
		return err
	}
	defer c.Disconnect(50)
	return publishSigned(c, s, topic, v, wait)
}

// publishSigned publishes v, signed, retained, and waits up to wait for the
// broker's acknowledgement.
func publishSigned(c paho.Client, s *sign.Signer, topic string, v any, wait time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	signed, err := s.Sign(raw)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return mqtt.Publish(ctx, c, topic, true, signed)
}

func agentConfig(t *testing.T, path, broker, device, stop, stateDir, hubPub string) {
	t.Helper()
	conf := fmt.Sprintf(`broker: %s
device: %s
stops: [%q]
state_dir: %s
hub_keys: [%s]
languages: [nl]
startup_wait: 500ms
announce:
  coalesce: 100ms
  min_gap: 200ms
  repeat_every: 2s
audio:
  output: none
`, broker, device, stop, stateDir, hubPub)
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
}
