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

// PreviewSentences is everything a device holding docs says over successive
// presses at time at, in lang, sentence by sentence and without its "press
// again" prompts: the spoken form apps show and speak (the hub's API).
func PreviewSentences(docs map[string]halte.StopState, lang string, loc *time.Location, lex *phrases.Lexicon, at time.Time) []string {
	r := halte.Rules{Location: loc, Words: phrases.Measure(loc, lex)}
	book := phrases.New(lang, loc, lex)
	var out []string
	for _, items := range pages(r, docs, at, at, lang) {
		for _, it := range items {
			if it.Kind != halte.ItemMore {
				out = append(out, book.Sentences(it, at)...)
			}
		}
	}
	return out
}

// answers is what a device with rules r, holding docs and last in contact
// at lastContact, says to presses at "at" in book's language: the first
// answer, then each "press again" until nothing is left, each as the parts
// the speaker says.
func answers(r halte.Rules, docs map[string]halte.StopState, lastContact, at time.Time, book *phrases.Book) [][]string {
	var out [][]string
	for _, items := range pages(r, docs, lastContact, at, book.Lang()) {
		var parts []string
		for _, it := range items {
			if text := book.Item(it, at); text != "" {
				parts = append(parts, text)
			}
		}
		out = append(out, parts)
	}
	return out
}

// pages are the items of the answers to successive presses: the first,
// then each "press again" until nothing is left.
func pages(r halte.Rules, docs map[string]halte.StopState, lastContact, at time.Time, lang string) [][]halte.Item {
	r.Languages = []string{lang}
	p := halte.NewPolicy(r, at, lastContact)
	p.Step(docs, halte.Event{Kind: halte.Tick, At: at})
	var out [][]halte.Item
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
		out = append(out, u.Items)
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
