// Package browser drives headless Chromium for tests of halte's pages: it
// starts the browser, audits a page with axe-core and takes screenshots at a
// device's size or as printed.
package browser

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/halte-transit/halte/internal/testkit"
)

// Start starts headless Chromium (Debian's package) with JavaScript on or
// off; the test fails in CI, and is skipped elsewhere, without it. The
// browser ends with the test.
func Start(t testing.TB, javascript bool) context.Context {
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

// Axe is axe-core's source, installed with npm by scripts/test.sh, which
// sets HALTE_AXE to its path; without it the test fails in CI and is
// skipped elsewhere.
func Axe(t testing.TB) string {
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

// Audit runs axe-core on the page: WCAG 2 A and AA, 2.1 AA, and the
// enhanced (AAA) contrast rule. It returns the violations.
func Audit(t testing.TB, ctx context.Context, axe string) []string {
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

// Text is the text of the first element that sel selects, "" if none. It
// is read in the page, not through a node id: the page may replace the node
// between a query and a read.
func Text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	js := fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, sel)
	if err := chromedp.Run(ctx, chromedp.Evaluate(js, &s)); err != nil {
		t.Fatal(err)
	}
	return s
}

// Size is a screen, or a printed page, to take a screenshot at.
type Size struct {
	Name          string
	Width, Height int64
	// Print renders the page with its print stylesheet.
	Print bool
}

// Sizes a page is looked at.
var (
	Kiosk = Size{Name: "kiosk", Width: 1080, Height: 1920}
	Phone = Size{Name: "phone", Width: 390, Height: 844}
	// A4 is a sheet of A4 at 96 dots per inch, printed.
	A4 = Size{Name: "a4", Width: 794, Height: 1123, Print: true}
)

// Shoot writes full-page screenshots of the page, one per size, as
// NAME-SIZE.png into a folder that is not committed: $HALTE_SCREENSHOTS,
// else dir.
func Shoot(t testing.TB, ctx context.Context, dir, name string, sizes ...Size) {
	t.Helper()
	if env := os.Getenv("HALTE_SCREENSHOTS"); env != "" {
		dir = env
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range sizes {
		media := ""
		if size.Print {
			media = "print"
		}
		var png []byte
		err := chromedp.Run(ctx, emulation.SetEmulatedMedia().WithMedia(media),
			chromedp.EmulateViewport(size.Width, size.Height), chromedp.FullScreenshot(&png, 100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+size.Name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Run(ctx, emulation.SetEmulatedMedia().WithMedia("")); err != nil {
		t.Fatal(err)
	}
}
