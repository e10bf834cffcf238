package phrases

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/halte-transit/halte"
)

// Alert says alert a as it stands at now: the feed's speech text, else its
// header and description, else a sentence from effect, lines and the end of
// the current period; then the advice.
func (b *Book) Alert(a halte.Alert, now time.Time) string {
	return b.alertText(a, now, now)
}

// Upcoming says an alert that has not started yet: "Vanaf maandag: ...".
func (b *Book) Upcoming(a halte.Alert, start, now time.Time) string {
	return fmt.Sprintf(b.w.upcoming, capitalize(b.From(start, now)), b.alertText(a, start, now))
}

// alertText says the alert with the end of its period in force at "at",
// relative to now.
func (b *Book) alertText(a halte.Alert, at, now time.Time) string {
	lang := b.w.tag
	var parts []string
	switch {
	case a.Speech.In(lang) != "":
		parts = append(parts, a.Speech.In(lang))
	case a.Header.In(lang) != "" || a.Description.In(lang) != "":
		parts = append(parts, a.Header.In(lang), a.Description.In(lang))
	default:
		parts = append(parts, b.sentence(a, at, now))
	}
	parts = append(parts, a.Advice.In(lang))
	return b.Fix(sentences(parts))
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
		s += " " + b.Until(end, now)
	}
	return s
}

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
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.ContainsAny(p[len(p)-1:], ".!?") {
			p += "."
		}
		out = append(out, p)
	}
	return strings.Join(out, " ")
}

var (
	markup = regexp.MustCompile(`<[^>]*>`)
	urls   = regexp.MustCompile(`(?i)\b(https?://|www\.)\S+`)
	spaces = regexp.MustCompile(`\s+`)
)

// Clean makes operator text fit to be spoken: no markup, no URLs, single
// spaces, no space before punctuation.
func Clean(s string) string {
	s = markup.ReplaceAllString(s, " ")
	s = urls.ReplaceAllString(s, "")
	s = spaces.ReplaceAllString(s, " ")
	return strings.TrimSpace(strings.NewReplacer(" .", ".", " ,", ",").Replace(s))
}
