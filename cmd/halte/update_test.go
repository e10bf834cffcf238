package main_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/firmware/store"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// TestUpdate installs releases, from a web server and from files, on a device whose agent runs under a
// supervisor that restarts it whenever it ends (as the unit's
// Restart=always does; systemd is not on this machine): a good signed
// release is installed and reported in the device's status; a bad
// signature, a truncated download and a release that never becomes ready
// are refused or rolled back, the old release running and the state file
// as it was.
func TestUpdate(t *testing.T) {
	testkit.RequireTool(t, "pkill")
	broker := mqtttest.Start(t)
	dir := t.TempDir()
	build := func(out, pkg, ldflags string) string {
		t.Helper()
		path := filepath.Join(dir, out)
		cmd := exec.Command("go", "build", "-tags", "device", "-ldflags", ldflags, "-o", path, pkg)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", out, err, b)
		}
		return path
	}
	device := build("device/halte", ".", "-X main.version=1.0.0")
	good := build("releases/halte-1.1.0", ".", "-X main.version=1.1.0")
	broken := build("releases/halte-1.2.0", "./testdata/neverready", "-X main.release=1.2.0")
	for _, k := range []string{"release", "stranger"} {
		if r := runHalte(t, nil, "keys", "gen", "--out", filepath.Join(dir, k)); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	signAs := func(key, release, binary string) {
		t.Helper()
		if r := runHalte(t, nil, "keys", "sign-release", "--key", filepath.Join(dir, key+".key"), "--release", release, binary); r.code != 0 {
			t.Fatalf("sign-release: %s", r.stderr)
		}
	}

	state := filepath.Join(dir, "state")
	st, err := store.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	doc := halte.StopState{Stop: "200101", Version: 7, IssuedAt: time.Now().UTC().Truncate(time.Second),
		Alerts: []halte.Alert{{ID: "w", Version: 1, Effect: halte.Detour, Stops: []string{"200101"}}}}
	if _, err := st.Put(doc); err != nil {
		t.Fatal(err)
	}
	before, _ := st.All()
	st.Close()
	config := filepath.Join(dir, "halte.yaml")
	os.WriteFile(config, []byte(fmt.Sprintf("broker: %s\ndevice: pole-1\nstops: [\"200101\"]\nstate_dir: %s\ninsecure: true\n"+
		"audio: {output: none}\nrelease_keys: [%s]\n", broker.URL, state, filepath.Join(dir, "release.pub"))), 0o644)

	var log testkit.Log
	agent := supervise(t, &log, device, "agent", "--config", config)
	// One word (the command runs without a shell) that does not match itself in halte update's arguments.
	restart := "pkill -TERM -f [a]gent.--config." + config
	updateTo := func(from, wait string) result {
		return runHalte(t, nil, "update", "--config", config, "--binary", device, "--from", from, "--restart", restart, "--wait", wait)
	}
	release := func() string {
		out, err := exec.Command(device, "version").Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Fields(string(out))[1]
	}
	fleetSays := func(want string) func() bool {
		return func() bool {
			r := runHalte(t, nil, "fleet", "--broker", broker.URL)
			return strings.Contains(r.stdout, "pole-1 (stops 200101; halte "+want+"): online")
		}
	}
	testkit.WaitFor(t, 30*time.Second, "release 1.0.0 in the device's status", fleetSays("1.0.0"))

	signAs("release", "1.1.0", good)
	releases := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(good))))
	defer releases.Close()
	r := updateTo(releases.URL+"/halte-1.1.0", "60s")
	if r.code != 0 || !strings.Contains(r.stdout, "updated from 1.0.0 to 1.1.0") {
		t.Fatalf("a good release: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	testkit.WaitFor(t, 30*time.Second, "release 1.1.0 in the device's status", fleetSays("1.1.0"))

	refused := func(what, from, wait, wantErr string) {
		t.Helper()
		r := updateTo(from, wait)
		if r.code == 0 || !strings.Contains(r.stderr, wantErr) {
			t.Fatalf("%s: exit %d, want an error with %q:\n%s", what, r.code, wantErr, r.stderr)
		}
		if got := release(); got != "1.1.0" {
			t.Fatalf("%s: the device's binary is now %s", what, got)
		}
	}
	forged := filepath.Join(dir, "releases", "forged")
	copyFile(t, good, forged)
	signAs("stranger", "1.1.0", forged)
	refused("a release signed by an unknown key", forged, "60s", "update refused: the release's signature is refused")

	truncated := filepath.Join(dir, "releases", "truncated")
	whole, _ := os.ReadFile(good)
	os.WriteFile(truncated, whole[:len(whole)/2], 0o755)
	copyFile(t, good+".sig", truncated+".sig")
	refused("a truncated download", truncated, "60s", "incomplete or not this release")

	signAs("release", "1.2.0", broken)
	refused("a release that never becomes ready", broken, "10s", "release 1.2.0 rolled back to 1.1.0: it did not become ready within 10s")
	testkit.WaitFor(t, 30*time.Second, "release 1.1.0 running again", fleetSays("1.1.0"))

	agent.stop()
	st, err = store.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if after, _ := st.All(); !reflect.DeepEqual(before, after) {
		t.Fatalf("the state file changed:\nbefore %+v\nafter  %+v", before, after)
	}
}

// supervised is a program run again each time it ends, as systemd's
// Restart=always does, until stop.
type supervised struct {
	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

// supervise runs the program with its output in log; it is stopped when
// the test ends, if not before.
func supervise(t *testing.T, log *testkit.Log, argv ...string) *supervised {
	s := &supervised{done: make(chan struct{}), stopped: make(chan struct{})}
	started := make(chan struct{})
	go func() {
		defer close(s.stopped)
		for first := true; ; first = false {
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Stdout, cmd.Stderr = log, log
			if err := cmd.Start(); err != nil {
				t.Error(err)
				return
			}
			s.mu.Lock()
			s.cmd = cmd
			s.mu.Unlock()
			if first {
				close(started)
			}
			cmd.Wait()
			select {
			case <-s.done:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	<-started
	t.Cleanup(s.stop)
	return s
}

// stop ends the program and its supervision.
func (s *supervised) stop() {
	s.once.Do(func() {
		close(s.done)
		s.mu.Lock()
		s.cmd.Process.Signal(syscall.SIGTERM)
		s.mu.Unlock()
		select {
		case <-s.stopped:
		case <-time.After(10 * time.Second):
			s.mu.Lock()
			s.cmd.Process.Kill()
			s.mu.Unlock()
			<-s.stopped
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err == nil {
		err = os.WriteFile(to, b, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
}
