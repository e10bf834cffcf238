package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/api"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/internal/testkit"
)

// The announcement as audio: espeak-ng's speech, synthesized once however
// many ask for it at the same time.
func TestAudioIsSynthesizedOnce(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	speech := &testkit.Espeak{}
	s, _ := ghentWith(t, siteConfig{speech: speech})
	s.served(t, "200401")
	var wg sync.WaitGroup
	bodies := make([][]byte, 4)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, body := s.get(t, "/v1/stops/{stop}/audio", "/v1/stops/200401/audio?lang=nl")
			if resp.StatusCode != http.StatusOK {
				t.Errorf("audio: %s %s", resp.Status, body)
			}
			bodies[i] = body
		}()
	}
	wg.Wait()
	pcm, err := halte.ReadWAV(bytes.NewReader(bodies[0]))
	if err != nil {
		t.Fatalf("not a WAV file: %v", err)
	}
	if d, peak := testkit.Sounding(pcm); d < time.Second || peak < 3000 {
		t.Fatalf("the audio holds %v of sound, peak %d: silent", d, peak)
	}
	for _, b := range bodies[1:] {
		if !bytes.Equal(b, bodies[0]) {
			t.Fatal("four requests at once got different audio")
		}
	}
	parts := len(answerOf(t, s, "200401").Spoken["nl"])
	if n := speech.Runs.Load(); n != int64(parts) {
		t.Fatalf("espeak-ng was asked %d times for %d sentences asked four times at once, want once each", n, parts)
	}
	s.get(t, "/v1/stops/{stop}/audio", "/v1/stops/200401/audio?lang=nl")
	if n := speech.Runs.Load(); n != int64(parts) {
		t.Fatalf("the kept audio was synthesized again (%d calls)", n)
	}
}

// Beyond its burst a client gets 429 with Retry-After; another client (a
// key's holder) has its own budget.
func TestRateLimit(t *testing.T) {
	srv, err := api.New(api.Config{Network: sample.GhentNetwork(), Rate: 0.5, Burst: 3, Keys: map[string]string{"k1": "city"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	s := &site{url: ts.URL}
	for i := range 3 {
		if resp, body := s.get(t, "/v1/alerts", "/v1/alerts"); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d within the burst: %s %s", i+1, resp.Status, body)
		}
	}
	resp, body := s.get(t, "/v1/alerts", "/v1/alerts")
	wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || wait < 1 || wait > 2 || !bytes.Contains(body, []byte(`"rate_limited"`)) {
		t.Fatalf("beyond the burst: %s, Retry-After %q, %s; want 429 after 1 or 2 s", resp.Status, resp.Header.Get("Retry-After"), body)
	}
	if resp, body := s.get(t, "/v1/alerts", "/v1/alerts", "X-API-Key", "k1"); resp.StatusCode != http.StatusOK {
		t.Fatalf("a key's holder, with its own budget: %s %s", resp.Status, body)
	}
}

func answerOf(t *testing.T, s *site, stop string) stopAnswer {
	t.Helper()
	var a stopAnswer
	s.getJSON(t, "/v1/stops/{stop}", "/v1/stops/"+stop, http.StatusOK, &a)
	return a
}
