// Package phrases composes what a stop says about an alert, in plain words:
// the feed's own text-to-speech text when it has one, else its header and
// description, else a sentence built from the structured fields (effect,
// lines, period), followed by the advice. Everything is a pure function of
// the alert, the language and the time.
package phrases

import (
	"regexp"
	"strings"
	"time"

	"github.com/halte-transit/halte"
)

// Announcement returns the sentence spoken for alert a in lang at time now;
// times are read in loc.
func Announcement(a halte.Alert, lang string, now time.Time, loc *time.Location) string {
	book := bookFor(lang)
	var parts []string
	switch {
	case !a.Speech.Empty() && a.Speech.In(lang) != "":
		parts = append(parts, a.Speech.In(lang))
	case a.Header.In(lang) != "":
		parts = append(parts, a.Header.In(lang), a.Description.In(lang))
	default:
		parts = append(parts, strings.TrimSpace(book.effect(a.Effect, lineList(book, a.Lines))+" "+book.until(a, now.In(loc))))
	}
	if advice := a.Advice.In(lang); advice != "" {
		parts = append(parts, advice)
	}
	return strings.Join(sentences(parts), " ")
}

// sentences cleans the parts, drops empty ones and ends each with a full stop.
func sentences(parts []string) []string {
	var out []string
	for _, p := range parts {
		p = Clean(p)
		if p == "" {
			continue
		}
		if !strings.ContainsAny(p[len(p)-1:], ".!?") {
			p += "."
		}
		out = append(out, p)
	}
	return out
}

var (
	markup = regexp.MustCompile(`<[^>]*>`)
	urls   = regexp.MustCompile(`(?i)\b(https?://|www\.)\S+`)
	spaces = regexp.MustCompile(`\s+`)
)

// Clean makes operator text fit to be spoken: no markup, no URLs, single
// spaces.
func Clean(s string) string {
	s = markup.ReplaceAllString(s, " ")
	s = urls.ReplaceAllString(s, "")
	s = spaces.ReplaceAllString(s, " ")
	return strings.TrimSpace(strings.NewReplacer(" .", ".", " ,", ",").Replace(s))
}

// lineList names lines as travelers say them: "tram 1 en 4", "tram 1 en bus 70".
func lineList(b book, lines []halte.Line) string {
	var groups []string
	var mode halte.Mode
	var names []string
	flush := func() {
		if len(names) == 0 {
			return
		}
		g := b.join(names)
		if word := b.modes[mode]; word != "" {
			g = word + " " + g
		}
		groups = append(groups, g)
		names = nil
	}
	for i, l := range lines {
		name := l.Name
		if name == "" {
			name = l.ID
		}
		if i > 0 && l.Mode != mode {
			flush()
		}
		mode = l.Mode
		names = append(names, name)
	}
	flush()
	return b.join(groups)
}
