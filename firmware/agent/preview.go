package agent

import (
	"context"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/tts"
	"github.com/halte-transit/halte/tts/phrases"
)

// Preview is what a device holding docs answers to a press of its button at
// time at, in lang: the parts as the speaker says them. It runs the same
// policy and phrase book as a running agent, so operators and route
// instructors hear what travelers will hear.
func Preview(docs map[string]halte.StopState, lang string, loc *time.Location, lex *phrases.Lexicon, at time.Time) []string {
	p := halte.NewPolicy(halte.Rules{Languages: []string{lang}, Location: loc}, at, at)
	p.Step(docs, halte.Event{Kind: halte.Tick, At: at})
	book := phrases.New(lang, loc, lex)
	for _, act := range p.Step(docs, halte.Event{Kind: halte.Press, Gesture: halte.Single, At: at}) {
		if act.Kind != halte.Say {
			continue
		}
		var parts []string
		for _, it := range act.Utterance.Items {
			if text := book.Item(it, at); text != "" {
				parts = append(parts, text)
			}
		}
		return parts
	}
	return nil
}

// PreviewAudio synthesizes the parts as the speaker plays them, with the
// same pause after each.
func PreviewAudio(ctx context.Context, engine tts.Engine, parts []string, lang string) (halte.PCM, error) {
	var out halte.PCM
	for _, text := range parts {
		clip, err := engine.Synthesize(ctx, text, lang, false)
		if err != nil {
			return halte.PCM{}, err
		}
		if out.Rate == 0 {
			out.Rate = clip.Rate
		}
		out = out.Append(clip, halte.Silence(clip.Rate, pause))
	}
	return out, nil
}
