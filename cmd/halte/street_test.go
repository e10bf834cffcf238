package main_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/audio"
	"github.com/halte-transit/halte/device/level"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// streetAgent starts an agent on the paced card for stop 200101 with more
// configuration (YAML lines), and a client that publishes its documents.
func streetAgent(t *testing.T, sink *testkit.Sink, yaml string) (*process, func(version uint64)) {
	t.Helper()
	testkit.RequireTool(t, "espeak-ng")
	broker := mqtttest.Start(t)
	cfg := filepath.Join(t.TempDir(), "agent.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`broker: %s
device: street
stops: ["200101"]
state_dir: %s
insecure: true
timezone: UTC
announce: {coalesce: 1ms, min_gap: 1s, repeat_every: -1s}
%s`, broker.URL, t.TempDir(), yaml)), 0o644)
	agent := startHalte(t, sink.Env, "agent", "--config", cfg)
	c := mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "hub-like", Logger: (&testkit.Log{}).Logger()})
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(50) })
	publish := func(version uint64) {
		raw, _ := json.Marshal(halte.StopState{Stop: "200101", Version: version, IssuedAt: time.Now().UTC(),
			Alerts: []halte.Alert{{ID: fmt.Sprint("a", version), Version: 1, Effect: halte.Detour, Stops: []string{"200101"},
				Header: halte.Text{"nl": "Tram 1 rijdt om via de Kouter."}}}})
		c.Publish(mqtt.StopTopic("200101"), 1, true, raw).Wait()
	}
	return agent, publish
}

// played waits until the agent has played n announcements.
func played(t *testing.T, agent *process, n int) {
	t.Helper()
	testkit.WaitFor(t, 30*time.Second, fmt.Sprintf("announcement %d played", n), func() bool {
		return len(agent.log.Lines("announcement played")) >= n
	})
}

// TestVolumeFollowsTheStreet: with a microphone in a virtual street of pink
// noise, the speech played on the card stands the margin above the noise,
// rises with it, stays within the maximum, and falls back when it stops.
func TestVolumeFollowsTheStreet(t *testing.T) {
	sink := testkit.PulseSink(t, audio.Rate)
	agent, publish := streetAgent(t, sink, "microphone: {device: default, margin_db: 12, min_volume: 0.05, max_volume: 0.8, window: 2s}\n")
	testkit.WaitFor(t, 20*time.Second, "the agent to start", func() bool { return len(agent.log.Lines("state restored")) > 0 })
	version, heard := uint64(0), 0
	// say publishes an alert until one is said with the street measured
	// within 1.5 dB of street, and returns
	// the level of what the card played then, and the volume chosen.
	say := func(street float64) (float64, float64) {
		t.Helper()
		for range 5 {
			// The street is measured only between the device's sounds:
			// first a whole window (2 s) and the echo's tail (0.5 s) of it.
			quiet := len(sink.Captured(t))
			testkit.WaitFor(t, 10*time.Second, "three seconds of street heard", func() bool {
				return len(sink.Captured(t)) >= quiet+3*sink.Rate
			})
			from := len(sink.Captured(t))
			version++
			publish(version)
			heard++
			played(t, agent, heard)
			lines := agent.log.Lines("volume set by the street")
			if len(lines) < heard {
				t.Fatalf("announcement %d played without a volume set by the street", heard)
			}
			last := lines[len(lines)-1]
			if got := last["street_db"].(float64); math.Abs(got-street) > 1.5 && !(math.IsInf(street, -1) && got <= -100) {
				t.Logf("street measured at %.1f dB, not yet %.1f: again", got, street)
				continue
			}
			out := level.OfClip(halte.PCM{Rate: sink.Rate, Samples: sink.Captured(t)[from:]})
			return out, last["volume"].(float64)
		}
		t.Fatalf("the street was never measured at %.1f dB", street)
		return 0, 0
	}
	loudness := func(noise []int16) float64 {
		return level.DB(level.NewAWeighting(testkit.StreetRate).SumSquares(noise) / float64(len(noise)))
	}
	quiet, busy, roaring := testkit.PinkNoise(t, 20, -35), testkit.PinkNoise(t, 20, -25), testkit.PinkNoise(t, 20, 0)

	sink.Street(t, quiet)
	testkit.WaitFor(t, 20*time.Second, "the street measured", func() bool { return len(agent.log.Lines("street level")) > 0 })
	atQuiet, v1 := say(loudness(quiet))
	t.Logf("street %.1f dB: speech %.1f dB at volume %.3f", loudness(quiet), atQuiet, v1)
	if d := atQuiet - loudness(quiet); math.Abs(d-12) > 3 {
		t.Errorf("speech stands %.1f dB above the street, want 12 ± 3", d)
	}

	sink.Street(t, busy)
	atBusy, v2 := say(loudness(busy))
	rise := loudness(busy) - loudness(quiet)
	t.Logf("street %.1f dB: speech %.1f dB at volume %.3f", loudness(busy), atBusy, v2)
	if d := atBusy - atQuiet; math.Abs(d-rise) > 3 {
		t.Errorf("the street rose %.1f dB, the speech %.1f dB; want the same ± 3", rise, d)
	}

	sink.Street(t, roaring)
	atRoar, v3 := say(loudness(roaring))
	t.Logf("street %.1f dB: speech %.1f dB at volume %.3f", loudness(roaring), atRoar, v3)
	if v3 > 0.8 {
		t.Errorf("volume %.3f, above the maximum 0.8", v3)
	}
	if atMax := atBusy + 20*math.Log10(0.8/v2); atRoar > atMax+1 {
		t.Errorf("speech at %.1f dB in the roar, louder than the maximum volume gives (%.1f dB)", atRoar, atMax)
	}

	sink.Street(t, nil)
	atSilence, v4 := say(level.Silent)
	t.Logf("no street: speech %.1f dB at volume %.3f", atSilence, v4)
	if v4 != 0.05 || atSilence > atQuiet-3 {
		t.Errorf("without noise the speech is at %.1f dB (volume %.3f); want it back down, at the minimum 0.05", atSilence, v4)
	}
}

// TestSelftestCalibratesTheMicrophone: with the microphone hearing exactly
// what the card plays, the calibration finds 0 dB and stores it.
func TestSelftestCalibratesTheMicrophone(t *testing.T) {
	sink := testkit.PulseSink(t, audio.Rate)
	sink.HearSpeaker(t)
	state := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "agent.yaml")
	os.WriteFile(cfg, []byte("state_dir: "+state+"\nmicrophone: {device: default}\n"), 0o644)
	r := runHalte(t, sink.Env, "selftest", "--config", cfg)
	mustContain(t, "selftest's report", r.stdout, "microphone ok: the speaker is heard at")
	raw, err := os.ReadFile(filepath.Join(state, "microphone.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		CouplingDB float64 `json:"coupling_db"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || math.Abs(c.CouplingDB) > 1 {
		t.Errorf("calibration %s (%v); want 0 ± 1 dB from card to microphone", raw, err)
	}
}

// sounds are the runs of sound in a recording, as [start, end) sample
// indexes, split where there are at least 150 ms of silence.
func sounds(samples []int16, rate int) [][2]int {
	var out [][2]int
	gap := rate * 150 / 1000
	last := -gap
	for i, s := range samples {
		if s > 300 || s < -300 {
			if i-last >= gap {
				out = append(out, [2]int{i, i + 1})
			}
			out[len(out)-1][1] = i + 1
			last = i
		}
	}
	return out
}

// TestLocatorTone: the tick sounds every period, not while the device
// speaks, and not in its quiet hours.
func TestLocatorTone(t *testing.T) {
	now := time.Now().UTC()
	clock := func(d time.Duration) string { return now.Add(d).Format("15:04") }
	isTick := func(s [2]int) bool { return s[1]-s[0] < audio.Rate*60/1000 }
	// The chime and the speech; not a short glitch of the sink as it starts.
	isVoice := func(s [2]int) bool { return s[1]-s[0] >= audio.Rate*300/1000 }

	t.Run("every period, paused while speaking", func(t *testing.T) {
		sink := testkit.PulseSink(t, audio.Rate)
		agent, publish := streetAgent(t, sink, fmt.Sprintf("locator: {every: 1s, volume: {day: 0.5, quiet: [{from: %q, to: %q, silent: true}]}}\n",
			clock(2*time.Hour), clock(3*time.Hour)))
		ticks := func() int {
			n := 0
			for _, s := range sounds(sink.Captured(t), sink.Rate) {
				if isTick(s) {
					n++
				}
			}
			return n
		}
		testkit.WaitFor(t, 20*time.Second, "three ticks", func() bool { return ticks() >= 3 })
		publish(1)
		played(t, agent, 1)
		after := ticks()
		testkit.WaitFor(t, 10*time.Second, "two more ticks after the announcement", func() bool { return ticks() >= after+2 })
		all := sounds(sink.Captured(t), sink.Rate)
		first, last := -1, -1
		for i, s := range all {
			if isVoice(s) {
				last = i
				if first < 0 {
					first = i
				}
			}
		}
		if first < 0 {
			t.Fatal("the announcement is not in the recording")
		}
		var at []float64
		for i, s := range all {
			if !isTick(s) {
				continue
			}
			if i > first && i < last {
				t.Errorf("a tick at %.2f s, while the device spoke (%.2f to %.2f s)", float64(s[0])/audio.Rate,
					float64(all[first][0])/audio.Rate, float64(all[last][1])/audio.Rate)
			}
			at = append(at, float64(s[0])/audio.Rate)
		}
		for i := 1; i < len(at); i++ {
			if gap := at[i] - at[i-1]; (gap < 0.85 || gap > 1.15) && !(at[i-1] < float64(all[first][0])/audio.Rate && at[i] > float64(all[last][1])/audio.Rate) {
				t.Errorf("ticks at %.2f and %.2f s: %.2f s apart, want 1 s", at[i-1], at[i], gap)
			}
		}
	})

	t.Run("absent in its quiet hours", func(t *testing.T) {
		sink := testkit.PulseSink(t, audio.Rate)
		agent, _ := streetAgent(t, sink, fmt.Sprintf("locator: {every: 1s, volume: {day: 0.5, quiet: [{from: %q, to: %q, silent: true}]}}\n",
			clock(-time.Hour), clock(time.Hour)))
		testkit.WaitFor(t, 20*time.Second, "the agent to start", func() bool { return len(agent.log.Lines("state restored")) > 0 })
		from := len(sink.Captured(t))
		testkit.WaitFor(t, 20*time.Second, "four seconds recorded", func() bool { return len(sink.Captured(t)) > from+4*audio.Rate })
		if got := sounds(sink.Captured(t)[from:], sink.Rate); len(got) > 0 {
			t.Errorf("%d sounds in the quiet hours", len(got))
		}
	})
}
