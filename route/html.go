package route

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

var (
	//go:embed web/report.html
	reportPage string
	//go:embed web/report.css
	reportCSS string

	reportTemplate = template.Must(template.New("report").Parse(reportPage))
)

// WriteHTML writes the accessible report: headings per stop, the stops not
// served at the top, the texts in their languages with audio players for
// the files in Audio, a print stylesheet; no external resources. Its own
// words are in the report's first language.
func (rep Report) WriteHTML(w io.Writer) error {
	lang := "en"
	if len(rep.Languages) > 0 {
		lang = rep.Languages[0]
	}
	l := labelsFor(lang)
	v := page{Lang: lang, L: l, Route: rep.Route, When: rep.whenNumeric(rep.At), Source: rep.Source, CSS: template.CSS(reportCSS)}
	var names []string
	for _, lg := range rep.Languages {
		names = append(names, languageName(lg))
	}
	v.LanguageNames = strings.Join(names, ", ")
	for _, e := range rep.Stops {
		s := stopView{Entry: e, PositionText: fmt.Sprintf(l.Stop, e.Position, len(rep.Stops)), Service: rep.serviceIn(l, e)}
		for _, a := range e.Alerts {
			s.Alerts = append(s.Alerts, rep.alertIn(l, a))
		}
		for _, lg := range rep.Languages {
			sv := saysView{Lang: lg, LanguageName: languageName(lg), Audio: e.Audio[lg],
				ListenLabel: fmt.Sprintf(l.Listen, languageName(lg)) + ": " + e.Name}
			for _, parts := range e.Says[lg] {
				sv.Presses = append(sv.Presses, strings.Join(parts, " "))
			}
			s.Says = append(s.Says, sv)
		}
		v.Stops = append(v.Stops, s)
		if !e.Served {
			v.NotServed = append(v.NotServed, s)
		}
	}
	return reportTemplate.Execute(w, v)
}

type page struct {
	Lang, Route, When, Source, LanguageNames string
	L                                        labels
	CSS                                      template.CSS
	Stops, NotServed                         []stopView
}

type stopView struct {
	Entry
	PositionText, Service string
	Alerts                []string
	Says                  []saysView
}

type saysView struct {
	Lang, LanguageName, Audio, ListenLabel string
	Presses                                []string
}

func languageName(lang string) string {
	if n, ok := languageNames[lang]; ok {
		return n
	}
	return lang
}

func (rep Report) serviceIn(l labels, e Entry) string {
	switch {
	case !e.Served && len(e.NotServedBy) == 0:
		return l.Closed
	case !e.Served:
		return fmt.Sprintf(l.NotServedBy, strings.Join(e.NotServedBy, ", "))
	case len(e.NotServedBy) > 0:
		return fmt.Sprintf(l.ServedNotBy, strings.Join(e.NotServedBy, ", "))
	}
	return l.Served
}

func (rep Report) alertIn(l labels, a AlertEntry) string {
	parts := []string{strings.ToLower(strings.ReplaceAll(a.Effect, "_", " "))}
	if len(a.Lines) > 0 {
		parts = append(parts, strings.Join(a.Lines, ", "))
	}
	if !a.Active && !a.From.IsZero() {
		parts = append(parts, fmt.Sprintf(l.From, rep.whenNumeric(a.From)))
	}
	if a.Until.IsZero() {
		parts = append(parts, l.UntilFurther)
	} else {
		parts = append(parts, fmt.Sprintf(l.Until, rep.whenNumeric(a.Until)))
	}
	return a.ID + ": " + strings.Join(parts, ", ")
}
