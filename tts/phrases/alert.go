package phrases

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/halte-transit/halte"
)

// Alert says alert a as it stands at now, whole: the feed's speech text,
// else its header and description, else a sentence from effect, lines and
// the end of the current period; then the advice.
func (b *Book) Alert(a halte.Alert, now time.Time) string {
	return b.Item(halte.Item{Kind: halte.ItemAlert, Alert: a}, now)
}

// Upcoming says an alert that has not started yet: "Vanaf maandag: ...".
func (b *Book) Upcoming(a halte.Alert, start, now time.Time) string {
	return b.Item(halte.Item{Kind: halte.ItemUpcoming, Alert: a, Start: start}, now)
}

// alertSentences says an alert item sentence by sentence, with the end of
// its period in force at "at", relative to now: whole, or its short form.
func (b *Book) alertSentences(it halte.Item, at, now time.Time) []string {
	lang, a := b.w.tag, it.Alert
	var parts []string
	fromFeed := true
	switch {
	case a.Speech.In(lang) != "":
		parts = []string{a.Speech.In(lang)}
	case a.Header.In(lang) != "" || a.Description.In(lang) != "":
		parts = withoutRepeat(a.Header.In(lang), a.Description.In(lang))
	default:
		parts, fromFeed = []string{b.sentence(a, at, now)}, false
	}
	if it.Short {
		first := parts[0]
		if strings.TrimSpace(first) == "" && len(parts) > 1 {
			first = parts[1]
		}
		return b.short(it, first, fromFeed)
	}
	if fromFeed {
		parts = b.named(it, parts)
	}
	parts = append(parts, a.Advice.In(lang))
	var out []string
	for _, p := range parts {
		for i, s := range splitSentences(ending(b.Speakable(p))) {
			if i == 0 || endsSentence(out[len(out)-1]) {
				s = capitalize(s) // a sentence's start, not a clause's
			}
			out = append(out, s)
		}
	}
	return out
}

// withoutRepeat is header and description, said once where agencies repeat
// one in the other: a header that the description holds is left out, and so
// is a first sentence of the description that the header holds.
func withoutRepeat(header, description string) []string {
	h, d := letters(header), letters(description)
	switch {
	case h == "" || d == "":
	case strings.Contains(d, h):
		return []string{description}
	default:
		if first, rest, ok := strings.Cut(description, "\n"); ok && strings.Contains(h, letters(first)) && letters(first) != "" {
			return []string{header, rest}
		}
		if first := cut(description, isSentenceEnd)[0]; strings.Contains(h, letters(first)) && letters(first) != "" {
			return []string{header, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(description), first))}
		}
	}
	return []string{header, description}
}

// letters is s in lower case with only its letters and digits, for
// comparing texts.
func letters(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// short is an alert's short form: the first sentence of what it says (for
// a feed's alert, its header), with the lines of a merged alert.
func (b *Book) short(it halte.Item, text string, fromFeed bool) []string {
	if fromFeed {
		text = b.named(it, []string{text})[0]
	}
	all := splitSentences(ending(b.Speakable(text)))
	if len(all) == 0 {
		return nil
	}
	return []string{capitalize(all[0])}
}

// named puts the lines of a merged alert into its feed texts: where the
// feed named its line, or before the first text ("Bus 4, 7A en 8: ...").
func (b *Book) named(it halte.Item, parts []string) []string {
	if len(it.Also) == 0 || len(it.Alert.Lines) == 0 {
		return parts
	}
	subject, _ := b.w.lineList(it.Alert.Lines)
	out := make([]string, len(parts))
	placed := false
	for i, p := range parts {
		if strings.Contains(p, halte.LinesPlaceholder) {
			placed = true
			p = strings.ReplaceAll(p, halte.LinesPlaceholder, subject)
		}
		out[i] = p
	}
	if !placed {
		out[0] = subject + ": " + out[0]
	}
	out[0] = capitalize(out[0])
	return out
}

// sentence makes the alert's main sentence from its structured fields.
func (b *Book) sentence(a halte.Alert, at, now time.Time) string {
	w := b.w
	var s string
	if len(a.Lines) == 0 {
		s = w.stopEffects[a.Effect]
		if s == "" {
			s = w.stopEffects[halte.OtherEffect]
		}
	} else {
		t, ok := w.effects[a.Effect]
		if !ok {
			t = w.effects[halte.OtherEffect]
		}
		subject, plural := w.lineList(a.Lines)
		s = capitalize(fmt.Sprintf(t[boolIndex(plural)], subject))
	}
	if end := currentEnd(a, at); !end.IsZero() {
		until := b.Until(end, now)
		if len(strings.Fields(s))+len(strings.Fields(until)) > MaxSentenceWords {
			s += ". " + capitalize(until) // two short sentences are easier to follow than one long one
		} else {
			s += " " + until
		}
	}
	return s
}

// MaxSentenceWords is the longest sentence halte's own phrases make: a
// listener at a stop keeps about fifteen words in mind at once.
const MaxSentenceWords = 15

// currentEnd is the end of the period in force at t, zero if open-ended.
func currentEnd(a halte.Alert, t time.Time) time.Time {
	for _, p := range a.Periods {
		if p.Contains(t) {
			return p.End
		}
	}
	return time.Time{}
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sentences joins the non-empty parts, each ending with a full stop.
func sentences(parts []string) string {
	var out []string
	for _, p := range parts {
		if p = ending(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}
