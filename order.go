package halte

import (
	"slices"
	"time"
)

// stopServiceEffects are the effects on a stop's own service: travelers at
// the stop must hear them before anything about other stops or a line.
var stopServiceEffects = []Effect{NoService, StopMoved, AccessibilityIssue}

// Order sorts alert items for the traveler at the stop, in place: first the
// alerts about this stop's own service (it is not served, moved, or less
// accessible), then the others that name this stop, then those that reach
// it through a line or the network; within each, the most severe first,
// then the earliest start, then by id.
func Order(items []Item, now time.Time) {
	slices.SortStableFunc(items, func(a, b Item) int {
		if ra, rb := closeness(a), closeness(b); ra != rb {
			return ra - rb
		}
		if sa, sb := a.Alert.Severity.Rank(), b.Alert.Severity.Rank(); sa != sb {
			return sb - sa
		}
		if c := startAt(a.Alert, now).Compare(startAt(b.Alert, now)); c != 0 {
			return c
		}
		switch {
		case a.Alert.ID < b.Alert.ID:
			return -1
		case a.Alert.ID > b.Alert.ID:
			return 1
		}
		return 0
	})
}

// closeness is 0 for an alert on the stop's own service, 1 for another that
// names the stop, 2 for one that reaches it through a line.
func closeness(it Item) int {
	if !slices.Contains(it.Alert.Stops, it.Stop) {
		return 2
	}
	if slices.Contains(stopServiceEffects, it.Alert.Effect) {
		return 0
	}
	return 1
}

// startAt is the start of the period in force at now (zero: since ever).
func startAt(a Alert, now time.Time) time.Time {
	for _, p := range a.Periods {
		if p.Contains(now) {
			return p.Start
		}
	}
	return time.Time{}
}
