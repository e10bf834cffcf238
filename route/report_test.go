package route_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/internal/testkit/browser"
	"github.com/halte-transit/halte/route"
	"github.com/halte-transit/halte/tts"
)

// writtenReport checks tram 1 towards Evergem with Korenmarkt closed and a
// detour of the line, and writes the folder with real espeak-ng audio.
func writtenReport(t *testing.T) (route.Report, string) {
	t.Helper()
	testkit.RequireTool(t, "espeak-ng")
	net := sample.GhentNetwork()
	r, err := route.FromLine(net, "T1", "0")
	if err != nil {
		t.Fatal(err)
	}
	detour := halte.Alert{ID: "detour", Version: 1, Effect: halte.Detour, Severity: halte.Warning,
		Lines: []halte.Line{{ID: "T1", Name: "1", Mode: halte.Tram}}, Advice: halte.Text{"nl": "Neem bus 70.", "fr": "Prenez le bus 70."}}
	docs := map[string]halte.StopState{}
	for _, s := range r.Stops {
		docs[s.ID] = document(s.ID, detour)
	}
	docs["200101"] = document("200101", detour, halte.Alert{ID: "closed", Version: 1, Effect: halte.NoService, Severity: halte.Severe, Stops: []string{"200101"}})
	rep := route.Check(r, docs, net, route.Options{At: lessonTime, Languages: []string{"nl", "fr"}, Location: brussels, Source: "test"})
	dir := t.TempDir()
	if err := rep.WriteFolder(context.Background(), dir, tts.Espeak{}, nil); err != nil {
		t.Fatal(err)
	}
	return rep, dir
}

// TestReportFolder: a WAV per stop and language, with sound in it; a page
// and its JSON; no resource from outside the folder.
func TestReportFolder(t *testing.T) {
	rep, dir := writtenReport(t)
	for _, e := range rep.Stops {
		for _, lang := range rep.Languages {
			f, err := os.Open(filepath.Join(dir, e.Audio[lang]))
			if err != nil {
				t.Fatalf("stop %s in %s: %v", e.Stop, lang, err)
			}
			pcm, err := halte.ReadWAV(f)
			f.Close()
			if d, loud := testkit.Sounding(pcm); err != nil || d < 1500*time.Millisecond || loud < 3000 {
				t.Errorf("%s: %v, %v of sound, peak %d", e.Audio[lang], err, d, loud)
			}
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "route.json")); err != nil {
		t.Fatal(err)
	}
	if outside := regexp.MustCompile(`(?i)(src|href)="(https?:)?//|<link|<script`).FindString(string(page)); outside != "" {
		t.Errorf("the report loads %q from outside its folder", outside)
	}
}

// TestReportInABrowser audits the report with axe-core in headless
// Chromium and takes screenshots at a phone's size and printed on A4; the
// print stylesheet hides the audio players.
func TestReportInABrowser(t *testing.T) {
	axe := browser.Axe(t)
	_, dir := writtenReport(t)
	ctx := browser.Start(t, true)
	if err := chromedp.Run(ctx, chromedp.Navigate("file://"+filepath.Join(dir, "index.html")), chromedp.WaitVisible("main", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if got := browser.Text(t, ctx, ".summary"); !strings.Contains(got, "Gent Korenmarkt perron 1: Niet bediend: de halte is gesloten.") {
		t.Errorf("the summary at the top reads %q", got)
	}
	if got := browser.Text(t, ctx, `#stop-4 section[lang="fr"]`); !strings.Contains(got, "Arrêt Gent Korenmarkt perron 1.") {
		t.Errorf("stop 4's French text reads %q", got)
	}
	if v := browser.Audit(t, ctx, axe); len(v) > 0 {
		t.Fatalf("accessibility violations:\n%s", strings.Join(v, "\n"))
	}
	var printed string
	if err := chromedp.Run(ctx, emulation.SetEmulatedMedia().WithMedia("print"),
		chromedp.Evaluate(`getComputedStyle(document.querySelector(".listen")).display`, &printed)); err != nil {
		t.Fatal(err)
	}
	if printed != "none" {
		t.Errorf("printed, the audio players show (display %q)", printed)
	}
	browser.Shoot(t, ctx, filepath.Join("..", "results", "screens"), "route", browser.Phone, browser.A4)
}
