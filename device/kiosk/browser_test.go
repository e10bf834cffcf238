package kiosk_test

import (
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/firmware/agent/agenttest"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/internal/testkit/browser"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

const stop = "200101"

// screens is where the screenshots go, a folder that is not committed.
var screens = filepath.Join("..", "..", "results", "screens")

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

// TestScreenInABrowser drives the page in headless Chromium against a real
// agent fed by a real Mosquitto: the alert appears, a cancellation removes
// it without a reload, the language switch and the speak control work, and
// axe-core finds no violation in any state.
func TestScreenInABrowser(t *testing.T) {
	axe := browser.Axe(t)
	s := startSite(t, 0)
	ctx := browser.Start(t, true)
	// The audit can fail: a page without a language, with an image without
	// a text, is caught.
	if err := chromedp.Run(ctx, chromedp.Navigate(`data:text/html,<title>x</title><img src="x.png">`)); err != nil {
		t.Fatal(err)
	}
	if v := browser.Audit(t, ctx, axe); len(v) == 0 {
		t.Fatal("axe-core found nothing wrong with a page that has no language and an image without text")
	}
	s.hub(document(1, detour))
	testkit.WaitFor(t, 20*time.Second, "the agent to hold the alert", func() bool { return len(s.agent.Documents()[stop].Alerts) == 1 })

	if err := chromedp.Run(ctx, chromedp.Navigate(s.url), chromedp.WaitVisible(".alert", chromedp.ByQuery),
		chromedp.Evaluate(`window.notReloaded = true`, nil)); err != nil {
		t.Fatal(err)
	}
	if got := browser.Text(t, ctx, ".alert .text"); !strings.HasPrefix(got, "Tram 1 rijdt een omleiding tot") || !strings.Contains(got, "Neem tram 4 aan perron 2.") {
		t.Fatalf("the alert reads %q", got)
	}
	if v := browser.Audit(t, ctx, axe); len(v) > 0 {
		t.Fatalf("accessibility violations with an alert:\n%s", strings.Join(v, "\n"))
	}
	browser.Shoot(t, ctx, screens, "alerts", browser.Kiosk, browser.Phone)

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
	if got := browser.Text(t, ctx, ".summary"); !strings.HasPrefix(got, "Geen storingen gemeld voor deze halte.") {
		t.Fatalf("no disruptions reads %q", got)
	}
	if v := browser.Audit(t, ctx, axe); len(v) > 0 {
		t.Fatalf("accessibility violations with no alert:\n%s", strings.Join(v, "\n"))
	}
	browser.Shoot(t, ctx, screens, "none", browser.Kiosk, browser.Phone)

	s.hub(document(3, detour))
	var lang string
	if err := chromedp.Run(ctx, chromedp.WaitVisible(".alert", chromedp.ByQuery), chromedp.Click(`a[hreflang="fr"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`html[lang="fr"] .alert`, chromedp.ByQuery), chromedp.Evaluate(`document.documentElement.lang`, &lang)); err != nil {
		t.Fatal(err)
	}
	if got := browser.Text(t, ctx, ".alert .text"); lang != "fr" || !strings.HasPrefix(got, "Le tram 1 est dévié jusqu'à") {
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
	axe := browser.Axe(t)
	s := startSite(t, 500*time.Millisecond)
	ctx := browser.Start(t, true)
	s.hub(document(1, detour))
	if err := chromedp.Run(ctx, chromedp.Navigate(s.url), chromedp.WaitVisible(".stale", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if got := browser.Text(t, ctx, ".stale"); !strings.HasPrefix(got, "Let op: deze informatie is mogelijk niet actueel.") {
		t.Fatalf("the notice reads %q", got)
	}
	if v := browser.Audit(t, ctx, axe); len(v) > 0 {
		t.Fatalf("accessibility violations when stale:\n%s", strings.Join(v, "\n"))
	}
	browser.Shoot(t, ctx, screens, "stale", browser.Kiosk, browser.Phone)
}

// TestScreenWithoutJavaScript: the page is whole without scripts, and
// refreshes itself to follow changes.
func TestScreenWithoutJavaScript(t *testing.T) {
	s := startSite(t, 0)
	ctx := browser.Start(t, false)
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
