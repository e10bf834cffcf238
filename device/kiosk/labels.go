package kiosk

import (
	"fmt"
	"time"

	"github.com/halte-transit/halte"
)

// labels are the page's own words, per language.
type labels struct {
	Title, Speak, Language, Light, Vibration, Pulse string
	Severe, Warning, Info                           string
	LightOff, LightAlert, LightStale                string
	Names                                           map[string]string
}

var names = map[string]string{"nl": "Nederlands", "fr": "Français", "en": "English", "de": "Deutsch"}

var pageLabels = map[string]labels{
	"nl": {Title: "Storingen aan deze halte", Speak: "Spreek uit", Language: "Taal", Light: "Signaallamp",
		Vibration: "Trilmotor", Pulse: "laatste tik om %s",
		Severe: "Ernstig", Warning: "Let op", Info: "Info",
		LightOff: "uit: geen storingen", LightAlert: "knippert: storing", LightStale: "knippert traag: informatie mogelijk niet actueel"},
	"fr": {Title: "Perturbations à cet arrêt", Speak: "Écouter", Language: "Langue", Light: "Voyant",
		Vibration: "Vibreur", Pulse: "dernière impulsion à %s",
		Severe: "Grave", Warning: "Attention", Info: "Info",
		LightOff: "éteint : aucune perturbation", LightAlert: "clignote : perturbation", LightStale: "clignote lentement : informations peut-être pas à jour"},
	"en": {Title: "Disruptions at this stop", Speak: "Speak", Language: "Language", Light: "Signal light",
		Vibration: "Vibration", Pulse: "last pulse at %s",
		Severe: "Severe", Warning: "Warning", Info: "Info",
		LightOff: "off: no disruptions", LightAlert: "flashing: disruption", LightStale: "flashing slowly: information may be out of date"},
	"de": {Title: "Störungen an dieser Haltestelle", Speak: "Vorlesen", Language: "Sprache", Light: "Signallampe",
		Vibration: "Vibration", Pulse: "letzter Impuls um %s",
		Severe: "Schwer", Warning: "Achtung", Info: "Info",
		LightOff: "aus: keine Störungen", LightAlert: "blinkt: Störung", LightStale: "blinkt langsam: Informationen möglicherweise nicht aktuell"},
}

func labelsFor(lang string) labels {
	if l, ok := pageLabels[lang]; ok {
		return l
	}
	return pageLabels["nl"]
}

// severityLabel names a severity in words, so that it is never told by
// colour alone.
func (l labels) severityLabel(s halte.Severity) string {
	switch s {
	case halte.Severe:
		return l.Severe
	case halte.Warning:
		return l.Warning
	}
	return l.Info
}

// pulse says when the vibration motor last acknowledged a press.
func (l labels) pulse(t time.Time) string { return fmt.Sprintf(l.Pulse, t.Format("15:04:05")) }

// light says what the signal light shows.
func (l labels) light(s halte.Signal) string {
	switch {
	case s.Stale:
		return l.LightStale
	case s.Alerts > 0:
		return l.LightAlert + " (" + l.severityLabel(s.Severity) + ")"
	}
	return l.LightOff
}
