package kiosk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/firmware/agent/agenttest"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

const stop = "200101"

// browser starts headless Chromium (Debian's package) with JavaScript on
// or off; the test fails in CI, and is skipped elsewhere, without it.
func browser(t *testing.T, javascript bool) context.Context {
	t.Helper()
	path := "/usr/bin/chromium"
	if _, err := os.Stat(path); err != nil {
		testkit.RequireTool(t, "chromium")
		path, _ = exec.LookPath("chromium")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}
	// Chromium's helper processes may still write into its profile for a
	// moment after it exits: the folder is removed once they are done.
	profile, err := os.MkdirTemp("", "halte-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts = append(opts, chromedp.UserDataDir(profile))
	if !javascript {
		opts = append(opts, chromedp.Flag("blink-settings", "scriptEnabled=false"))
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTime()
		cancel()
		cancelAlloc()
		testkit.WaitFor(t, 10*time.Second, "Chromium's profile folder to be removed", func() bool { return os.RemoveAll(profile) == nil })
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return ctx
}

// axeSource is axe-core, installed with npm by scripts/test.sh.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("HALTE_AXE")
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("HALTE_AXE (the path of axe.min.js) is not set; scripts/test.sh sets it")
		}
		t.Skip("HALTE_AXE (the path of axe.min.js) is not set")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// audit runs axe-core on the page: WCAG 2 A and AA, 2.1 AA, and the
// enhanced (AAA) contrast rule. It returns the violations.
func audit(t *testing.T, ctx context.Context, axe string) []string {
	t.Helper()
	type violation struct {
		ID    string `json:"id"`
		Help  string `json:"help"`
		Nodes []struct {
			Target []string `json:"target"`
		} `json:"nodes"`
	}
	var res []violation
	run := func(options string) {
		js := `axe.run(document, ` + options + `).then(r => r.violations)`
		var got []violation
		if err := chromedp.Run(ctx, chromedp.Evaluate(axe, nil), chromedp.Evaluate(js, &got, awaitPromise)); err != nil {
			t.Fatalf("axe: %v", err)
		}
		res = append(res, got...)
	}
	run(`{runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa"]}}`)
	run(`{runOnly: {type: "rule", values: ["color-contrast-enhanced"]}}`)
	var out []string
	for _, v := range res {
		out = append(out, fmt.Sprintf("%s (%s) at %v", v.ID, v.Help, v.Nodes))
	}
	return out
}

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// shoot writes screenshots of the page at a kiosk's size and a phone's, to
// a folder that is not committed (results/screens, or $HALTE_SCREENSHOTS).
func shoot(t *testing.T, ctx context.Context, state string) {
	t.Helper()
	dir := os.Getenv("HALTE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "results", "screens")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"kiosk", 1080, 1920}, {"phone", 390, 844}} {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.EmulateViewport(size.width, size.height), chromedp.FullScreenshot(&png, 100)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, state+"-"+size.name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// site is a real agent with its screen, fed by a real Mosquitto.
type site struct {
	url   string
	log   *testkit.Log
	hub   func(halte.StopState)
	agent *agenttest.Device
}

func startSite(t *testing.T, staleAfter time.Duration) *site {
	t.Helper()
	testkit.RequireTool(t, "espeak-ng")
	broker := mqtttest.Start(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &site{url: "http://" + addr + "/"}
	s.agent = agenttest.Start(t, agent.Config{Broker: agent.Brokers{broker.URL}, Device: "screen", Stops: []string{stop},
		Insecure: true, Languages: []string{"nl", "fr", "en", "de"}, HTTP: addr, StartupWait: 200 * time.Millisecond,
		Announce: agent.AnnounceConfig{Coalesce: 50 * time.Millisecond, MinGap: 100 * time.Millisecond, StaleAfter: staleAfter},
	})
	s.log = s.agent.Log
	c := mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "hub-like", Logger: (&testkit.Log{}).Logger()})
	if err := mqtt.Connect(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect(50) })
	s.hub = func(doc halte.StopState) {
		raw, _ := json.Marshal(doc)
		if err := mqtt.Publish(context.Background(), c, mqtt.StopTopic(stop), true, raw); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func document(version uint64, alerts ...halte.Alert) halte.StopState {
	if alerts == nil {
		alerts = []halte.Alert{}
	}
	return halte.StopState{Stop: stop, StopName: "Gent Korenmarkt perron 1", Version: version, IssuedAt: time.Now().UTC(), Alerts: alerts}
}

var detour = halte.Alert{ID: "tram1", Version: 1, Effect: halte.Detour, Severity: halte.Severe, Stops: []string{stop},
	Lines:   []halte.Line{{ID: "T1", Name: "1", Mode: halte.Tram}},
	Periods: []halte.Period{{End: time.Now().Add(3 * time.Hour)}},
	Advice:  halte.Text{"nl": "Neem tram 4 aan perron 2.", "fr": "Prenez le tram 4 au quai 2."}}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	// Read in the page, not through a node id: the page may replace the
	// node between chromedp's query and its read.
	var s string
	js := fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, sel)
	if err := chromedp.Run(ctx, chromedp.Evaluate(js, &s)); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestScreenInABrowser drives the page in headless Chromium against a real
// agent fed by a real Mosquitto: the alert appears, a cancellation removes
// it without a reload, the language switch and the speak control work, and
// axe-core finds no violation in any state.
func TestScreenInABrowser(t *testing.T) {
	axe := axeSource(t)
	s := startSite(t, 0)
	ctx := browser(t, true)
	// The audit can fail: a page without a language, with an image without
	// a text, is caught.
	if err := chromedp.Run(ctx, chromedp.Navigate(`data:text/html,<title>x</title><img src="x.png">`)); err != nil {
		t.Fatal(err)
	}
	if v := audit(t, ctx, axe); len(v) == 0 {
		t.Fatal("axe-core found nothing wrong with a page that has no language and an image without text")
	}
	s.hub(document(1, detour))
	testkit.WaitFor(t, 20*time.Second, "the agent to hold the alert", func() bool { return len(s.agent.Documents()[stop].Alerts) == 1 })

	if err := chromedp.Run(ctx, chromedp.Navigate(s.url), chromedp.WaitVisible(".alert", chromedp.ByQuery),
		chromedp.Evaluate(`window.notReloaded = true`, nil)); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, ".alert .text"); !strings.HasPrefix(got, "Tram 1 rijdt een omleiding tot") || !strings.Contains(got, "Neem tram 4 aan perron 2.") {
		t.Fatalf("the alert reads %q", got)
	}
	if v := audit(t, ctx, axe); len(v) > 0 {
		t.Fatalf("accessibility violations with an alert:\n%s", strings.Join(v, "\n"))
	}
	shoot(t, ctx, "alerts")

	start := time.Now()
	s.hub(document(2))
	var gone bool
	testkit.WaitFor(t, 10*time.Second, "the alert to leave the page", func() bool {
		chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector(".alert") === null && window.notReloaded === true`, &gone))
		return gone
	})
	took := time.Since(start)
	t.Logf("a cancellation left the page %s after it was published", took.Round(time.Millisecond))
	if took > time.Second {
		t.Fatalf("the cancellation took %s to reach the page; want within a second", took)
	}
	if got := text(t, ctx, ".summary"); !strings.HasPrefix(got, "Geen storingen gemeld voor deze halte.") {
		t.Fatalf("no disruptions reads %q", got)
	}
	if v := audit(t, ctx, axe); len(v) > 0 {
		t.Fatalf("accessibility violations with no alert:\n%s", strings.Join(v, "\n"))
	}
	shoot(t, ctx, "none")

	s.hub(document(3, detour))
	var lang string
	if err := chromedp.Run(ctx, chromedp.WaitVisible(".alert", chromedp.ByQuery), chromedp.Click(`a[hreflang="fr"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`html[lang="fr"] .alert`, chromedp.ByQuery), chromedp.Evaluate(`document.documentElement.lang`, &lang)); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, ".alert .text"); lang != "fr" || !strings.HasPrefix(got, "Le tram 1 est dévié jusqu'à") {
		t.Fatalf("after the switch, lang %q and the alert reads %q", lang, got)
	}

	if err := chromedp.Run(ctx, chromedp.Click("#speak button", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, 20*time.Second, "the announcement the speak control asked for", func() bool {
		for _, l := range s.log.Lines("announce") {
			if l["trigger"] == string(halte.TriggerButton) && l["lang"] == "nl" {
				return true
			}
		}
		return false
	})
}

// TestStaleScreen audits the page when the information may be out of date.
func TestStaleScreen(t *testing.T) {
	axe := axeSource(t)
	s := startSite(t, 500*time.Millisecond)
	ctx := browser(t, true)
	s.hub(document(1, detour))
	if err := chromedp.Run(ctx, chromedp.Navigate(s.url), chromedp.WaitVisible(".stale", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, ".stale"); !strings.HasPrefix(got, "Let op: deze informatie is mogelijk niet actueel.") {
		t.Fatalf("the notice reads %q", got)
	}
	if v := audit(t, ctx, axe); len(v) > 0 {
		t.Fatalf("accessibility violations when stale:\n%s", strings.Join(v, "\n"))
	}
	shoot(t, ctx, "stale")
}

// TestScreenWithoutJavaScript: the page is whole without scripts, and
// refreshes itself to follow changes.
func TestScreenWithoutJavaScript(t *testing.T) {
	s := startSite(t, 0)
	ctx := browser(t, false)
	s.hub(document(1, detour))
	testkit.WaitFor(t, 20*time.Second, "the agent to hold the alert", func() bool { return len(s.agent.Documents()[stop].Alerts) == 1 })
	if err := chromedp.Run(ctx, chromedp.Navigate(s.url), chromedp.WaitVisible(".alert", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	s.hub(document(2))
	var gone bool
	testkit.WaitFor(t, 30*time.Second, "the page to refresh itself without the alert", func() bool {
		chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector(".alert") === null`, &gone))
		return gone
	})
}
