package agent

import (
	"maps"
	"slices"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/kiosk"
	"github.com/halte-transit/halte/tts/phrases"
)

// View is what the stop's screen shows in lang (one of the configured
// languages; another means the first): the sentences the speaker says,
// from the same phrase book.
func (a *Agent) View(lang string) kiosk.View {
	if !slices.Contains(a.cfg.Languages, lang) {
		lang = a.cfg.Languages[0]
	}
	book := a.books[lang]
	now := a.deps.Now()
	docs := a.snapshot()
	a.mu.Lock()
	since, signal, pulse := a.lastContact, a.signal, a.lastPulse
	a.mu.Unlock()
	v := kiosk.View{Lang: lang, Languages: a.cfg.Languages, LastUpdate: since, Signal: signal}
	if !pulse.IsZero() {
		v.LastPulse = pulse.In(a.rules.Location)
	}
	count := 0
	for _, id := range a.cfg.Stops {
		stop := kiosk.Stop{ID: id, Name: docs[id].StopName, Alerts: []kiosk.Alert{}}
		if stop.Name == "" {
			stop.Name = id
		}
		var items []halte.Item
		for _, al := range docs[id].Active(now) {
			items = append(items, halte.Item{Kind: halte.ItemAlert, Stop: id, Alert: al})
		}
		items = halte.Merge(items)
		halte.Order(items, now)
		for _, it := range items {
			al := it.Alert
			item := kiosk.Alert{ID: al.ID, Severity: al.Severity, Effect: al.Effect, Text: book.Item(it, now),
				Original: a.original(al)}
			for _, m := range it.Also {
				item.Also = append(item.Also, m.Alert.ID)
			}
			if end := periodEnd(al, now); !end.IsZero() {
				item.Until = phrases.Capitalize(book.Until(end, now)) + "."
			}
			stop.Alerts = append(stop.Alerts, item)
			count++
		}
		v.Stops = append(v.Stops, stop)
	}
	if count > 0 {
		v.Summary = book.Summary(count)
	} else {
		v.Summary = book.NoDisruptions(since, now)
	}
	if signal.Stale {
		v.Stale = book.Stale(since, now)
	}
	return v
}

// original is the alert's own text when the feed wrote it in none of the
// device's languages: the speaker then says the alert from its structured
// fields, and the screen shows the text as written, with its language.
func (a *Agent) original(al halte.Alert) *kiosk.Original {
	for _, t := range []halte.Text{al.Speech, al.Header, al.Description} {
		for _, lang := range a.cfg.Languages {
			if t.In(lang) != "" {
				return nil
			}
		}
	}
	for _, t := range []halte.Text{al.Header, al.Speech, al.Description} {
		for _, lang := range slices.Sorted(maps.Keys(t)) {
			return &kiosk.Original{Lang: lang, Text: t[lang]}
		}
	}
	return nil
}

// Speak does what the physical button does: a single press.
func (a *Agent) Speak() {
	a.Touch()
	a.Press(halte.Single)
}

func periodEnd(al halte.Alert, now time.Time) time.Time {
	for _, p := range al.Periods {
		if p.Contains(now) {
			return p.End
		}
	}
	return time.Time{}
}
