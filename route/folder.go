package route

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/tts"
)

// WriteFolder writes the report into dir: one WAV file per stop and
// language with what the first press says (as the device's speaker says
// it), index.html and route.json. progress, if not nil, is told of each
// file synthesized, as done of total.
func (rep *Report) WriteFolder(ctx context.Context, dir string, engine tts.Engine, progress func(done, total int)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	total := len(rep.Stops) * len(rep.Languages)
	done := 0
	for i := range rep.Stops {
		e := &rep.Stops[i]
		e.Audio = map[string]string{}
		for _, lang := range rep.Languages {
			name := fmt.Sprintf("%02d-%s-%s.wav", e.Position, unsafeInName.ReplaceAllString(e.Stop, "_"), lang)
			if err := writeWAV(ctx, filepath.Join(dir, name), engine, e.Says[lang][0], lang); err != nil {
				return fmt.Errorf("audio of %s in %s: %w", e.Name, lang, err)
			}
			e.Audio[lang] = name
			done++
			if progress != nil {
				progress(done, total)
			}
		}
	}
	page, err := os.Create(filepath.Join(dir, "index.html"))
	if err != nil {
		return err
	}
	if err := rep.WriteHTML(page); err != nil {
		page.Close()
		return err
	}
	if err := page.Close(); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "route.json"), append(raw, '\n'), 0o644)
}

var unsafeInName = regexp.MustCompile(`[^A-Za-z0-9_-]`)

func writeWAV(ctx context.Context, path string, engine tts.Engine, parts []string, lang string) error {
	pcm, err := agent.PreviewAudio(ctx, engine, parts, lang)
	if err != nil {
		return err
	}
	return pcm.SaveWAV(path)
}
