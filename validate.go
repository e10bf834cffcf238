package halte

import (
	"fmt"
	"strings"
	"unicode"
)

// maxIDLength bounds ids, which become parts of MQTT topics.
const maxIDLength = 128

// Validate checks an operator's alert or cancel document: it must have an id
// and a version, and, unless it is a cancel document, a known effect and at
// least one stop or line. The error is an *InputError naming the field.
func (a Alert) Validate() error {
	return a.validate("")
}

// Validate checks a stop's state document and every alert in it.
func (s StopState) Validate() error {
	if err := checkID("stop", s.Stop); err != nil {
		return err
	}
	if s.Version == 0 {
		return invalid("version", "missing or zero; a stop document's version starts at 1")
	}
	if s.IssuedAt.IsZero() {
		return invalid("issued_at", "missing; want the time the document was made (RFC 3339)")
	}
	seen := make(map[string]bool, len(s.Alerts))
	for i, a := range s.Alerts {
		prefix := fmt.Sprintf("alerts[%d].", i)
		if a.Cancelled {
			return invalid(prefix+"cancelled", "a stop document lists only alerts in force")
		}
		if err := a.validate(prefix); err != nil {
			return err
		}
		if seen[a.ID] {
			return invalid(prefix+"id", "alert %q is listed twice", a.ID)
		}
		seen[a.ID] = true
	}
	return nil
}

// validate checks the alert; prefix is its JSON path in the document.
func (a Alert) validate(prefix string) error {
	if err := checkID(prefix+"id", a.ID); err != nil {
		return err
	}
	if a.Version == 0 {
		return invalid(prefix+"version", "missing or zero; an alert's version starts at 1")
	}
	if a.Cancelled {
		return nil
	}
	if a.Effect == "" {
		return invalid(prefix+"effect", "missing; want one of %s", joinNames(Effects))
	}
	if _, err := ParseEffect(string(a.Effect)); err != nil {
		return invalid(prefix+"effect", "%v", err)
	}
	if _, err := ParseSeverity(string(a.Severity)); err != nil {
		return invalid(prefix+"severity", "%v", err)
	}
	if len(a.Lines) == 0 && len(a.Stops) == 0 {
		return invalid(prefix+"stops", "the alert names no stop and no line, so it concerns no stop")
	}
	for i, l := range a.Lines {
		if err := checkID(fmt.Sprintf("%slines[%d].id", prefix, i), l.ID); err != nil {
			return err
		}
	}
	for i, s := range a.Stops {
		if err := checkID(fmt.Sprintf("%sstops[%d]", prefix, i), s); err != nil {
			return err
		}
	}
	for i, p := range a.Periods {
		if !p.Start.IsZero() && !p.End.IsZero() && !p.End.After(p.Start) {
			return invalid(fmt.Sprintf("%sactive_periods[%d].end", prefix, i), "ends at %s, not after its start %s",
				p.End.Format("2006-01-02T15:04Z07:00"), p.Start.Format("2006-01-02T15:04Z07:00"))
		}
	}
	for name, t := range map[string]Text{"header": a.Header, "description": a.Description, "tts": a.Speech, "advice": a.Advice, "url": a.URL} {
		for lang := range t {
			if !validLanguageTag(lang) {
				return invalid(prefix+name, "%q is not a language tag (want nl, fr, en, de, nl-BE...)", lang)
			}
		}
	}
	return nil
}

// normalize turns effect and severity names into their canonical spelling.
func (a *Alert) normalize(prefix string) error {
	if a.Effect != "" {
		e, err := ParseEffect(string(a.Effect))
		if err != nil {
			return invalid(prefix+"effect", "%v", err)
		}
		a.Effect = e
	}
	s, err := ParseSeverity(string(a.Severity))
	if err != nil {
		return invalid(prefix+"severity", "%v", err)
	}
	a.Severity = s
	return nil
}

// SafeID turns a feed's identifier into one that can stand as one level of
// an MQTT topic: / + # spaces and control characters become "_".
func SafeID(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '+' || r == '#' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, s)
}

// checkID accepts what can stand as one level of an MQTT topic.
func checkID(field, id string) error {
	switch {
	case id == "":
		return invalid(field, "missing or empty")
	case len(id) > maxIDLength:
		return invalid(field, "longer than %d bytes", maxIDLength)
	case strings.ContainsAny(id, "/+#"):
		return invalid(field, "%q holds one of / + #, which MQTT topics reserve", id)
	}
	for _, r := range id {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return invalid(field, "%q holds a space or control character", id)
		}
	}
	return nil
}

func validLanguageTag(tag string) bool {
	if len(tag) < 2 || len(tag) > 35 {
		return false
	}
	for _, r := range tag {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
