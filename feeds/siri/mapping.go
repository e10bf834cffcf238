package siri

import (
	"strings"

	"github.com/halte-transit/halte"
)

// severities maps SIRI's Severity to GTFS-Realtime's severity levels.
var severities = map[string]halte.Severity{
	"": halte.UnknownSeverity, "unknown": halte.UnknownSeverity, "undefined": halte.UnknownSeverity,
	"noImpact": halte.Info, "verySlight": halte.Info, "slight": halte.Info,
	"normal": halte.Warning,
	"severe": halte.Severe, "verySevere": halte.Severe,
}

// conditions maps SIRI's service conditions to effects (docs/ARCHITECTURE.md
// has this table for people).
var conditions = map[string]halte.Effect{
	"noService": halte.NoService, "stopCancelled": halte.NoService, "cancelled": halte.NoService,
	"tripCancellation": halte.NoService, "serviceWithdrawn": halte.NoService, "closed": halte.NoService,
	"diverted": halte.Detour, "routeDiversion": halte.Detour,
	"stopMoved": halte.StopMoved, "changeOfPlatform": halte.StopMoved,
	"delayed": halte.SignificantDelays, "delay": halte.SignificantDelays, "delaysExpected": halte.SignificantDelays,
	"reducedService": halte.ReducedService, "limitedOperation": halte.ReducedService, "intermittentService": halte.ReducedService,
	"additionalService": halte.AdditionalService, "extraService": halte.AdditionalService, "specialService": halte.AdditionalService,
	"altered": halte.ModifiedService, "alteredTimetable": halte.ModifiedService, "onNotice": halte.ModifiedService,
	"disruption": halte.OtherEffect, "unknown": halte.UnknownEffect,
	"normalService": halte.NoEffect, "disturbanceRectified": halte.NoEffect,
}

// effectOf reads the consequences: the first condition halte knows, else a
// suitability that a traveler with a visual or mobility need cannot use,
// else UNKNOWN_EFFECT. Conditions it does not know are noted as unmapped.
func effectOf(cs []consequence, unmapped []string) (halte.Effect, []string) {
	effect := halte.Effect("")
	for _, c := range cs {
		for _, cond := range c.Conditions {
			cond = strings.TrimSpace(cond)
			e, ok := conditions[cond]
			if !ok {
				unmapped = append(unmapped, "condition "+cond)
				e = halte.OtherEffect
			}
			if effect == "" || effect == halte.OtherEffect || effect == halte.UnknownEffect {
				effect = e
			}
		}
		for _, s := range c.Suitabilities {
			if strings.TrimSpace(s.Suitable) == "notSuitable" && effect == "" {
				effect = halte.AccessibilityIssue
			}
		}
	}
	if effect == "" {
		effect = halte.UnknownEffect
	}
	return effect, unmapped
}
