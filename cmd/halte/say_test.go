package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/internal/testkit"
)

func TestSayPreviewsWhatTheStopSays(t *testing.T) {
	at := "2026-12-01T09:30:00+01:00"
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"a stop on the line", []string{"--here", "200101", "--gtfs", sampleGTFS, "--at", at, "--id", "w1", "--effect", "no_service",
			"--line", "T1", "--until", "2026-12-03T00:00:00+01:00", "--advice", "nl=Neem tram 4 aan perron 2."},
			"Halte Gent Korenmarkt perron 1.\nEén storing aan deze halte.\nTram 1 stopt niet aan deze halte tot en met morgen. Neem tram 4 aan perron 2.\n"},
		{"a stop the line does not serve", []string{"--here", "200801", "--gtfs", sampleGTFS, "--at", at, "--lang", "fr",
			"--id", "w1", "--effect", "no_service", "--line", "T1"},
			"Arrêt Gent Dampoort.\nAucune perturbation signalée pour cet arrêt. Dernière mise à jour à 9 heures 30.\n"},
		{"a platform of a station named in the alert", []string{"--here", "200102", "--gtfs", sampleGTFS, "--at", at, "--lang", "de",
			"--id", "lift", "--effect", "accessibility_issue", "--stop", "korenmarkt", "--until", "2026-12-01T18:00:00+01:00"},
			"Haltestelle Gent Korenmarkt perron 2.\nEine Störung an dieser Haltestelle.\nDie Barrierefreiheit dieser Haltestelle ist eingeschränkt bis heute Abend 18 Uhr.\n"},
		{"not yet begun: no disruptions, and what is to come", []string{"--at", at, "--lang", "en", "--id", "w1", "--effect", "detour",
			"--stop", "200101", "--from", "2026-12-02T06:00:00+01:00"},
			"No disruptions reported for this stop. Last update at 9:30 am.\nFrom tomorrow at 6 am: Vehicles at this stop are diverted.\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runHalte(t, nil, append([]string{"say"}, c.args...)...)
			if r.code != 0 || r.stdout != c.want {
				t.Fatalf("exit %d\ngot:\n%s\nwant:\n%s\n%s", r.code, r.stdout, c.want, r.stderr)
			}
		})
	}
}

func TestSayWritesAudioAndRefusesBadAlerts(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	wav := filepath.Join(t.TempDir(), "preview.wav")
	r := runHalte(t, nil, "say", "--wav", wav, "--id", "w1", "--effect", "detour", "--stop", "200101", "--text", "nl=Tram 4 rijdt om.")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	f, err := os.Open(wav)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pcm, err := halte.ReadWAV(f)
	if err != nil || pcm.Duration().Seconds() < 2 {
		t.Fatalf("%v, %s of audio", err, pcm.Duration())
	}
	r = runHalte(t, nil, "say", "--id", "w1", "--effect", "storm", "--stop", "200101")
	if r.code == 0 || !strings.Contains(r.stderr, `field "effect": unknown effect "storm"`) {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}
