package phrases

import (
	"fmt"
	"strconv"
	"time"

	"github.com/halte-transit/halte"
)

// words is one language's phrasing. Format strings take their arguments in
// the order their comments give.
type words struct {
	tag, name string
	and       string
	// modes names a group of lines of one mode, singular and plural, with
	// its article where the language needs one: "le tram", "les trams".
	modes map[halte.Mode][2]string
	// toward introduces a direction: "richting %s".
	toward string
	// effects are sentences with the lines as subject (%s), singular and plural.
	effects map[halte.Effect][2]string
	// stopEffects are sentences for alerts that name no line.
	stopEffects map[halte.Effect]string

	summaryOne, summaryMany string // summaryMany: count
	numbers                 []string
	none, stale             string
	neverUpdated            string
	lastUpdateToday         string // time
	lastUpdateYesterday     string // time
	lastUpdateDay           string // date, time
	upcoming                string // when, what: "Vanaf maandag: ..."

	until, untilTonight, untilTomorrow, untilWeekday, untilDate string // time | time | time | day, time | date, time
	untilMidnight, throughTomorrow, throughDate                 string // - | - | date
	from, fromTonight, fromTomorrow, fromTomorrowAt             string // time | time | - | time
	fromWeekday, fromWeekdayAt, fromDate                        string // day | day, time | date

	weekdays [7]string
	months   [12]string
	// date says a day: weekday, day of month, month.
	dateFormat func(weekday string, day int, month string) string
	// clock says a time of day as people say it.
	clock func(t time.Time) string
	// feedTimes reads the times and dates written in feeds' texts.
	feedTimes func(w *words, s string) string
	// stopName introduces the stop's own name: "Halte %s".
	stopName string
	// more asks for another press: for the rest of what was said, for one
	// more alert, for several (count).
	moreRest, moreOne, moreMany string
}

func (w *words) number(n int) string {
	if n < len(w.numbers) {
		return w.numbers[n]
	}
	return strconv.Itoa(n)
}

func (w *words) date(t time.Time) string {
	return w.dateFormat(w.weekdays[t.Weekday()], t.Day(), w.months[t.Month()-1])
}

var books = map[string]*words{"nl": &dutch, "fr": &french, "en": &english, "de": &german}

// clock24 says "18 uur", "18 uur 30" (with unit "uur").
func clock24(unit string) func(time.Time) string {
	return func(t time.Time) string {
		if t.Minute() == 0 {
			return fmt.Sprintf("%d %s", t.Hour(), unit)
		}
		return fmt.Sprintf("%d %s %02d", t.Hour(), unit, t.Minute())
	}
}

var dutch = words{
	tag: "nl", name: "Nederlands", and: "en",
	modes: map[halte.Mode][2]string{
		halte.Tram: {"tram", "tram"}, halte.Bus: {"bus", "bus"}, halte.Metro: {"metro", "metro"},
		halte.Train: {"trein", "trein"}, halte.Ferry: {"veerboot", "veerboot"}, "": {"lijn", "lijn"},
	},
	toward: "richting %s",
	effects: map[halte.Effect][2]string{
		halte.NoService:          {"%s stopt niet aan deze halte", "%s stoppen niet aan deze halte"},
		halte.ReducedService:     {"%s rijdt minder vaak", "%s rijden minder vaak"},
		halte.SignificantDelays:  {"%s heeft grote vertraging", "%s hebben grote vertraging"},
		halte.Detour:             {"%s rijdt een omleiding", "%s rijden een omleiding"},
		halte.AdditionalService:  {"%s rijdt vaker dan normaal", "%s rijden vaker dan normaal"},
		halte.ModifiedService:    {"%s rijdt volgens een aangepaste dienstregeling", "%s rijden volgens een aangepaste dienstregeling"},
		halte.StopMoved:          {"%s stopt op een andere plaats", "%s stoppen op een andere plaats"},
		halte.AccessibilityIssue: {"%s is minder toegankelijk dan normaal", "%s zijn minder toegankelijk dan normaal"},
		halte.OtherEffect:        {"%s heeft een storing", "%s hebben een storing"},
	},
	stopEffects: map[halte.Effect]string{
		halte.NoService:          "Deze halte wordt niet bediend",
		halte.ReducedService:     "Aan deze halte rijden minder voertuigen",
		halte.SignificantDelays:  "Er zijn grote vertragingen aan deze halte",
		halte.Detour:             "De voertuigen aan deze halte rijden een omleiding",
		halte.AdditionalService:  "Aan deze halte rijden extra voertuigen",
		halte.ModifiedService:    "Aan deze halte geldt een aangepaste dienstregeling",
		halte.StopMoved:          "Deze halte is verplaatst",
		halte.AccessibilityIssue: "Er is een probleem met de toegankelijkheid van deze halte",
		halte.OtherEffect:        "Er is een storing aan deze halte",
	},
	summaryOne: "Eén storing aan deze halte.", summaryMany: "%s storingen aan deze halte.",
	numbers:         []string{"nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien"},
	none:            "Geen storingen gemeld voor deze halte.",
	stale:           "Let op: deze informatie is mogelijk niet actueel.",
	neverUpdated:    "Er is nog geen informatie ontvangen.",
	lastUpdateToday: "Laatste update om %s.", lastUpdateYesterday: "Laatste update gisteren om %s.", lastUpdateDay: "Laatste update op %s om %s.",
	upcoming: "%s: %s",
	until:    "tot %s", untilTonight: "tot vanavond %s", untilTomorrow: "tot morgen %s",
	untilWeekday: "tot %s %s", untilDate: "tot %s om %s",
	untilMidnight: "tot middernacht", throughTomorrow: "tot en met morgen", throughDate: "tot en met %s",
	from: "vanaf %s", fromTonight: "vanaf vanavond %s", fromTomorrow: "vanaf morgen", fromTomorrowAt: "vanaf morgen %s",
	fromWeekday: "vanaf %s", fromWeekdayAt: "vanaf %s %s", fromDate: "vanaf %s",
	weekdays:   [7]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
	months:     [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
	dateFormat: func(wd string, d int, m string) string { return fmt.Sprintf("%s %d %s", wd, d, m) },
	clock:      clock24("uur"),
	feedTimes:  feedTimesDutch,
	stopName:   "Halte %s.",
	moreRest:   "Druk nog eens voor meer uitleg.", moreOne: "Druk nog eens voor nog één storing.", moreMany: "Druk nog eens voor nog %s storingen.",
}

var french = words{
	tag: "fr", name: "Français", and: "et",
	modes: map[halte.Mode][2]string{
		halte.Tram: {"le tram", "les trams"}, halte.Bus: {"le bus", "les bus"}, halte.Metro: {"le métro", "les métros"},
		halte.Train: {"le train", "les trains"}, halte.Ferry: {"le bateau", "les bateaux"}, "": {"la ligne", "les lignes"},
	},
	toward: "direction %s",
	effects: map[halte.Effect][2]string{
		halte.NoService:          {"%s ne dessert pas cet arrêt", "%s ne desservent pas cet arrêt"},
		halte.ReducedService:     {"%s circule moins souvent", "%s circulent moins souvent"},
		halte.SignificantDelays:  {"%s a d'importants retards", "%s ont d'importants retards"},
		halte.Detour:             {"%s est dévié", "%s sont déviés"},
		halte.AdditionalService:  {"%s circule plus souvent que d'habitude", "%s circulent plus souvent que d'habitude"},
		halte.ModifiedService:    {"%s circule selon un horaire adapté", "%s circulent selon un horaire adapté"},
		halte.StopMoved:          {"%s s'arrête à un autre endroit", "%s s'arrêtent à un autre endroit"},
		halte.AccessibilityIssue: {"%s est moins accessible que d'habitude", "%s sont moins accessibles que d'habitude"},
		halte.OtherEffect:        {"%s est perturbé", "%s sont perturbés"},
	},
	stopEffects: map[halte.Effect]string{
		halte.NoService:          "Cet arrêt n'est pas desservi",
		halte.ReducedService:     "Moins de véhicules desservent cet arrêt",
		halte.SignificantDelays:  "Il y a d'importants retards à cet arrêt",
		halte.Detour:             "Les véhicules de cet arrêt sont déviés",
		halte.AdditionalService:  "Des véhicules supplémentaires desservent cet arrêt",
		halte.ModifiedService:    "Un horaire adapté s'applique à cet arrêt",
		halte.StopMoved:          "Cet arrêt est déplacé",
		halte.AccessibilityIssue: "L'accessibilité de cet arrêt est perturbée",
		halte.OtherEffect:        "Il y a une perturbation à cet arrêt",
	},
	summaryOne: "Une perturbation à cet arrêt.", summaryMany: "%s perturbations à cet arrêt.",
	numbers:         []string{"zéro", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"},
	none:            "Aucune perturbation signalée pour cet arrêt.",
	stale:           "Attention : ces informations ne sont peut-être plus à jour.",
	neverUpdated:    "Aucune information n'a encore été reçue.",
	lastUpdateToday: "Dernière mise à jour à %s.", lastUpdateYesterday: "Dernière mise à jour hier à %s.", lastUpdateDay: "Dernière mise à jour le %s à %s.",
	upcoming: "%s : %s",
	until:    "jusqu'à %s", untilTonight: "jusqu'à ce soir %s", untilTomorrow: "jusqu'à demain %s",
	untilWeekday: "jusqu'à %s %s", untilDate: "jusqu'au %s à %s",
	untilMidnight: "jusqu'à minuit", throughTomorrow: "jusqu'à demain inclus", throughDate: "jusqu'au %s inclus",
	from: "à partir de %s", fromTonight: "à partir de ce soir %s", fromTomorrow: "à partir de demain", fromTomorrowAt: "à partir de demain %s",
	fromWeekday: "à partir de %s", fromWeekdayAt: "à partir de %s %s", fromDate: "à partir du %s",
	weekdays:   [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
	months:     [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	dateFormat: func(wd string, d int, m string) string { return fmt.Sprintf("%s %d %s", wd, d, m) },
	clock: func(t time.Time) string {
		unit := "heures"
		if t.Hour() <= 1 {
			unit = "heure"
		}
		return clock24(unit)(t)
	},
	feedTimes: feedTimesFrench,
	stopName:  "Arrêt %s.",
	moreRest:  "Appuyez encore pour en savoir plus.", moreOne: "Appuyez encore pour une autre perturbation.", moreMany: "Appuyez encore pour %s autres perturbations.",
}

var english = words{
	tag: "en", name: "English", and: "and",
	modes: map[halte.Mode][2]string{
		halte.Tram: {"tram", "trams"}, halte.Bus: {"bus", "buses"}, halte.Metro: {"metro", "metros"},
		halte.Train: {"train", "trains"}, halte.Ferry: {"ferry", "ferries"}, "": {"line", "lines"},
	},
	toward: "towards %s",
	effects: map[halte.Effect][2]string{
		halte.NoService:          {"%s does not stop here", "%s do not stop here"},
		halte.ReducedService:     {"%s runs less often", "%s run less often"},
		halte.SignificantDelays:  {"%s has long delays", "%s have long delays"},
		halte.Detour:             {"%s is diverted", "%s are diverted"},
		halte.AdditionalService:  {"%s runs more often than usual", "%s run more often than usual"},
		halte.ModifiedService:    {"%s runs to a changed timetable", "%s run to a changed timetable"},
		halte.StopMoved:          {"%s stops at a different place", "%s stop at a different place"},
		halte.AccessibilityIssue: {"%s is less accessible than usual", "%s are less accessible than usual"},
		halte.OtherEffect:        {"%s is disrupted", "%s are disrupted"},
	},
	stopEffects: map[halte.Effect]string{
		halte.NoService:          "This stop is not served",
		halte.ReducedService:     "Fewer vehicles serve this stop",
		halte.SignificantDelays:  "There are long delays at this stop",
		halte.Detour:             "Vehicles at this stop are diverted",
		halte.AdditionalService:  "Extra vehicles serve this stop",
		halte.ModifiedService:    "A changed timetable applies at this stop",
		halte.StopMoved:          "This stop has moved",
		halte.AccessibilityIssue: "There is an accessibility problem at this stop",
		halte.OtherEffect:        "There is a disruption at this stop",
	},
	summaryOne: "One disruption at this stop.", summaryMany: "%s disruptions at this stop.",
	numbers:         []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"},
	none:            "No disruptions reported for this stop.",
	stale:           "Please note: this information may be out of date.",
	neverUpdated:    "No information has been received yet.",
	lastUpdateToday: "Last update at %s.", lastUpdateYesterday: "Last update yesterday at %s.", lastUpdateDay: "Last update on %s at %s.",
	upcoming: "%s: %s",
	until:    "until %s", untilTonight: "until %s this evening", untilTomorrow: "until tomorrow at %s",
	untilWeekday: "until %s at %s", untilDate: "until %s at %s",
	untilMidnight: "until midnight", throughTomorrow: "until the end of tomorrow", throughDate: "until the end of %s",
	from: "from %s", fromTonight: "from %s this evening", fromTomorrow: "from tomorrow", fromTomorrowAt: "from tomorrow at %s",
	fromWeekday: "from %s", fromWeekdayAt: "from %s at %s", fromDate: "from %s",
	weekdays:   [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	months:     [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	dateFormat: func(wd string, d int, m string) string { return fmt.Sprintf("%s %d %s", wd, d, m) },
	clock: func(t time.Time) string {
		h, suffix := t.Hour()%12, "am"
		if t.Hour() >= 12 {
			suffix = "pm"
		}
		switch {
		case t.Hour() == 0 && t.Minute() == 0:
			return "midnight"
		case t.Hour() == 12 && t.Minute() == 0:
			return "noon"
		case h == 0:
			h = 12
		}
		if t.Minute() == 0 {
			return fmt.Sprintf("%d %s", h, suffix)
		}
		return fmt.Sprintf("%d:%02d %s", h, t.Minute(), suffix)
	},
	feedTimes: feedTimesEnglish,
	stopName:  "This is %s.",
	moreRest:  "Press again for more.", moreOne: "Press again for one more.", moreMany: "Press again for %s more.",
}

var german = words{
	tag: "de", name: "Deutsch", and: "und",
	modes: map[halte.Mode][2]string{
		halte.Tram: {"die Straßenbahnlinie", "die Straßenbahnlinien"}, halte.Bus: {"die Buslinie", "die Buslinien"},
		halte.Metro: {"die U-Bahn-Linie", "die U-Bahn-Linien"}, halte.Train: {"die Zuglinie", "die Zuglinien"},
		halte.Ferry: {"die Fährlinie", "die Fährlinien"}, "": {"die Linie", "die Linien"},
	},
	toward: "Richtung %s",
	effects: map[halte.Effect][2]string{
		halte.NoService:          {"%s hält nicht an dieser Haltestelle", "%s halten nicht an dieser Haltestelle"},
		halte.ReducedService:     {"%s fährt seltener", "%s fahren seltener"},
		halte.SignificantDelays:  {"%s hat große Verspätung", "%s haben große Verspätung"},
		halte.Detour:             {"%s wird umgeleitet", "%s werden umgeleitet"},
		halte.AdditionalService:  {"%s fährt häufiger als sonst", "%s fahren häufiger als sonst"},
		halte.ModifiedService:    {"%s fährt nach einem geänderten Fahrplan", "%s fahren nach einem geänderten Fahrplan"},
		halte.StopMoved:          {"%s hält an einer anderen Stelle", "%s halten an einer anderen Stelle"},
		halte.AccessibilityIssue: {"%s ist eingeschränkt barrierefrei", "%s sind eingeschränkt barrierefrei"},
		halte.OtherEffect:        {"%s ist gestört", "%s sind gestört"},
	},
	stopEffects: map[halte.Effect]string{
		halte.NoService:          "Diese Haltestelle wird nicht bedient",
		halte.ReducedService:     "An dieser Haltestelle fahren weniger Fahrzeuge",
		halte.SignificantDelays:  "An dieser Haltestelle gibt es große Verspätungen",
		halte.Detour:             "Die Fahrzeuge an dieser Haltestelle werden umgeleitet",
		halte.AdditionalService:  "An dieser Haltestelle fahren zusätzliche Fahrzeuge",
		halte.ModifiedService:    "An dieser Haltestelle gilt ein geänderter Fahrplan",
		halte.StopMoved:          "Diese Haltestelle wurde verlegt",
		halte.AccessibilityIssue: "Die Barrierefreiheit dieser Haltestelle ist eingeschränkt",
		halte.OtherEffect:        "An dieser Haltestelle gibt es eine Störung",
	},
	summaryOne: "Eine Störung an dieser Haltestelle.", summaryMany: "%s Störungen an dieser Haltestelle.",
	numbers:         []string{"null", "eine", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn"},
	none:            "Keine Störungen für diese Haltestelle gemeldet.",
	stale:           "Achtung: diese Informationen sind möglicherweise nicht aktuell.",
	neverUpdated:    "Es wurden noch keine Informationen empfangen.",
	lastUpdateToday: "Letzte Aktualisierung um %s.", lastUpdateYesterday: "Letzte Aktualisierung gestern um %s.", lastUpdateDay: "Letzte Aktualisierung am %s um %s.",
	upcoming: "%s: %s",
	until:    "bis %s", untilTonight: "bis heute Abend %s", untilTomorrow: "bis morgen %s",
	untilWeekday: "bis %s %s", untilDate: "bis %s, %s",
	untilMidnight: "bis Mitternacht", throughTomorrow: "bis einschließlich morgen", throughDate: "bis einschließlich %s",
	from: "ab %s", fromTonight: "ab heute Abend %s", fromTomorrow: "ab morgen", fromTomorrowAt: "ab morgen %s",
	fromWeekday: "ab %s", fromWeekdayAt: "ab %s %s", fromDate: "ab %s",
	weekdays:   [7]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
	months:     [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	dateFormat: func(wd string, d int, m string) string { return fmt.Sprintf("%s, %d. %s", wd, d, m) },
	clock:      clock24("Uhr"),
	feedTimes:  feedTimesGerman,
	stopName:   "Haltestelle %s.",
	moreRest:   "Drücken Sie noch einmal für mehr.", moreOne: "Drücken Sie noch einmal für eine weitere Störung.", moreMany: "Drücken Sie noch einmal für %s weitere Störungen.",
}
