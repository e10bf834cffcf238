package halte_test

import (
	"testing"
	"time"

	"github.com/halte-transit/halte"
)

// TestWallClockJumps: the device's clock jumps forward and back by hours.
// Expiry and staleness follow the device's clock: an alert whose period has
// ended by it is not spoken, nor announced again, and the information is
// said to be possibly out of date; back in its period, the alert is in
// force again.
func TestWallClockJumps(t *testing.T) {
	r := rules
	r.StaleAfter = time.Hour
	s := newSim(t, r)
	start := s.now
	works := during(al("works", halte.Warning), start.Add(-time.Hour), start.Add(2*time.Hour))
	s.set(works)
	s.advance(5 * time.Second)
	s.finished()

	s.now = start.Add(5 * time.Hour) // forward: the works have ended by the device's clock
	acts := s.step(halte.Event{Kind: halte.Tick})
	none(t, acts, "the clock jumped past the alert's end")
	u := one(t, s.press(halte.Single))
	if got := shape(u); got != "stale none" {
		t.Fatalf("after the jump forward a press said %s, want the notice and no disruptions", got)
	}
	s.finished()
	s.advance(30 * time.Minute)
	for _, u := range says(s.advance(time.Hour)) {
		for _, it := range u.Items {
			if it.Kind == halte.ItemAlert {
				t.Fatalf("the ended alert was announced by itself: %s", shape(u))
			}
		}
	}

	s.now = start.Add(time.Hour) // back: inside the period again
	s.step(halte.Event{Kind: halte.Tick})
	u = one(t, s.press(halte.Single))
	if got := shape(u); got != "summary(1) a:works" {
		t.Fatalf("after the jump back a press said %s, want the alert in force again", got)
	}
}
