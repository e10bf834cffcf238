package main_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte/internal/testkit"
)

// halteBin is the binary under test, built once by TestMain.
var halteBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "halte-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	halteBin = filepath.Join(dir, "halte")
	build := exec.Command("go", "build", "-o", halteBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build halte:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what a finished command printed.
type result struct {
	stdout, stderr string
	code           int
}

// runHalte runs halte to its end, with a deadline.
func runHalte(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, halteBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("halte %v: %v", args, err)
	}
	return r
}

// process is halte running in the background, its output captured.
type process struct {
	cmd *exec.Cmd
	log testkit.Log
}

// startHalte starts halte in the background; it is stopped with SIGTERM
// when the test ends, or earlier with stop. When the test failed, the
// last lines of its output are logged.
func startHalte(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(halteBin, args...)}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.log, &p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			lines := strings.Split(strings.TrimSpace(p.log.String()), "\n")
			t.Logf("halte %s, its last lines:\n%s", args[0], strings.Join(lines[max(0, len(lines)-30):], "\n"))
		}
	})
	return p
}

// stop ends the process with SIGTERM and waits for it.
func (p *process) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	testkit.Terminate(p.cmd, 10*time.Second)
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, got)
		}
	}
}
