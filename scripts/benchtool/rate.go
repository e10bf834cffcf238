package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/tts"
)

// rate measures the speaking rate of the WAV output: every golden
// sentence of halte's phrase book (tts/phrases/testdata) synthesized by
// espeak-ng at the agent's rates, words said per minute of sound from
// the first audible sample to the last (pauses between sentences included).
func rate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("rate", flag.ContinueOnError)
	dir := fs.String("golden", "tts/phrases/testdata", "the `folder` of the phrase book's golden files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	engine := tts.Espeak{}
	out := map[string]any{"configured_wpm": 150, "configured_slow_wpm": 115}
	for _, lang := range []string{"nl", "fr", "en", "de"} {
		texts, err := goldenTexts(filepath.Join(*dir, lang+".txt"))
		if err != nil {
			return err
		}
		for _, slow := range []bool{false, true} {
			words, spoken := 0, time.Duration(0)
			for _, text := range texts {
				pcm, err := engine.Synthesize(ctx, text, lang, slow)
				if err != nil {
					return err
				}
				words += len(strings.Fields(text))
				spoken += audibleSpan(pcm)
			}
			key := lang + "_wpm"
			if slow {
				key = lang + "_slow_wpm"
			}
			out[key] = float64(words) / spoken.Minutes()
		}
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// goldenTexts are the spoken texts of a golden file ("name | text" lines).
func goldenTexts(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var texts []string
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if name, text, ok := strings.Cut(lines.Text(), " | "); ok && !strings.HasPrefix(name, "#") {
			texts = append(texts, text)
		}
	}
	return texts, lines.Err()
}

// audibleSpan is how long the clip sounds, from its first audible sample
// to its last.
func audibleSpan(p halte.PCM) time.Duration {
	first, last := -1, -1
	for i, s := range p.Samples {
		if s > 500 || s < -500 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return 0
	}
	return halte.PCM{Rate: p.Rate, Samples: p.Samples[first : last+1]}.Duration()
}
