package halte_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/halte-transit/halte"
)

// sim drives a Policy with a fake clock, as the agent would.
type sim struct {
	t    *testing.T
	p    *halte.Policy
	now  time.Time
	docs map[string]halte.StopState
	ver  uint64
	seq  uint64 // the utterance playing, as the speaker would report it
}

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) // a Tuesday

func newSim(t *testing.T, r halte.Rules) *sim {
	return &sim{t: t, p: halte.NewPolicy(r, t0, t0), now: t0, docs: map[string]halte.StopState{}}
}

func (s *sim) step(ev halte.Event) []halte.Action {
	ev.At = s.now
	if ev.Kind == halte.Playing || ev.Kind == halte.Finished {
		ev.Seq = s.seq
	}
	acts := s.p.Step(s.docs, ev)
	for _, a := range acts {
		if a.Kind == halte.Say {
			s.seq = a.Utterance.Seq
		}
	}
	return acts
}

// set stores the alerts as the stop's new document.
func (s *sim) set(alerts ...halte.Alert) []halte.Action {
	s.ver++
	s.docs["s1"] = halte.StopState{Stop: "s1", Version: s.ver, IssuedAt: s.now, Alerts: alerts}
	return s.step(halte.Event{Kind: halte.Contact})
}

// advance moves the clock by d, ticking at every wake-up on the way, and
// returns every action taken.
func (s *sim) advance(d time.Duration) []halte.Action {
	end := s.now.Add(d)
	var acts []halte.Action
	for w := s.p.Wake(); !w.IsZero() && !w.After(end); w = s.p.Wake() {
		s.now = w
		acts = append(acts, s.step(halte.Event{Kind: halte.Tick})...)
	}
	s.now = end
	return append(acts, s.step(halte.Event{Kind: halte.Tick})...)
}

func (s *sim) press(g halte.Gesture) []halte.Action {
	return s.step(halte.Event{Kind: halte.Press, Gesture: g})
}

func (s *sim) finished() []halte.Action { return s.step(halte.Event{Kind: halte.Finished}) }

func says(acts []halte.Action) []halte.Utterance {
	var out []halte.Utterance
	for _, a := range acts {
		if a.Kind == halte.Say {
			out = append(out, a.Utterance)
		}
	}
	return out
}

func has(acts []halte.Action, k halte.ActionKind) bool {
	for _, a := range acts {
		if a.Kind == k {
			return true
		}
	}
	return false
}

// shape writes an utterance's items compactly: "chime summary(2) a:x a:y".
func shape(u halte.Utterance) string {
	out := ""
	for i, it := range u.Items {
		if i > 0 {
			out += " "
		}
		switch it.Kind {
		case halte.ItemChime:
			out += "chime"
		case halte.ItemStale:
			out += "stale"
		case halte.ItemSummary:
			out += fmt.Sprintf("summary(%d)", it.Count)
		case halte.ItemAlert:
			out += "a:" + it.Alert.ID
		case halte.ItemUpcoming:
			out += "soon:" + it.Alert.ID
		case halte.ItemNone:
			out += "none"
		case halte.ItemLanguageName:
			out += "lang"
		case halte.ItemStopName:
			out += "name"
		case halte.ItemMore:
			out += fmt.Sprintf("more(%d)", it.Count)
		}
	}
	return out
}

func one(t *testing.T, acts []halte.Action) halte.Utterance {
	t.Helper()
	u := says(acts)
	if len(u) != 1 {
		t.Fatalf("want one utterance, got %d: %+v", len(u), acts)
	}
	return u[0]
}

func none(t *testing.T, acts []halte.Action, why string) {
	t.Helper()
	if u := says(acts); len(u) != 0 {
		t.Fatalf("%s: said %q", why, shape(u[0]))
	}
}

func al(id string, sev halte.Severity) halte.Alert {
	return halte.Alert{ID: id, Version: 1, Effect: halte.Detour, Severity: sev, Stops: []string{"s1"},
		Header: halte.Text{"nl": "Omleiding " + id}}
}

func during(a halte.Alert, from, to time.Time) halte.Alert {
	a.Periods = []halte.Period{{Start: from, End: to}}
	return a
}

var rules = halte.Rules{Languages: []string{"nl", "fr", "en"}, Coalesce: time.Second, MinGap: time.Minute,
	RepeatEvery: 10 * time.Minute, StaleAfter: 24 * time.Hour}

func TestOnDemand(t *testing.T) {
	s := newSim(t, rules)
	s.set()
	t.Run("no alert: an honest answer with the last update", func(t *testing.T) {
		if acts := s.step(halte.Event{Kind: halte.Touch}); len(acts) != 1 || acts[0].Kind != halte.Acknowledge {
			t.Fatalf("the touch is not acknowledged at once: %+v", acts)
		}
		acts := s.press(halte.Single)
		u := one(t, acts)
		if has(acts, halte.Acknowledge) {
			t.Fatalf("the gesture is acknowledged again: %+v", acts)
		}
		if shape(u) != "none" || !u.Items[0].Since.Equal(t0) || u.Priority != halte.PriorityTraveler || u.Trigger != halte.TriggerButton {
			t.Fatalf("got %q %+v", shape(u), u)
		}
		s.finished()
	})
	s.set(al("warn", halte.Warning), al("sev", halte.Severe), al("info", halte.Info))
	s.advance(time.Hour) // let the automatic announcement pass
	s.finished()
	s.set(al("warn", halte.Warning), al("sev", halte.Severe), al("info", halte.Info))
	t.Run("summary first, most severe first", func(t *testing.T) {
		u := one(t, s.press(halte.Single))
		if shape(u) != "summary(3) a:sev a:warn a:info" {
			t.Fatalf("got %q", shape(u))
		}
	})
	t.Run("a press during the answer skips to the next alert", func(t *testing.T) {
		s.step(halte.Event{Kind: halte.Playing, Index: 1})
		acts := s.press(halte.Single)
		if !has(acts, halte.Skip) || has(acts, halte.Say) {
			t.Fatalf("got %+v", acts)
		}
	})
	t.Run("two presses: the part heard last, slower", func(t *testing.T) {
		s.step(halte.Event{Kind: halte.Playing, Index: 2})
		u := one(t, s.press(halte.Double))
		if shape(u) != "a:warn" || !u.Slow {
			t.Fatalf("got %q slow=%v", shape(u), u.Slow)
		}
		s.finished()
	})
	t.Run("a long press: the next language, named in itself, for a while", func(t *testing.T) {
		u := one(t, s.press(halte.Long))
		if shape(u) != "lang" || u.Lang != "fr" {
			t.Fatalf("got %q in %s", shape(u), u.Lang)
		}
		s.finished()
		if u := one(t, s.press(halte.Single)); u.Lang != "fr" {
			t.Fatalf("answer in %s, want fr", u.Lang)
		}
		s.finished()
		s.now = s.now.Add(3 * time.Minute)
		s.step(halte.Event{Kind: halte.Contact})
		if u := one(t, s.press(halte.Single)); u.Lang != "nl" {
			t.Fatalf("after the hold, answer in %s, want nl again", u.Lang)
		}
	})
}

func TestAutomaticAnnouncements(t *testing.T) {
	t.Run("a new alert: chime, then the alert, after the burst window", func(t *testing.T) {
		s := newSim(t, rules)
		s.set()
		none(t, s.set(al("a", halte.Warning)), "within the burst window")
		u := one(t, s.advance(2*time.Second))
		if shape(u) != "chime a:a" || u.Trigger != halte.TriggerNew || u.Priority != halte.PriorityAutomatic {
			t.Fatalf("got %q %s", shape(u), u.Trigger)
		}
		s.finished()
		bumped := al("a", halte.Warning)
		bumped.Version = 2
		s.set(bumped)
		none(t, s.advance(2*time.Minute), "a mere version bump")
		changed := bumped
		changed.Effect = halte.NoService
		s.set(changed)
		if u := one(t, s.advance(2*time.Second)); u.Trigger != halte.TriggerChanged {
			t.Fatalf("material change announced as %s", u.Trigger)
		}
	})
	t.Run("a burst of 50 changes in a second is one summary", func(t *testing.T) {
		s := newSim(t, rules)
		s.set()
		var acts []halte.Action
		var alerts []halte.Alert
		for i := range 50 {
			alerts = append(alerts, al(fmt.Sprintf("b%02d", i), halte.Warning))
			s.now = s.now.Add(20 * time.Millisecond)
			acts = append(acts, s.set(alerts...)...)
		}
		acts = append(acts, s.advance(5*time.Second)...)
		u := one(t, acts)
		if len(u.Items) != 52 || u.Items[0].Kind != halte.ItemChime || u.Items[1].Count != 50 {
			t.Fatalf("got %d items starting %q", len(u.Items), shape(halte.Utterance{Items: u.Items[:2]}))
		}
	})
	t.Run("never two automatic announcements closer than the gap", func(t *testing.T) {
		s := newSim(t, rules)
		s.set()
		s.set(al("a", halte.Warning))
		first := one(t, s.advance(2*time.Second))
		s.finished()
		s.now = s.now.Add(10 * time.Second)
		s.set(al("a", halte.Warning), al("b", halte.Warning))
		none(t, s.advance(30*time.Second), "inside the minimum gap")
		second := one(t, s.advance(time.Minute))
		if shape(second) != "chime a:b" || s.now.Sub(t0) < time.Minute+2*time.Second {
			t.Fatalf("second announcement %q at %s after %q", shape(second), s.now.Sub(t0), shape(first))
		}
	})
	t.Run("repeats while active; a repeat due during a traveler's answer waits", func(t *testing.T) {
		s := newSim(t, rules)
		s.set()
		s.set(al("a", halte.Warning))
		s.advance(2 * time.Second)
		s.finished()
		s.advance(9 * time.Minute)
		u := one(t, s.press(halte.Single)) // the traveler asks just before the repeat is due
		if u.Priority != halte.PriorityTraveler {
			t.Fatal("not the traveler's answer")
		}
		none(t, s.advance(2*time.Minute), "a repeat during the traveler's answer")
		r := one(t, s.finished())
		if r.Trigger != halte.TriggerRepeat || shape(r) != "chime summary(1) a:a" {
			t.Fatalf("after the answer: %q %s", shape(r), r.Trigger)
		}
	})
	t.Run("a severe change cuts a repeat but not a traveler's answer", func(t *testing.T) {
		s := newSim(t, rules)
		s.set()
		s.set(al("a", halte.Warning))
		s.advance(2 * time.Second)
		s.finished()
		if r := one(t, s.advance(10*time.Minute)); r.Trigger != halte.TriggerRepeat {
			t.Fatalf("want a repeat, got %s", r.Trigger)
		}
		s.now = s.now.Add(2 * time.Minute) // still speaking the repeat
		s.set(al("a", halte.Warning), al("sev", halte.Severe))
		if u := one(t, s.advance(2*time.Second)); u.Priority != halte.PrioritySevere {
			t.Fatalf("severe change did not cut the repeat: %+v", u)
		}
		s.finished()
		s.now = s.now.Add(5 * time.Minute)
		one(t, s.press(halte.Single))
		s.set(al("a", halte.Warning), al("sev", halte.Severe), al("sev2", halte.Severe))
		none(t, s.advance(2*time.Minute), "a severe change during the traveler's answer")
		if u := one(t, s.finished()); shape(u) != "chime a:sev2" {
			t.Fatalf("after the answer: %q", shape(u))
		}
	})
	t.Run("an alert that is ending is not news", func(t *testing.T) {
		s := newSim(t, rules)
		s.set()
		s.set(during(al("a", halte.Warning), t0.Add(-time.Hour), t0.Add(time.Minute)))
		none(t, s.advance(5*time.Second), "an alert ending in a minute")
	})
	t.Run("the first announcement after start says so", func(t *testing.T) {
		s := newSim(t, rules)
		s.docs["s1"] = halte.StopState{Stop: "s1", Version: 1, IssuedAt: t0, Alerts: []halte.Alert{al("a", halte.Warning)}}
		s.step(halte.Event{Kind: halte.Tick}) // the agent's first step, once it is ready
		if u := one(t, s.advance(2*time.Second)); u.Trigger != halte.TriggerStart {
			t.Fatalf("trigger %s", u.Trigger)
		}
	})
}

func TestQuietHoursAcrossMidnight(t *testing.T) {
	r := rules
	r.Location = time.UTC
	r.Volume = halte.VolumeSchedule{Day: 0.9, Quiet: []halte.QuietHours{
		{From: halte.Clock{Hour: 22}, To: halte.Clock{Hour: 6}, Silent: true},
		{From: halte.Clock{Hour: 20}, To: halte.Clock{Hour: 22}, Volume: 0.4},
	}}
	s := newSim(t, r)
	s.set()
	at := func(h, m int) { s.now = time.Date(2026, 12, 1, h, m, 0, 0, time.UTC) }

	at(21, 0)
	s.set(al("evening", halte.Warning))
	if u := one(t, s.advance(2*time.Second)); u.Volume != 0.4 {
		t.Fatalf("evening volume %v, want 0.4", u.Volume)
	}
	s.finished()
	at(23, 30)
	s.set(al("evening", halte.Warning), al("night", halte.Severe))
	none(t, s.advance(2*time.Second), "at 23:30 in silent quiet hours")
	u := one(t, s.press(halte.Single))
	if u.Volume != 0.9 {
		t.Fatalf("a press at night answered at %v, want the day volume 0.9", u.Volume)
	}
	s.finished()
	s.now = time.Date(2026, 12, 2, 5, 59, 0, 0, time.UTC)
	s.set(al("evening", halte.Warning), al("night", halte.Severe), al("dawn", halte.Warning))
	none(t, s.advance(2*time.Second), "at 05:59, after midnight")
	s.now = time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	s.set(al("evening", halte.Warning), al("night", halte.Severe), al("dawn", halte.Warning), al("day", halte.Warning))
	if u := one(t, s.advance(2*time.Second)); shape(u) != "chime a:day" || u.Volume != 0.9 {
		t.Fatalf("at 06:00: %q at %v", shape(u), u.Volume)
	}
}

func TestStaleness(t *testing.T) {
	r := rules
	r.StaleAfter = 5 * time.Minute
	s := newSim(t, r)
	s.set(al("a", halte.Warning))
	s.advance(2 * time.Second)
	s.finished()
	acts := s.advance(6 * time.Minute) // no word from the hub
	var sig *halte.Signal
	for _, a := range acts {
		if a.Kind == halte.SetSignal {
			sig = &a.Signal
		}
	}
	if sig == nil || !sig.Stale || sig.Alerts != 1 {
		t.Fatalf("no stale signal: %+v", acts)
	}
	u := one(t, s.press(halte.Single))
	if shape(u) != "stale summary(1) a:a" || !u.Items[0].Since.Equal(t0) {
		t.Fatalf("got %q since %s", shape(u), u.Items[0].Since)
	}
	s.finished()
	acts = s.step(halte.Event{Kind: halte.Contact})
	if len(acts) != 1 || acts[0].Kind != halte.SetSignal || acts[0].Signal.Stale {
		t.Fatalf("contact did not clear the stale signal: %+v", acts)
	}
	if u := one(t, s.press(halte.Single)); shape(u) != "summary(1) a:a" {
		t.Fatalf("after contact: %q", shape(u))
	}
}

func TestExpiryAndFutureByTheDeviceClock(t *testing.T) {
	r := rules
	r.StaleAfter = 48 * time.Hour
	s := newSim(t, r)
	s.set(during(al("today", halte.Warning), t0.Add(-time.Hour), t0.Add(time.Hour)),
		during(al("tomorrow", halte.Warning), t0.Add(20*time.Hour), t0.Add(30*time.Hour)))
	s.advance(2 * time.Second)
	s.finished()
	if u := one(t, s.press(halte.Single)); shape(u) != "summary(1) a:today soon:tomorrow" {
		t.Fatalf("got %q", shape(u))
	}
	s.finished()
	// Offline: no more documents, only the clock.
	s.advance(2 * time.Hour)
	s.finished()
	if u := one(t, s.press(halte.Single)); shape(u) != "none soon:tomorrow" {
		t.Fatalf("after the end: %q", shape(u))
	}
	s.finished()
	acts := s.advance(20 * time.Hour)
	var started []halte.Utterance
	for _, u := range says(acts) {
		if u.Trigger == halte.TriggerNew {
			started = append(started, u)
		}
	}
	if len(started) != 1 || shape(started[0]) != "chime a:tomorrow" {
		t.Fatalf("the future alert at its start: %+v", started)
	}
}

// TestRemoteTriggerIsRateLimited: an instructor's remote trigger is
// answered at most once per gap, and waits for a traveler's answer to end.
func TestRemoteTriggerIsRateLimited(t *testing.T) {
	s := newSim(t, rules)
	s.set(al("a", halte.Warning))
	s.advance(2 * time.Second)
	s.finished()
	if u := one(t, s.step(halte.Event{Kind: halte.RemoteTrigger})); u.Trigger != halte.TriggerRemote {
		t.Fatalf("trigger %s", u.Trigger)
	}
	s.finished()
	s.now = s.now.Add(time.Second)
	none(t, s.step(halte.Event{Kind: halte.RemoteTrigger}), "a second remote trigger within the gap")
	s.now = s.now.Add(10 * time.Second)
	one(t, s.step(halte.Event{Kind: halte.RemoteTrigger}))
	one(t, s.press(halte.Single)) // a traveler cuts it
	s.now = s.now.Add(10 * time.Second)
	none(t, s.step(halte.Event{Kind: halte.RemoteTrigger}), "a remote trigger during a traveler's answer")
	if u := one(t, s.finished()); u.Trigger != halte.TriggerRemote {
		t.Fatalf("after the traveler's answer: %s", u.Trigger)
	}
}

// TestStartUpHold: at start, what the device knew is announced only once
// the hold ends (the broker synced, or the wait passed); a press is
// answered at once all the same.
func TestStartUpHold(t *testing.T) {
	s := newSim(t, rules)
	s.p.Hold(t0.Add(3 * time.Second))
	s.docs["s1"] = halte.StopState{Stop: "s1", Version: 1, IssuedAt: t0, Alerts: []halte.Alert{al("a", halte.Warning)}}
	s.step(halte.Event{Kind: halte.Tick})
	none(t, s.advance(2*time.Second), "during the hold")
	if u := one(t, s.press(halte.Single)); shape(u) != "summary(1) a:a" {
		t.Fatalf("a press during the hold: %q", shape(u))
	}
	s.finished()
	if u := one(t, s.step(halte.Event{Kind: halte.Synced})); u.Trigger != halte.TriggerStart {
		t.Fatalf("after the sync: %s", u.Trigger)
	}

	offline := newSim(t, rules)
	offline.p.Hold(t0.Add(3 * time.Second))
	offline.docs["s1"] = halte.StopState{Stop: "s1", Version: 1, IssuedAt: t0, Alerts: []halte.Alert{al("a", halte.Warning)}}
	offline.step(halte.Event{Kind: halte.Tick})
	if u := one(t, offline.advance(4*time.Second)); u.Trigger != halte.TriggerStart {
		t.Fatalf("without a broker, after the hold: %s", u.Trigger)
	}
}
