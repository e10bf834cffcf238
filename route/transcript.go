package route

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteTranscript writes the report for a terminal: a heading, the stops
// not served, then one block per stop, in order, each starting with the
// stop's name.
func (rep Report) WriteTranscript(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Route check: %s, at %s\n", rep.Route, rep.when(rep.At))
	fmt.Fprintf(&b, "Documents: %s\n", rep.Source)
	if missing := rep.NotServed(); len(missing) > 0 {
		var names []string
		for _, e := range missing {
			names = append(names, fmt.Sprintf("%s (stop %d)", e.Name, e.Position))
		}
		fmt.Fprintf(&b, "Not served: %s\n", strings.Join(names, ", "))
	} else {
		b.WriteString("Every stop is served.\n")
	}
	for _, e := range rep.Stops {
		b.WriteString("\n")
		rep.writeEntry(&b, e)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteEntry writes one stop's block, as in the transcript.
func (rep Report) WriteEntry(w io.Writer, e Entry) error {
	var b strings.Builder
	rep.writeEntry(&b, e)
	_, err := io.WriteString(w, b.String())
	return err
}

func (rep Report) writeEntry(b *strings.Builder, e Entry) {
	fmt.Fprintf(b, "%s (stop %d of %d, %s)\n", e.Name, e.Position, len(rep.Stops), e.Stop)
	en := labelsFor("en")
	fmt.Fprintf(b, "  %s\n", rep.serviceIn(en, e))
	for _, a := range e.Alerts {
		fmt.Fprintf(b, "  alert %s\n", rep.alertIn(en, a))
	}
	for _, lang := range rep.Languages {
		for i, parts := range e.Says[lang] {
			label := lang
			if i > 0 {
				label += ", press again"
			}
			fmt.Fprintf(b, "  %s: %s\n", label, strings.Join(parts, " "))
		}
	}
	if e.Note != "" {
		fmt.Fprintf(b, "  note: %s\n", e.Note)
	}
	if e.Walk != "" {
		fmt.Fprintf(b, "  then walk: %s\n", e.Walk)
	}
}

// when is a time as an instructor reads it, in the report's zone.
func (rep Report) when(t time.Time) string { return rep.local(t).Format("Mon 2 Jan 2006 15:04 MST") }

// whenNumeric is a time in digits, the same in every language.
func (rep Report) whenNumeric(t time.Time) string { return rep.local(t).Format("2006-01-02 15:04 MST") }

func (rep Report) local(t time.Time) time.Time {
	if rep.loc == nil {
		return t.UTC()
	}
	return t.In(rep.loc)
}
