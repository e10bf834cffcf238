package testkit

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Sink is a paced sound card for machines without one: a private
// PulseAudio daemon with a null sink (consumed in real time, like a card),
// reached through ALSA, and a recording of its monitor. The same daemon has
// a microphone that hears a virtual street: ALSA's default capture device
// records what Street plays (or, after HearSpeaker, the card itself).
type Sink struct {
	// Env is what a client needs: ALSA_CONFIG_PATH (a standalone ALSA
	// configuration whose default is the sink) and PULSE_SERVER.
	Env []string
	// Rate is the sink's sample rate (mono, 16 bits).
	Rate int

	mu     sync.Mutex
	rec    *os.File
	daemon *exec.Cmd
	server string
	street *exec.Cmd
}

// StreetRate is the sample rate of the virtual street (mono, 16 bits).
const StreetRate = 48000

// PulseSink starts the sink and its recording; both stop with the test.
// Without pulseaudio the test is skipped, or fails when $CI is set.
func PulseSink(t testing.TB, rate int) *Sink {
	t.Helper()
	RequireTool(t, "pulseaudio")
	RequireTool(t, "parec")
	dir, err := os.MkdirTemp("", "halte-pulse-") // short: the socket path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	socket := filepath.Join(dir, "native")
	conf := filepath.Join(dir, "asound.conf")
	alsa := fmt.Sprintf("pcm.!default { type pulse server \"unix:%s\" }\nctl.!default { type pulse server \"unix:%s\" }\n", socket, socket)
	if err := os.WriteFile(conf, []byte(alsa), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "XDG_RUNTIME_DIR=" + dir, "PULSE_RUNTIME_PATH=" + dir, "PULSE_STATE_PATH=" + dir}
	daemon := exec.Command("pulseaudio", "-n", "--daemonize=no", "--system=no", "--exit-idle-time=-1", "--use-pid-file=no",
		"--disallow-exit=yes", "--realtime=no", "--high-priority=no", "--log-target=file:"+filepath.Join(dir, "pulse.log"),
		"-L", "module-native-protocol-unix socket="+socket+" auth-anonymous=1",
		"-L", fmt.Sprintf("module-null-sink sink_name=halte format=s16le rate=%d channels=1", rate),
		"-L", fmt.Sprintf("module-null-sink sink_name=street format=s16le rate=%d channels=1", StreetRate))
	daemon.Env = append(os.Environ(), env...)
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { daemon.Process.Kill(); daemon.Wait() })
	s := &Sink{Env: []string{"ALSA_CONFIG_PATH=" + conf, "PULSE_SERVER=unix:" + socket}, Rate: rate, daemon: daemon, server: "unix:" + socket}
	WaitFor(t, 10*time.Second, "pulseaudio's socket", func() bool {
		return exec.Command("pactl", "--server=unix:"+socket, "list", "short", "sinks").Run() == nil
	})
	s.microphone(t, "street.monitor")
	t.Cleanup(func() { s.Street(t, nil) })
	if s.rec, err = os.Create(filepath.Join(dir, "capture.raw")); err != nil {
		t.Fatal(err)
	}
	// The recording also paces the sink: a null sink renders in blocks of
	// the smallest latency a client asks for.
	rec := exec.Command("parec", "--server=unix:"+socket, "-d", "halte.monitor", "--raw", "--format=s16le",
		fmt.Sprintf("--rate=%d", rate), "--channels=1", "--latency-msec=10")
	rec.Stdout = s.rec
	if err := rec.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rec.Process.Kill(); rec.Wait(); s.rec.Close() })
	return s
}

// Kill ends the sound server with SIGKILL: the card is gone, as when a USB
// sound card is pulled out.
func (s *Sink) Kill() {
	s.daemon.Process.Kill()
}

// Captured returns every sample recorded so far.
func (s *Sink) Captured(t testing.TB) []int16 {
	t.Helper()
	raw, err := os.ReadFile(s.rec.Name())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int16, len(raw)/2)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	return out
}

// Setenv points this process's ALSA (and so oto) at the sink. Call it before
// the process's audio context is made.
func (s *Sink) Setenv(t testing.TB) {
	t.Helper()
	for _, kv := range s.Env {
		for i := range kv {
			if kv[i] == '=' {
				t.Setenv(kv[:i], kv[i+1:])
				break
			}
		}
	}
}

// microphone makes source ALSA's default capture device.
func (s *Sink) microphone(t testing.TB, source string) {
	t.Helper()
	if out, err := exec.Command("pactl", "--server="+s.server, "set-default-source", source).CombinedOutput(); err != nil {
		t.Fatalf("pactl set-default-source %s: %v: %s", source, err, out)
	}
}

// HearSpeaker points the microphone at the card: it records exactly what
// is played, as a microphone beside the speaker would with 0 dB between them.
func (s *Sink) HearSpeaker(t testing.TB) { s.microphone(t, "halte.monitor") }

// Street plays samples (at StreetRate) into the virtual street, over and
// over, in real time, in place of what it played before; nil makes it quiet.
func (s *Sink) Street(t testing.TB, samples []int16) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.street != nil {
		s.street.Process.Kill()
		s.street.Wait()
		s.street = nil
	}
	if samples == nil {
		return
	}
	play := exec.Command("pacat", "--server="+s.server, "--playback", "-d", "street", "--raw", "--format=s16le",
		fmt.Sprintf("--rate=%d", StreetRate), "--channels=1", "--latency-msec=50")
	in, err := play.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := play.Start(); err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 2*len(samples))
	for i, v := range samples {
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(v))
	}
	go func() { // until pacat is killed
		for {
			if _, err := in.Write(raw); err != nil {
				return
			}
		}
	}()
	s.street = play
}

// PinkNoise is seconds of pink noise at StreetRate made by sox, at gain dB
// (0 dB: sox's full-scale pink noise).
func PinkNoise(t testing.TB, seconds int, gain float64) []int16 {
	t.Helper()
	RequireTool(t, "sox")
	out, err := exec.Command("sox", "-n", "-r", fmt.Sprint(StreetRate), "-c", "1", "-b", "16", "-e", "signed-integer",
		"-t", "raw", "-", "synth", fmt.Sprint(seconds), "pinknoise", "gain", fmt.Sprintf("%.1f", gain)).Output()
	if err != nil {
		t.Fatalf("sox pinknoise: %v", err)
	}
	samples := make([]int16, len(out)/2)
	for i := range samples {
		samples[i] = int16(binary.LittleEndian.Uint16(out[2*i:]))
	}
	return samples
}
