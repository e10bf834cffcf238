package halte_test

import (
	"errors"
	"testing"
	"time"

	"github.com/halte-transit/halte"
)

func TestFreshness(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ms := uint64(now.UnixMilli())
	cases := []struct {
		name string
		err  error
		want bool // refused as future
	}{
		{"issued now, clock-based version", halte.StopState{IssuedAt: now, Version: ms}.CheckFresh(now), false},
		{"small version", halte.StopState{IssuedAt: now, Version: 7}.CheckFresh(now), false},
		{"issued 4 minutes ahead (skew)", halte.StopState{IssuedAt: now.Add(4 * time.Minute), Version: 1}.CheckFresh(now), false},
		{"issued an hour ahead", halte.StopState{IssuedAt: now.Add(time.Hour), Version: 1}.CheckFresh(now), true},
		{"version a day ahead of its issue time", halte.StopState{IssuedAt: now, Version: ms + uint64(24*time.Hour/time.Millisecond)}.CheckFresh(now), true},
		{"the largest version", halte.StopState{IssuedAt: now, Version: ^uint64(0)}.CheckFresh(now), true},
		{"operator alert, clock-based version", halte.Alert{Version: ms + 1000}.CheckFresh(now), false},
		{"operator alert from next year", halte.Alert{Version: ms + uint64(365*24*time.Hour/time.Millisecond)}.CheckFresh(now), true},
	}
	for _, c := range cases {
		var ie *halte.InputError
		refused := errors.As(c.err, &ie) && ie.Reason == halte.ReasonFuture
		if refused != c.want {
			t.Errorf("%s: got %v, want refused=%v", c.name, c.err, c.want)
		}
	}
}
