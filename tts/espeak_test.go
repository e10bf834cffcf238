package tts_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/tts"
)

func TestEspeakSpeaksEachLanguage(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	texts := map[string]string{
		"nl": "Tram 1 stopt niet aan deze halte.",
		"fr": "Le tram 1 ne s'arrête pas à cet arrêt.",
		"en": "Tram 1 does not stop here.",
		"de": "Die Straßenbahn 1 hält hier nicht.",
	}
	for lang, text := range texts {
		pcm, err := tts.Espeak{}.Synthesize(context.Background(), text, lang, false)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if pcm.Rate != 22050 || pcm.Duration() < time.Second || pcm.Duration() > 10*time.Second {
			t.Fatalf("%s: %d Hz, %s: not a spoken sentence", lang, pcm.Rate, pcm.Duration())
		}
	}
}

// TestTextIsNeverACommand checks that text reaches espeak-ng as text: no
// shell runs it, and a leading dash is not an option.
func TestTextIsNeverACommand(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	marker := t.TempDir() + "/pwned"
	for _, text := range []string{"$(touch " + marker + ")", "`touch " + marker + "`", "; touch " + marker, "--version"} {
		pcm, err := tts.Espeak{}.Synthesize(context.Background(), text, "nl", false)
		if err != nil || len(pcm.Samples) == 0 {
			t.Fatalf("%q: %v", text, err)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("text was run as a command")
	}
}

func TestSlowerRateMakesLongerSpeech(t *testing.T) {
	testkit.RequireTool(t, "espeak-ng")
	text := "Tram 4 rijdt een omleiding via de Kouter."
	normal, err := tts.Espeak{}.Synthesize(context.Background(), text, "nl", false)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := tts.Espeak{}.Synthesize(context.Background(), text, "nl", true)
	if err != nil {
		t.Fatal(err)
	}
	if slow.Duration() <= normal.Duration() {
		t.Fatalf("slow speech lasts %s, normal %s", slow.Duration(), normal.Duration())
	}
}

func TestMissingEngineIsAClearError(t *testing.T) {
	_, err := tts.Espeak{Binary: "/nonexistent/espeak-ng"}.Synthesize(context.Background(), "x", "nl", false)
	if err == nil {
		t.Fatal("no error for a missing engine")
	}
}
