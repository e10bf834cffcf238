package api_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/internal/testkit/browser"
)

// The example app in headless Chromium: it shows what the stop says, and
// the new words once the stop's document changes; axe-core finds nothing
// to fix on it (WCAG 2.1 AA and enhanced contrast), nor on the API's page.
func TestExampleAppInABrowser(t *testing.T) {
	axe := browser.Axe(t)
	s, _ := ghent(t)
	s.served(t, "200401")
	ctx := browser.Start(t, true)
	said := func() string { return browser.Text(t, ctx, "#said") }
	if err := chromedp.Run(ctx, chromedp.Navigate(s.url+"/example?stop=200401&lang=nl"), chromedp.WaitVisible("#listen", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if got := said(); !strings.Contains(got, "Tram 1 richting Evergem Brielken stopt niet aan deze halte") {
		t.Fatalf("the app shows %q", got)
	}
	if v := browser.Audit(t, ctx, axe); len(v) > 0 {
		t.Fatalf("accessibility violations on the example:\n%s", strings.Join(v, "\n"))
	}
	browser.Shoot(t, ctx, filepath.Join("..", "results", "screens"), "api-example", browser.Phone)

	// A change reaches the open page through its event stream.
	s.publish(t, halte.Alert{ID: "gravensteen-lift", Version: 1, Effect: halte.AccessibilityIssue, Stops: []string{"200401"},
		Header: halte.Text{"nl": "De lift aan het Gravensteen is stuk."}})
	testkit.WaitFor(t, deadline, "the app showing the new alert", func() bool {
		return strings.Contains(said(), "De lift aan het Gravensteen is stuk.")
	})

	if err := chromedp.Run(ctx, chromedp.Navigate(s.url+"/"), chromedp.WaitVisible("main", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if v := browser.Audit(t, ctx, axe); len(v) > 0 {
		t.Fatalf("accessibility violations on the API's page:\n%s", strings.Join(v, "\n"))
	}
}
