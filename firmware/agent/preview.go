package agent

import (
	"context"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/tts"
	"github.com/halte-transit/halte/tts/phrases"
)

// maxPages bounds how many "press again" answers are prepared or previewed.
const maxPages = 10

// Preview is what a device holding docs answers to a press of its button at
// time at, in lang: the parts as the speaker says them. It runs the same
// policy and phrase book as a running agent, so operators and route
// instructors hear what travelers will hear.
func Preview(docs map[string]halte.StopState, lang string, loc *time.Location, lex *phrases.Lexicon, at time.Time) []string {
	return PreviewPresses(docs, lang, loc, lex, at)[0]
}

// PreviewPresses is Preview's answer followed by what each "press again"
// adds, until nothing is left (at most ten answers).
func PreviewPresses(docs map[string]halte.StopState, lang string, loc *time.Location, lex *phrases.Lexicon, at time.Time) [][]string {
	r := halte.Rules{Location: loc, Words: phrases.Measure(loc, lex)}
	return answers(r, docs, at, at, phrases.New(lang, loc, lex))
}

// answers is what a device with rules r, holding docs and last in contact
// at lastContact, says to presses at "at" in book's language: the first
// answer, then each "press again" until nothing is left, each as the parts
// the speaker says.
func answers(r halte.Rules, docs map[string]halte.StopState, lastContact, at time.Time, book *phrases.Book) [][]string {
	r.Languages = []string{book.Lang()}
	p := halte.NewPolicy(r, at, lastContact)
	p.Step(docs, halte.Event{Kind: halte.Tick, At: at})
	var out [][]string
	for len(out) < maxPages {
		var u *halte.Utterance
		for _, act := range p.Step(docs, halte.Event{Kind: halte.Press, Gesture: halte.Single, At: at}) {
			if act.Kind == halte.Say {
				u = &act.Utterance
			}
		}
		if u == nil {
			break
		}
		var parts []string
		for _, it := range u.Items {
			if text := book.Item(it, at); text != "" {
				parts = append(parts, text)
			}
		}
		out = append(out, parts)
		p.Step(docs, halte.Event{Kind: halte.Finished, Seq: u.Seq, At: at})
		if n := len(u.Items); n == 0 || u.Items[n-1].Kind != halte.ItemMore {
			break
		}
	}
	return out
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
