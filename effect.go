package halte

import (
	"fmt"
	"strings"
)

// Effect is what a disruption does to the service at a stop, named as in the
// GTFS-Realtime Alert message.
type Effect string

// The effects of GTFS-Realtime, in its spelling.
const (
	NoService          Effect = "NO_SERVICE"
	ReducedService     Effect = "REDUCED_SERVICE"
	SignificantDelays  Effect = "SIGNIFICANT_DELAYS"
	Detour             Effect = "DETOUR"
	AdditionalService  Effect = "ADDITIONAL_SERVICE"
	ModifiedService    Effect = "MODIFIED_SERVICE"
	OtherEffect        Effect = "OTHER_EFFECT"
	UnknownEffect      Effect = "UNKNOWN_EFFECT"
	StopMoved          Effect = "STOP_MOVED"
	NoEffect           Effect = "NO_EFFECT"
	AccessibilityIssue Effect = "ACCESSIBILITY_ISSUE"
)

// Effects lists every valid Effect, in GTFS-Realtime's order.
var Effects = []Effect{
	NoService, ReducedService, SignificantDelays, Detour, AdditionalService,
	ModifiedService, OtherEffect, UnknownEffect, StopMoved, NoEffect, AccessibilityIssue,
}

// ParseEffect reads an effect name in any case ("detour", "No_Service").
func ParseEffect(s string) (Effect, error) {
	e := Effect(strings.ToUpper(strings.TrimSpace(s)))
	for _, known := range Effects {
		if e == known {
			return e, nil
		}
	}
	return "", fmt.Errorf("unknown effect %q (want one of %s)", s, joinNames(Effects))
}

// Severity is how much an alert matters to a traveler, as GTFS-Realtime's
// severity_level. The zero value means UNKNOWN_SEVERITY.
type Severity string

// The severities of GTFS-Realtime, least to most severe.
const (
	UnknownSeverity Severity = "UNKNOWN_SEVERITY"
	Info            Severity = "INFO"
	Warning         Severity = "WARNING"
	Severe          Severity = "SEVERE"
)

// Severities lists every valid Severity, least severe first.
var Severities = []Severity{UnknownSeverity, Info, Warning, Severe}

// ParseSeverity reads a severity name in any case; "" is UNKNOWN_SEVERITY.
func ParseSeverity(s string) (Severity, error) {
	if strings.TrimSpace(s) == "" {
		return UnknownSeverity, nil
	}
	v := Severity(strings.ToUpper(strings.TrimSpace(s)))
	for _, known := range Severities {
		if v == known {
			return v, nil
		}
	}
	return "", fmt.Errorf("unknown severity %q (want one of %s)", s, joinNames(Severities))
}

// Rank orders severities: a larger rank is more severe.
func (s Severity) Rank() int {
	for i, known := range Severities {
		if s == known {
			return i
		}
	}
	return 0
}

func joinNames[T ~string](names []T) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = string(n)
	}
	return strings.Join(parts, ", ")
}
