package phrases

import (
	"fmt"
	"strings"
	"time"

	"github.com/halte-transit/halte"
)

// Item says one part of an utterance at now: for an alert, its sentences
// From to To (or its short form); the chime has no words.
func (b *Book) Item(it halte.Item, now time.Time) string {
	all := b.Sentences(it, now)
	from, to := min(it.From, len(all)), len(all)
	if it.To > 0 {
		to = min(it.To, len(all))
	}
	return strings.Join(all[from:max(from, to)], " ")
}

// Sentences is what an item says, sentence by sentence, from its first
// whatever its From and To (its short form if Short).
func (b *Book) Sentences(it halte.Item, now time.Time) []string {
	switch it.Kind {
	case halte.ItemStale:
		return splitSentences(b.Stale(it.Since, now))
	case halte.ItemStopName:
		return []string{fmt.Sprintf(b.w.stopName, strings.TrimRight(b.Speakable(it.Name), "."))}
	case halte.ItemSummary:
		return []string{b.Summary(it.Count)}
	case halte.ItemAlert:
		return b.alertSentences(it, now, now)
	case halte.ItemUpcoming:
		all := b.alertSentences(it, it.Start, now)
		if len(all) > 0 {
			all[0] = fmt.Sprintf(b.w.upcoming, capitalize(b.From(it.Start, now)), all[0])
		}
		return all
	case halte.ItemNone:
		return splitSentences(b.NoDisruptions(it.Since, now))
	case halte.ItemLanguageName:
		return []string{b.LanguageName()}
	case halte.ItemMore:
		return []string{b.More(it.Count)}
	}
	return nil
}

// Words counts the words of each of an item's sentences, as Sentences
// gives them: the measure of the policy's word budget (halte.Words).
func (b *Book) Words(it halte.Item, now time.Time) []int {
	var out []int
	for _, s := range b.Sentences(it, now) {
		out = append(out, len(strings.Fields(s)))
	}
	return out
}

// More asks for another press: for the rest (count 0), or for count more
// alerts.
func (b *Book) More(count int) string {
	switch count {
	case 0:
		return b.w.moreRest
	case 1:
		return b.w.moreOne
	}
	return fmt.Sprintf(b.w.moreMany, b.w.number(count))
}

// Utterance says every part of u, in its language, as one text.
func Utterance(u halte.Utterance, loc *time.Location, lex *Lexicon, now time.Time) string {
	b := New(u.Lang, loc, lex)
	var parts []string
	for _, it := range u.Items {
		parts = append(parts, b.Item(it, now))
	}
	return sentences(parts)
}

// Measure is the policy's word measure (halte.Words) for the phrase books
// of every language, reading times in loc, with lex (nil: the built-in).
func Measure(loc *time.Location, lex *Lexicon) halte.Words {
	return func(it halte.Item, lang string, now time.Time) []int { return New(lang, loc, lex).Words(it, now) }
}
