package route

// labels are the HTML report's own words, in the report's first language.
type labels struct {
	Title, At, Documents, NotServed, AllServed, Stop, Alerts, NoAlerts string
	Says, PressAgain, Listen, Note, Walk, Served, Closed, NotServedBy  string
	ServedNotBy, From, Until, UntilFurther, Languages                  string
}

var reportLabels = map[string]labels{
	"nl": {Title: "Routecontrole", At: "Op", Documents: "Bron", NotServed: "Niet bediende haltes",
		AllServed: "Alle haltes worden bediend.", Stop: "Halte %d van %d", Alerts: "Storingen", NoAlerts: "Geen storingen.",
		Says: "Wat een druk op de knop zegt", PressAgain: "Nog eens drukken", Listen: "Beluister (%s)", Note: "Notitie",
		Walk: "Daarna te voet", Served: "Bediend.", Closed: "Niet bediend: de halte is gesloten.", NotServedBy: "Niet bediend door %s.",
		ServedNotBy: "Bediend, maar niet door %s.", From: "vanaf %s", Until: "tot %s", UntilFurther: "tot nader bericht",
		Languages: "Talen"},
	"fr": {Title: "Contrôle d'itinéraire", At: "Le", Documents: "Source", NotServed: "Arrêts non desservis",
		AllServed: "Tous les arrêts sont desservis.", Stop: "Arrêt %d sur %d", Alerts: "Perturbations", NoAlerts: "Aucune perturbation.",
		Says: "Ce que dit un appui sur le bouton", PressAgain: "Nouvel appui", Listen: "Écouter (%s)", Note: "Note",
		Walk: "Ensuite à pied", Served: "Desservi.", Closed: "Non desservi : l'arrêt est fermé.", NotServedBy: "Non desservi par %s.",
		ServedNotBy: "Desservi, mais pas par %s.", From: "à partir du %s", Until: "jusqu'au %s", UntilFurther: "jusqu'à nouvel ordre",
		Languages: "Langues"},
	"en": {Title: "Route check", At: "At", Documents: "Source", NotServed: "Stops not served",
		AllServed: "Every stop is served.", Stop: "Stop %d of %d", Alerts: "Disruptions", NoAlerts: "No disruptions.",
		Says: "What a press of the button says", PressAgain: "Press again", Listen: "Listen (%s)", Note: "Note",
		Walk: "Then walk", Served: "Served.", Closed: "Not served: the stop is closed.", NotServedBy: "Not served by %s.",
		ServedNotBy: "Served, but not by %s.", From: "from %s", Until: "until %s", UntilFurther: "until further notice",
		Languages: "Languages"},
	"de": {Title: "Routenprüfung", At: "Am", Documents: "Quelle", NotServed: "Nicht bediente Haltestellen",
		AllServed: "Alle Haltestellen werden bedient.", Stop: "Haltestelle %d von %d", Alerts: "Störungen", NoAlerts: "Keine Störungen.",
		Says: "Was ein Druck auf die Taste sagt", PressAgain: "Erneut drücken", Listen: "Anhören (%s)", Note: "Notiz",
		Walk: "Danach zu Fuß", Served: "Bedient.", Closed: "Nicht bedient: die Haltestelle ist geschlossen.", NotServedBy: "Nicht bedient von %s.",
		ServedNotBy: "Bedient, aber nicht von %s.", From: "ab %s", Until: "bis %s", UntilFurther: "bis auf Weiteres",
		Languages: "Sprachen"},
}

// languageNames are each language's own name.
var languageNames = map[string]string{"nl": "Nederlands", "fr": "Français", "en": "English", "de": "Deutsch"}

func labelsFor(lang string) labels {
	if l, ok := reportLabels[lang]; ok {
		return l
	}
	return reportLabels["en"]
}
