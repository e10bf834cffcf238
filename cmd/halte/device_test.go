package main_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The device build runs the agent and links none of the hub's feeds, the
// demo's broker or protocol buffers: what a stop device does not run, it
// does not load.
func TestDeviceBuild(t *testing.T) {
	deps, err := exec.Command("go", "list", "-deps", "-tags", "device", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"/feeds/hub", "/feeds/gtfs", "/feeds/siri", "mochi-mqtt", "google.golang.org/protobuf"} {
		if strings.Contains(string(deps), pkg) {
			t.Errorf("the device build links %s", pkg)
		}
	}
	bin := filepath.Join(t.TempDir(), "halte")
	if out, err := exec.Command("go", "build", "-tags", "device", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("device build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "agent", "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("halte agent --help in the device build: %v\n%s", err, out)
	}
	mustContain(t, "the device build's agent --help", string(out), "-config", "-stop")
	out, err = exec.Command(bin, "hub").CombinedOutput()
	if code := exitCode(err); code != 2 {
		t.Fatalf("halte hub in the device build exited %d, want 2 (unknown command)\n%s", code, out)
	}
	mustContain(t, "the device build's answer to hub", string(out), `unknown command "hub"`, "full build")
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
