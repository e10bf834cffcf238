package phrases

import (
	"fmt"
	"strings"
	"time"

	"github.com/halte-transit/halte"
)

// book is one language's words.
type book struct {
	and   string
	modes map[halte.Mode]string
	// effects holds a template per effect; %s is the subject (the lines).
	effects map[halte.Effect]string
	// stopEffects holds templates for alerts that name no line.
	stopEffects map[halte.Effect]string
	other       string
	untilToday  string // %s is the time
	untilDate   string // %s is the date
	weekdays    [7]string
	months      [12]string
}

var books = map[string]book{"nl": dutch}

func bookFor(lang string) book {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if b, ok := books[base]; ok {
		return b
	}
	return dutch
}

func (b book) join(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + b.and + " " + items[len(items)-1]
}

func (b book) effect(e halte.Effect, lines string) string {
	if lines == "" {
		if t, ok := b.stopEffects[e]; ok {
			return t
		}
		return b.other
	}
	t, ok := b.effects[e]
	if !ok {
		t = b.effects[halte.OtherEffect]
	}
	s := fmt.Sprintf(t, lines)
	return strings.ToUpper(s[:1]) + s[1:]
}

// until says when the alert's current period ends, if it does.
func (b book) until(a halte.Alert, now time.Time) string {
	var end time.Time
	for _, p := range a.Periods {
		if p.Contains(now) {
			end = p.End
		}
	}
	if end.IsZero() {
		return ""
	}
	end = end.In(now.Location())
	if y, m, d := end.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return fmt.Sprintf(b.untilToday, end.Format("15.04"))
	}
	return fmt.Sprintf(b.untilDate, fmt.Sprintf("%s %d %s", b.weekdays[end.Weekday()], end.Day(), b.months[end.Month()-1]))
}

var dutch = book{
	and: "en",
	modes: map[halte.Mode]string{
		halte.Tram: "tram", halte.Bus: "bus", halte.Metro: "metro", halte.Train: "trein", halte.Ferry: "veerboot",
	},
	effects: map[halte.Effect]string{
		halte.NoService:          "%s stopt niet aan deze halte",
		halte.ReducedService:     "%s rijdt minder vaak",
		halte.SignificantDelays:  "%s heeft grote vertraging",
		halte.Detour:             "%s rijdt een omleiding",
		halte.AdditionalService:  "%s rijdt extra",
		halte.ModifiedService:    "%s rijdt volgens een aangepaste dienstregeling",
		halte.StopMoved:          "De halte van %s is verplaatst",
		halte.AccessibilityIssue: "Er is een probleem met de toegankelijkheid van %s",
		halte.OtherEffect:        "Er is een storing op %s",
	},
	stopEffects: map[halte.Effect]string{
		halte.NoService:          "Deze halte wordt niet bediend",
		halte.StopMoved:          "Deze halte is verplaatst",
		halte.AccessibilityIssue: "Er is een probleem met de toegankelijkheid van deze halte",
		halte.SignificantDelays:  "Er zijn grote vertragingen aan deze halte",
		halte.Detour:             "De voertuigen aan deze halte rijden een omleiding",
	},
	other:      "Er is een storing aan deze halte",
	untilToday: "tot %s uur",
	untilDate:  "tot en met %s",
	weekdays:   [7]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
	months:     [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
}
