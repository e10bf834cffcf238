package phrases

import (
	"time"

	"github.com/halte-transit/halte"
)

// Item says one part of an utterance at now; the chime has no words.
func (b *Book) Item(it halte.Item, now time.Time) string {
	switch it.Kind {
	case halte.ItemStale:
		return b.Stale(it.Since, now)
	case halte.ItemSummary:
		return b.Summary(it.Count)
	case halte.ItemAlert:
		return b.Alert(it.Alert, now)
	case halte.ItemUpcoming:
		return b.Upcoming(it.Alert, it.Start, now)
	case halte.ItemNone:
		return b.NoDisruptions(it.Since, now)
	case halte.ItemLanguageName:
		return b.LanguageName()
	}
	return ""
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
