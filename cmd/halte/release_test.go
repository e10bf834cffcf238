package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/firmware/store"
	"github.com/halte-transit/halte/internal/testkit"
)

// TestReleaseBinary runs a built binary as a stop device would: halte
// version, halte selftest --sim, and an agent that starts without a broker
// from a state file and speaks what it holds into a WAV file. The binary is
// $HALTE_BINARY (scripts/build.sh's, for arm64 or armhf), run under
// $HALTE_EMULATOR (qemu-aarch64-static) when set; by default this test's
// own build, natively. $HALTE_VERSION, when set, is the version it must
// report.
func TestReleaseBinary(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	bin := halteBin
	if b := os.Getenv("HALTE_BINARY"); b != "" {
		bin = b
	}
	command := func(args ...string) *exec.Cmd {
		if emu := os.Getenv("HALTE_EMULATOR"); emu != "" {
			return exec.Command(emu, append([]string{bin}, args...)...)
		}
		return exec.Command(bin, args...)
	}

	out, err := command("version").CombinedOutput()
	want := regexp.MustCompile(`^halte ` + regexp.QuoteMeta(os.Getenv("HALTE_VERSION")) + `\S* \(commit \S+, built \S+, go\S+ linux/\w+, (device|full) build\)\n$`)
	if err != nil || !want.Match(out) {
		t.Fatalf("halte version: %v: %q does not match %s", err, out, want)
	}
	t.Logf("%s", out)

	out, err = command("selftest", "--sim").CombinedOutput()
	if err != nil || strings.Contains(string(out), "FAULT") {
		t.Fatalf("halte selftest --sim: %v\n%s", err, out)
	}

	state, wavs := t.TempDir(), t.TempDir()
	st, err := store.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	al := halte.Alert{ID: "smoke", Version: 1, Effect: halte.NoService, Stops: []string{"200101"},
		Lines: []halte.Line{{ID: "T1", Name: "1", Mode: halte.Tram}}}
	_, err = st.Put(halte.StopState{Stop: "200101", Version: 1, IssuedAt: time.Now(), Alerts: []halte.Alert{al}})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	agent := command("agent", "--broker", "tcp://127.0.0.1:1", "--device", "smoke", "--stop", "200101",
		"--state-dir", state, "--insecure", "--wav-dir", wavs)
	agent.Env = append(os.Environ(), "HOME="+t.TempDir())
	var log testkit.Log
	agent.Stdout, agent.Stderr = &log, &log
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	defer testkit.Terminate(agent, 10*time.Second)
	testkit.WaitFor(t, 2*time.Minute, "the agent to speak its stored alert offline", func() bool {
		return len(log.Lines("announcement played")) > 0
	})
	if said := log.Lines("announce"); len(said) == 0 || !strings.Contains(said[0]["text"].(string), "Tram 1") {
		t.Fatalf("the agent's first announcement is not the stored alert:\n%s", log.String())
	}
	files, _ := filepath.Glob(filepath.Join(wavs, "*.wav"))
	heard := false
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		pcm, err := halte.ReadWAV(fh)
		fh.Close()
		loud := 0
		for _, v := range pcm.Samples {
			if v > 1000 || v < -1000 {
				loud++
			}
		}
		heard = heard || (err == nil && loud > pcm.Rate/2)
	}
	if !heard {
		t.Fatalf("no WAV file with half a second of speech among %v\n%s", files, log.String())
	}
}
