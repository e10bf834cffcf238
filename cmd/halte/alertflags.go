//go:build !device

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/halte-transit/halte"
)

// alertFlags are the flags that describe an alert, shared by "alert
// publish" and "say": either -f FILE, or the fields one by one.
type alertFlags struct {
	file                        string
	a                           halte.Alert
	effect, severity            string
	stops, lines                listFlag
	header, description, advice textFlag
	from, until                 timeFlag
}

func (f *alertFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.file, "f", "", "read the alert from this JSON `file` (schema/v1/alert.schema.json) instead of flags")
	fs.StringVar(&f.effect, "effect", "", "what happens: NO_SERVICE, DETOUR, STOP_MOVED, REDUCED_SERVICE, SIGNIFICANT_DELAYS, ACCESSIBILITY_ISSUE... (any case)")
	fs.StringVar(&f.severity, "severity", "", "INFO, WARNING or SEVERE")
	fs.StringVar(&f.a.ID, "id", "", "the alert's `id`, unique and stable; publishing the same id again updates it")
	fs.Uint64Var(&f.a.Version, "version", 0, "the alert's version; 0 means the time now in milliseconds, so that it grows")
	fs.Var(&f.stops, "stop", "a stop `id` (GTFS stop_id) concerned; repeatable")
	fs.Var(&f.lines, "line", "a line (GTFS route_id) concerned; repeatable")
	fs.Var(&f.header, "text", "what to tell travelers, as `LANG=TEXT`; repeatable, one per language")
	fs.Var(&f.description, "description", "more detail, as LANG=TEXT; repeatable")
	fs.Var(&f.advice, "advice", "the alternative, as LANG=TEXT; repeatable")
	fs.Var(&f.from, "from", "start of the disruption, RFC 3339 (default: now)")
	fs.Var(&f.until, "until", "end of the disruption, RFC 3339 (default: until cancelled)")
	fs.StringVar(&f.a.Source, "source", "operator", "who publishes it")
}

// alert builds the alert from the file or the flags, and checks it with the
// hub's own decoder: what passes here passes there.
func (f *alertFlags) alert() (halte.Alert, error) {
	a := f.a
	if f.file != "" {
		raw, err := os.ReadFile(f.file)
		if err != nil {
			return halte.Alert{}, err
		}
		if a, err = halte.ParseAlert(raw); err != nil {
			return halte.Alert{}, fmt.Errorf("%s: %w", f.file, err)
		}
	} else {
		a.Effect, a.Severity = halte.Effect(f.effect), halte.Severity(f.severity)
		a.Stops = f.stops
		for _, l := range f.lines {
			a.Lines = append(a.Lines, halte.Line{ID: l})
		}
		a.Header, a.Description, a.Advice = halte.Text(f.header), halte.Text(f.description), halte.Text(f.advice)
		if !f.from.IsZero() || !f.until.IsZero() {
			a.Periods = []halte.Period{{Start: f.from.Time, End: f.until.Time}}
		}
	}
	if a.Version == 0 {
		a.Version = uint64(time.Now().UnixMilli())
	}
	payload, err := json.Marshal(a)
	if err != nil {
		return halte.Alert{}, err
	}
	return halte.DecodeAlert(payload)
}
