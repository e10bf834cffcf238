package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/halte-transit/halte"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// textFlag is a repeatable LANG=TEXT flag.
type textFlag halte.Text

func (t *textFlag) String() string { return "" }
func (t *textFlag) Set(s string) error {
	lang, text, ok := strings.Cut(s, "=")
	if !ok || lang == "" || text == "" {
		return fmt.Errorf("want LANG=TEXT, as in nl=\"Tram 1 rijdt niet\", got %q", s)
	}
	if *t == nil {
		*t = textFlag{}
	}
	(*t)[lang] = text
	return nil
}

// timeFlag is an RFC 3339 time.
type timeFlag struct{ time.Time }

func (t *timeFlag) String() string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
func (t *timeFlag) Set(s string) error {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time such as 2026-12-01T18:00:00+01:00, got %q", s)
	}
	t.Time = v
	return nil
}
