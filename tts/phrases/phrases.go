// Package phrases says things in plain words, in Dutch (as spoken in
// Flanders), French, English and German: an alert, the summary of a stop,
// "no disruptions reported", a staleness notice, a language's own name.
//
// For an alert it uses the feed's own text-to-speech text when there is one,
// else its header and description, else a sentence made from the structured
// fields (effect, lines and direction, period), and then the advice. Times are
// said relative to now ("tot vanavond 18 uur", "tot en met vrijdag 3
// december"). Operator text is cleaned (no markup, no URLs) and a
// pronunciation lexicon expands abbreviations. Everything is a pure function
// of its arguments.
package phrases

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Languages are the languages with a phrase book, the default first.
var Languages = []string{"nl", "fr", "en", "de"}

// Book speaks one language at one place.
type Book struct {
	w   *words
	loc *time.Location
	lex *Lexicon

	mu     sync.Mutex
	spoken map[string]string // Speakable's recent answers, by text (at most keptSpoken)
}

// New returns the book for lang (a BCP 47 tag; unknown languages get
// Dutch), reading times in loc and applying lex (nil: the built-in lexicon).
func New(lang string, loc *time.Location, lex *Lexicon) *Book {
	w, ok := books[base(lang)]
	if !ok {
		w = books["nl"]
	}
	if lex == nil {
		lex = DefaultLexicon()
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Book{w: w, loc: loc, lex: lex, spoken: map[string]string{}}
}

// Lang is the book's language tag.
func (b *Book) Lang() string { return b.w.tag }

// LanguageName is the language's name in itself ("Nederlands", "Français").
func (b *Book) LanguageName() string { return b.w.name + "." }

// Summary says how many disruptions there are at this stop (n ≥ 1).
func (b *Book) Summary(n int) string {
	if n == 1 {
		return b.w.summaryOne
	}
	return capitalize(fmt.Sprintf(b.w.summaryMany, b.w.number(n)))
}

// NoDisruptions is the honest answer when nothing is wrong; lastUpdate is
// when the device last heard from the hub (zero: never).
func (b *Book) NoDisruptions(lastUpdate, now time.Time) string {
	return b.w.none + " " + b.LastUpdate(lastUpdate, now)
}

// Stale warns that the information may be out of date.
func (b *Book) Stale(lastUpdate, now time.Time) string {
	return b.w.stale + " " + b.LastUpdate(lastUpdate, now)
}

// LastUpdate says when the device last heard from the hub.
func (b *Book) LastUpdate(t, now time.Time) string {
	if t.IsZero() {
		return b.w.neverUpdated
	}
	t, now = t.In(b.loc), now.In(b.loc)
	if sameDay(t, now) {
		return fmt.Sprintf(b.w.lastUpdateToday, b.w.clock(t))
	}
	if sameDay(t, now.AddDate(0, 0, -1)) {
		return fmt.Sprintf(b.w.lastUpdateYesterday, b.w.clock(t))
	}
	return fmt.Sprintf(b.w.lastUpdateDay, b.w.date(t), b.w.clock(t))
}

func base(tag string) string {
	b, _, _ := strings.Cut(strings.ToLower(tag), "-")
	b, _, _ = strings.Cut(b, "_")
	return b
}

// Capitalize puts the first letter in upper case, for a phrase that starts
// a sentence or a line.
func Capitalize(s string) string { return capitalize(s) }

func capitalize(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
