package halte

import (
	"fmt"
	"time"
)

// MaxSkew is how far ahead of the receiver's clock a document may say it
// was issued.
const MaxSkew = 5 * time.Minute

// MaxVersionLead is how far a version, read as milliseconds since the
// epoch (as the hub and the operator CLI make them), may run ahead of the
// time it was issued. A larger one would block every later version.
const MaxVersionLead = time.Hour

// CheckFresh refuses a stop document issued in the future, or whose version
// runs too far ahead of its issue time. The error is an *InputError with
// ReasonFuture.
func (s StopState) CheckFresh(now time.Time) error {
	if s.IssuedAt.After(now.Add(MaxSkew)) {
		return &InputError{Reason: ReasonFuture, Field: "issued_at",
			Problem: fmt.Sprintf("issued at %s, more than %s after this device's clock (%s)", s.IssuedAt.UTC().Format(time.RFC3339), MaxSkew, now.UTC().Format(time.RFC3339))}
	}
	if lead := versionLead(s.Version, s.IssuedAt); lead > MaxVersionLead {
		return &InputError{Reason: ReasonFuture, Field: "version",
			Problem: fmt.Sprintf("version %d runs %s ahead of the issue time", s.Version, lead.Round(time.Minute))}
	}
	return nil
}

// CheckFresh refuses an operator alert whose version runs too far ahead of
// now.
func (a Alert) CheckFresh(now time.Time) error {
	if lead := versionLead(a.Version, now); lead > MaxVersionLead {
		return &InputError{Reason: ReasonFuture, Field: "version",
			Problem: fmt.Sprintf("version %d runs %s ahead of the hub's clock", a.Version, lead.Round(time.Minute))}
	}
	return nil
}

func versionLead(version uint64, t time.Time) time.Duration {
	ms := t.UnixMilli()
	if ms < 0 || version <= uint64(ms) {
		return 0
	}
	diff := version - uint64(ms)
	if diff > uint64(1<<62)/uint64(time.Millisecond) {
		return 1 << 62
	}
	return time.Duration(diff) * time.Millisecond
}
