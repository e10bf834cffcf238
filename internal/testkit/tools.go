package testkit

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/tts"
)

// RequireTool skips the test when a program is missing, or fails it when
// $CI is set, since CI must install what the tests use.
func RequireTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (CI must install it): %v", name, err)
		}
		t.Skipf("%s is not installed: %v", name, err)
	}
}

// ALSAToFile makes a HOME whose .asoundrc sends ALSA's default device to a
// raw file, a sound card for machines without one. It returns the HOME and
// the file.
func ALSAToFile(t testing.TB) (home, raw string) {
	t.Helper()
	home = t.TempDir()
	raw = filepath.Join(home, "alsa-out.raw")
	conf := "pcm.!default {\n type file\n slave.pcm \"null\"\n file \"" + raw + "\"\n format \"raw\"\n}\n"
	if err := os.WriteFile(filepath.Join(home, ".asoundrc"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return home, raw
}

// Audible reads what oto wrote through ALSA into a raw file (32-bit float
// mono samples at rate) and returns how long it was not silent (above
// -40 dBFS), and its peak amplitude.
func Audible(t testing.TB, raw string, rate int) (time.Duration, float64) {
	t.Helper()
	data, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	loud, peak := 0, 0.0
	for i := 0; i+4 <= len(data); i += 4 {
		v := math.Abs(float64(math.Float32frombits(binary.LittleEndian.Uint32(data[i:]))))
		if v > 0.01 {
			loud++
		}
		peak = max(peak, v)
	}
	return time.Duration(loud) * time.Second / time.Duration(rate), peak
}

// Espeak is the real espeak-ng, counting the texts it is asked to say.
type Espeak struct {
	tts.Espeak
	Runs atomic.Int64
}

// Synthesize counts the run and has espeak-ng say text.
func (e *Espeak) Synthesize(ctx context.Context, text, lang string, slow bool) (halte.PCM, error) {
	e.Runs.Add(1)
	return e.Espeak.Synthesize(ctx, text, lang, slow)
}

// Sounding measures a clip: how long it is louder than 1 % of full scale,
// and its peak.
func Sounding(p halte.PCM) (time.Duration, int) {
	n, peak := 0, 0
	for _, s := range p.Samples {
		v := int(s)
		if v < 0 {
			v = -v
		}
		if v > 327 {
			n++
		}
		peak = max(peak, v)
	}
	return time.Duration(n) * time.Second / time.Duration(p.Rate), peak
}

// Corpus returns the path of rel in the shared corpus of public feeds
// (../shared/corpus beside the repository). A missing corpus fails the test
// when $CI is set, and skips it elsewhere.
func Corpus(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "corpus", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the corpus is missing in CI: %v", err)
		}
		t.Skipf("the corpus is missing: %v", err)
	}
	return p
}

// CorpusFiles returns the files of the shared corpus under rel that match
// any of the patterns (filepath.Match syntax, relative to rel), sorted.
func CorpusFiles(t testing.TB, rel string, patterns ...string) []string {
	t.Helper()
	dir := Corpus(t, rel)
	var out []string
	for _, p := range patterns {
		m, err := filepath.Glob(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	sort.Strings(out)
	return out
}

// SmallDisk mounts a tmpfs of size bytes for the test and returns its
// folder: a real file system that fills up. It needs root (as CI runs);
// elsewhere the test is skipped.
func SmallDisk(t testing.TB, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small disk needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mount a tmpfs: %v: %s", err, out)
		}
		t.Skipf("mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// FillDisk writes a file in dir until the file system is full, and returns
// a function that removes it.
func FillDisk(t testing.TB, dir string) (free func()) {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	return func() {
		if err := os.Remove(path); err != nil {
			t.Error(err)
		}
	}
}

// Terminate ends cmd with SIGTERM and waits for it; after grace, SIGKILL.
func Terminate(cmd *exec.Cmd, grace time.Duration) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		cmd.Process.Kill()
		<-done
	}
}
