package tts_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/tts"
)

func TestCacheHitsAndSurvivesReopen(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	dir := t.TempDir()
	engine := &testkit.Espeak{}
	c, err := tts.OpenCache(engine, dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := c.Synthesize(ctx, "Tram 1 rijdt een omleiding.", "nl", false)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Synthesize(ctx, "Tram 1 rijdt een omleiding.", "nl", false)
	if err != nil {
		t.Fatal(err)
	}
	if engine.Runs.Load() != 1 || len(again.Samples) != len(first.Samples) || again.Rate != first.Rate {
		t.Fatalf("%d engine runs, %d vs %d samples: want one run, the same audio", engine.Runs.Load(), len(again.Samples), len(first.Samples))
	}
	if _, err := c.Synthesize(ctx, "Tram 1 rijdt een omleiding.", "nl", true); err != nil || engine.Runs.Load() != 2 {
		t.Fatalf("the slow voice is a different entry: %d runs, %v", engine.Runs.Load(), err)
	}
	reopened, err := tts.OpenCache(engine, dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reopened.Has("Tram 1 rijdt een omleiding.", "nl", false) {
		t.Fatal("the cache did not survive a reopen")
	}
}

func TestPrepareSynthesizesOnlyWhatIsNotCached(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	engine := &testkit.Espeak{}
	c, err := tts.OpenCache(engine, t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const text = "Bus 12 rijdt niet tot vrijdag."
	for range 3 {
		if err := c.Prepare(ctx, text, "nl", false); err != nil {
			t.Fatal(err)
		}
	}
	if engine.Runs.Load() != 1 || !c.Has(text, "nl", false) {
		t.Fatalf("prepared three times: %d engine runs, cached %v; want one run, cached", engine.Runs.Load(), c.Has(text, "nl", false))
	}
	if pcm, err := c.Synthesize(ctx, text, "nl", false); err != nil || len(pcm.Samples) == 0 || engine.Runs.Load() != 1 {
		t.Fatalf("the prepared text: %d samples, %d engine runs, %v; want its audio from the cache", len(pcm.Samples), engine.Runs.Load(), err)
	}
}

func TestCacheStaysWithinItsBound(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	dir := t.TempDir()
	const bound = 400 << 10 // room for a few sentences
	c, err := tts.OpenCache(tts.Espeak{}, dir, bound)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		if _, err := c.Synthesize(context.Background(), fmt.Sprintf("Bericht nummer %d voor deze halte.", i), "nl", false); err != nil {
			t.Fatal(err)
		}
	}
	var total int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			total += info.Size()
		}
		return nil
	})
	if total > bound {
		t.Fatalf("cache holds %d bytes, bound %d", total, bound)
	}
	if !c.Has("Bericht nummer 11 voor deze halte.", "nl", false) {
		t.Fatal("the newest entry was evicted")
	}
}
