package agent_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/audio"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/firmware/store"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/tts"
)

// The process's one oto context, on an ALSA device that writes to a file.
var (
	playerOnce sync.Once
	player     *audio.Player
	started    = make(chan time.Time, 16)
	playerErr  error
)

func alsaPlayer(b *testing.B) *audio.Player {
	playerOnce.Do(func() {
		home, _ := testkit.ALSAToFile(b)
		os.Setenv("HOME", home) // before the context is made, once per process
		player, playerErr = audio.Open()
		if playerErr == nil {
			player.OnStart = func() { started <- time.Now() }
		}
	})
	if playerErr != nil {
		b.Fatal(playerErr)
	}
	return player
}

// BenchmarkPressToFirstSample measures a traveler's press to the first
// sample of the answer taken by the audio device (oto, which hands it to
// ALSA within its 20 ms period), through the whole agent: event loop,
// policy, phrase book, speech cache, player. "hit": the answer was
// synthesized ahead, as when an alert arrives; "miss": espeak-ng runs on
// the press. Run by scripts/bench-button.sh, which prints the figures.
func BenchmarkPressToFirstSample(b *testing.B) {
	testkit.RequireTool(b, "espeak-ng")
	p := alsaPlayer(b)
	state := seededState(b, halte.Text{"nl": "Neem tram 4 aan perron 2."})
	for _, mode := range []string{"hit", "miss"} {
		b.Run(mode, func(b *testing.B) {
			var lat []time.Duration
			for i := 0; i < b.N; i++ {
				cacheDir := filepath.Join(b.TempDir(), "cache")
				lat = append(lat, pressOnce(b, p, state, cacheDir, mode == "hit"))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[(len(lat)*99)/100]), "p99-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pressOnce starts an agent offline on the stored state, presses once, and
// returns the time to the first sample.
func pressOnce(b *testing.B, p *audio.Player, state, cacheDir string, warm bool) time.Duration {
	b.StopTimer()
	engine := tts.Espeak{}
	cfg := agent.Config{Broker: agent.Brokers{"tcp://127.0.0.1:1"}, Device: "bench", Stops: []string{stop}, StateDir: state,
		StartupWait: time.Millisecond, Audio: agent.AudioConfig{CacheDir: cacheDir}, Insecure: true,
		Announce: agent.AnnounceConfig{Coalesce: time.Hour}} // no automatic announcement in the way
	if warm {
		parts := agent.Preview(mustAll(b, state), "nl", time.UTC, nil, time.Now())
		cache, err := tts.OpenCache(engine, cacheDir, 0)
		if err != nil {
			b.Fatal(err)
		}
		for _, text := range parts {
			if _, err := cache.Synthesize(context.Background(), text, "nl", false); err != nil {
				b.Fatal(err)
			}
		}
	}
	a, err := agent.New(cfg, agent.Deps{Engine: engine, Speaker: p, Chime: audio.Chime(), Logger: (&testkit.Log{}).Logger()})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	<-a.Ready()
	for len(started) > 0 {
		<-started
	}
	b.StartTimer()
	t0 := time.Now()
	a.Press(halte.Single)
	select {
	case t := <-started:
		b.StopTimer()
		return t.Sub(t0)
	case <-time.After(10 * time.Second):
		b.Fatal("no sound within 10 s of the press")
	}
	return 0
}

// seededState returns a state directory whose file holds one tram
// alert for the stop, with the given advice.
func seededState(b *testing.B, advice halte.Text) string {
	state := b.TempDir()
	st, err := store.Open(state)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	al := halte.Alert{ID: "w1", Version: 1, Effect: halte.NoService, Stops: []string{stop},
		Lines: []halte.Line{{ID: "T1", Name: "1", Mode: halte.Tram}}, Advice: advice}
	if _, err := st.Put(halte.StopState{Stop: stop, Version: 1, IssuedAt: time.Now(), Alerts: []halte.Alert{al}}); err != nil {
		b.Fatal(err)
	}
	return state
}

func mustAll(b *testing.B, dir string) map[string]halte.StopState {
	st, err := store.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	docs, err := st.All()
	if err != nil {
		b.Fatal(err)
	}
	return docs
}

// BenchmarkColdStart measures a device starting from its state file and
// its speech cache, without a broker, to the first sample of the answer to
// a press made as soon as it is ready. Run by scripts/bench-button.sh.
func BenchmarkColdStart(b *testing.B) {
	testkit.RequireTool(b, "espeak-ng")
	p := alsaPlayer(b)
	state := seededState(b, nil)
	cacheDir := filepath.Join(b.TempDir(), "cache")
	var lat []time.Duration
	for i := 0; i < b.N+1; i++ { // the first start fills the cache, as the device's first day would
		b.StopTimer()
		for len(started) > 0 {
			<-started
		}
		b.StartTimer()
		t0 := time.Now()
		a, err := agent.New(agent.Config{Broker: agent.Brokers{"tcp://127.0.0.1:1"}, Device: "bench", Stops: []string{stop}, StateDir: state,
			Insecure: true, Audio: agent.AudioConfig{CacheDir: cacheDir}},
			agent.Deps{Engine: tts.Espeak{}, Speaker: p, Chime: audio.Chime(), Logger: (&testkit.Log{}).Logger()})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { a.Run(ctx); close(done) }()
		<-a.Ready()
		a.Touch()
		a.Press(halte.Single)
		select {
		case t := <-started:
			if i > 0 {
				lat = append(lat, t.Sub(t0))
			}
		case <-time.After(10 * time.Second):
			b.Fatal("no sound within 10 s of the start")
		}
		b.StopTimer()
		cancel()
		<-done
		a.Close()
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[(len(lat)*99)/100]), "p99-ms")
	b.ReportMetric(0, "ns/op")
}
