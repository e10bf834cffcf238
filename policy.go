package halte

import (
	"crypto/sha256"
	"encoding/json"
	"sort"
	"time"
)

// Policy decides what a stop device says and shows, and when: a pure state
// machine over (stored documents, the time, events). It owns no clock, no
// timer and no device: Step takes the time in each event and returns
// actions, and Wake says when it next needs a Tick. One goroutine drives it.
type Policy struct {
	rules Rules

	started     time.Time
	announced   map[string]map[string][32]byte // stop → alert → content announced (or passed over)
	pending     map[string]pendingAlert        // stop/alert → waiting to be announced
	firstChange time.Time                      // when the oldest pending change came
	lastAuto    time.Time                      // start of the last automatic announcement
	lastRepeat  time.Time                      // start of the last full automatic announcement
	lastRemote  time.Time
	remoteAsked bool // a remote trigger waits for the traveler's answer to end
	lastContact time.Time
	speaking    *Utterance
	item        int        // index of the item being said
	lastSaid    *Utterance // the last answer to a traveler, for "again, slower"
	lastItem    int        // the item of lastSaid said last
	lang        int        // index into rules.Languages
	langUntil   time.Time
	signal      Signal
	wake        time.Time
	seq         uint64
	scanned     bool      // the first scan finds what the device knew at start
	hold        time.Time // no automatic announcement before this
}

// Hold keeps automatic announcements back until t; a Synced event ends the
// hold early. A traveler's press is answered all the same.
func (p *Policy) Hold(t time.Time) { p.hold = t }

type pendingAlert struct {
	stop    string
	alert   Alert
	trigger Trigger
}

// NewPolicy starts a policy at now. lastContact is when the stored state was
// last heard from the hub (zero: never).
func NewPolicy(r Rules, now, lastContact time.Time) *Policy {
	return &Policy{
		rules:       r.withDefaults(),
		started:     now,
		lastContact: lastContact,
		announced:   map[string]map[string][32]byte{},
		pending:     map[string]pendingAlert{},
		signal:      Signal{Severity: UnknownSeverity},
	}
}

// Wake is when the policy next needs a Tick; zero means only on an event.
func (p *Policy) Wake() time.Time { return p.wake }

// Lang is the language answers are given in now.
func (p *Policy) Lang() string { return p.rules.Languages[p.lang] }

// Step takes one event with the documents held at its time, and returns
// what to do, in order.
func (p *Policy) Step(docs map[string]StopState, ev Event) []Action {
	now := ev.At
	var acts []Action
	if !p.langUntil.IsZero() && !now.Before(p.langUntil) {
		p.lang, p.langUntil = 0, time.Time{}
	}
	switch ev.Kind {
	case Contact:
		p.lastContact = now
	case Synced:
		p.hold = time.Time{}
	case Playing:
		if p.speaking != nil && p.speaking.Seq == ev.Seq {
			p.item = ev.Index
			if p.speaking == p.lastSaid {
				p.lastItem = ev.Index
			}
		}
	case Finished:
		if p.speaking != nil && p.speaking.Seq == ev.Seq {
			p.speaking = nil
		}
	case Touch:
		acts = append(acts, Action{Kind: Acknowledge})
	case Press:
		acts = append(acts, p.press(docs, ev.Gesture, now)...)
	case RemoteTrigger:
		if p.lastRemote.IsZero() || now.Sub(p.lastRemote) >= p.rules.RemoteGap {
			p.lastRemote, p.remoteAsked = now, true
		}
	}
	if p.remoteAsked && (p.speaking == nil || p.speaking.Priority < PriorityRemote) {
		p.remoteAsked = false
		acts = append(acts, p.say(p.answer(docs, now, TriggerRemote, PriorityRemote)))
	}
	p.scan(docs, now)
	acts = append(acts, p.flush(docs, now)...)
	if sig := p.signalAt(docs, now); sig != p.signal {
		p.signal = sig
		acts = append(acts, Action{Kind: SetSignal, Signal: sig})
	}
	p.wake = p.nextWake(docs, now)
	return acts
}

func (p *Policy) press(docs map[string]StopState, g Gesture, now time.Time) []Action {
	switch g {
	case Single:
		if p.speaking != nil && p.speaking.Priority == PriorityTraveler && p.speaking.Trigger == TriggerButton {
			return []Action{{Kind: Skip}}
		}
		return []Action{p.say(p.answer(docs, now, TriggerButton, PriorityTraveler))}
	case Double:
		u := p.answer(docs, now, TriggerSlower, PriorityTraveler)
		if p.lastSaid != nil && p.lastItem < len(p.lastSaid.Items) {
			u.Items = []Item{p.lastSaid.Items[p.lastItem]} // the part heard last
		}
		u.Slow = true
		return []Action{p.say(u)}
	case Long:
		p.lang = (p.lang + 1) % len(p.rules.Languages)
		p.langUntil = now.Add(p.rules.LanguageHold)
		u := Utterance{Items: []Item{{Kind: ItemLanguageName}}, Lang: p.Lang(), Trigger: TriggerLanguage,
			Priority: PriorityTraveler, Volume: p.rules.ButtonVolume}
		return []Action{p.say(u)}
	}
	return nil
}

// say records u as playing and returns the action.
func (p *Policy) say(u Utterance) Action {
	p.seq++
	u.Seq = p.seq
	p.speaking, p.item = &u, 0
	if u.Priority == PriorityTraveler && u.Trigger == TriggerButton {
		p.lastSaid, p.lastItem = &u, 0
	}
	return Action{Kind: Say, Utterance: u}
}

// answer is what the stop says when asked: a staleness notice if due, then
// the summary and each active alert, most severe first, then the alerts to
// come; or "no disruptions reported".
func (p *Policy) answer(docs map[string]StopState, now time.Time, t Trigger, prio Priority) Utterance {
	u := Utterance{Lang: p.Lang(), Trigger: t, Priority: prio, Volume: p.rules.ButtonVolume}
	if prio < PriorityTraveler {
		u.Volume, _ = p.rules.Volume.At(now.In(p.rules.Location))
	}
	if p.stale(now) {
		u.Items = append(u.Items, Item{Kind: ItemStale, Since: p.lastContact})
	}
	active := activeItems(docs, now)
	if len(active) == 0 {
		u.Items = append(u.Items, Item{Kind: ItemNone, Since: p.lastContact})
	} else {
		u.Items = append(u.Items, Item{Kind: ItemSummary, Count: len(active)})
		u.Items = append(u.Items, active...)
	}
	if p.rules.Upcoming > 0 {
		u.Items = append(u.Items, upcomingItems(docs, now, p.rules.Upcoming)...)
	}
	return u
}

// scan queues every alert that is active and not yet announced in its
// present form, and forgets alerts that are no longer active.
func (p *Policy) scan(docs map[string]StopState, now time.Time) {
	trigger := TriggerNew
	if !p.scanned {
		trigger, p.scanned = TriggerStart, true
	}
	for stop, doc := range docs {
		before := p.announced[stop]
		current := map[string][32]byte{}
		for _, a := range doc.Active(now) {
			d := contentDigest(a)
			current[a.ID] = d
			prev, known := before[a.ID]
			if known && prev == d {
				continue
			}
			t := trigger
			if known {
				t = TriggerChanged
			}
			if p.endingSoon(a, now) {
				continue // an alert about to end is not news
			}
			if len(p.pending) == 0 {
				p.firstChange = now
			}
			p.pending[stop+"/"+a.ID] = pendingAlert{stop: stop, alert: a, trigger: t}
		}
		p.announced[stop] = current
	}
	for key, pa := range p.pending {
		if _, still := p.announced[pa.stop][pa.alert.ID]; !still {
			delete(p.pending, key) // ended or cancelled before it was said
		}
	}
}

// flush makes the automatic announcements that are due: gathered changes
// once the burst is over and the minimum gap has passed, else the periodic
// repeat. Nothing cuts a traveler's answer; a severe change may cut a repeat.
func (p *Policy) flush(docs map[string]StopState, now time.Time) []Action {
	if now.Before(p.hold) {
		return nil
	}
	gapOK := p.lastAuto.IsZero() || now.Sub(p.lastAuto) >= p.rules.MinGap
	volume, silent := p.rules.Volume.At(now.In(p.rules.Location))
	if len(p.pending) > 0 && now.Sub(p.firstChange) >= p.rules.Coalesce && gapOK {
		prio, trigger := PriorityAutomatic, TriggerNew
		for _, pa := range p.pending {
			if pa.alert.Severity == Severe {
				prio = PrioritySevere
			}
			trigger = pa.trigger
		}
		if p.speaking != nil && p.speaking.Priority >= prio {
			return nil // wait until it is finished
		}
		var u Utterance
		if len(p.pending) == 1 {
			u = Utterance{Lang: p.rules.Languages[0], Trigger: trigger, Priority: prio, Volume: volume,
				Items: []Item{{Kind: ItemChime}}}
			if p.stale(now) {
				u.Items = append(u.Items, Item{Kind: ItemStale, Since: p.lastContact})
			}
			for _, pa := range p.pending {
				u.Items = append(u.Items, Item{Kind: ItemAlert, Stop: pa.stop, Alert: pa.alert})
			}
		} else {
			u = p.answer(docs, now, trigger, prio)
			u.Lang, u.Volume = p.rules.Languages[0], volume
			u.Items = append([]Item{{Kind: ItemChime}}, u.Items...)
			p.lastRepeat = now
		}
		clear(p.pending)
		p.lastAuto = now
		if silent {
			return nil // quiet hours: passed over; a press still answers
		}
		return []Action{p.say(u)}
	}
	if p.rules.RepeatEvery < 0 || len(activeItems(docs, now)) == 0 || !gapOK || p.speaking != nil {
		return nil
	}
	if p.lastRepeat.IsZero() {
		p.lastRepeat = now // the first repeat comes one interval after the alerts are known
	}
	if now.Sub(p.lastRepeat) < p.rules.RepeatEvery {
		return nil
	}
	p.lastRepeat, p.lastAuto = now, now
	if silent {
		return nil
	}
	u := p.answer(docs, now, TriggerRepeat, PriorityRoutine)
	u.Lang, u.Volume = p.rules.Languages[0], volume
	u.Items = append([]Item{{Kind: ItemChime}}, u.Items...)
	return []Action{p.say(u)}
}

func (p *Policy) stale(now time.Time) bool {
	since := p.lastContact
	if since.IsZero() {
		since = p.started
	}
	return now.Sub(since) > p.rules.StaleAfter
}

func (p *Policy) endingSoon(a Alert, now time.Time) bool {
	for _, per := range a.Periods {
		if per.Contains(now) && !per.End.IsZero() && per.End.Sub(now) <= p.rules.EndingSoon {
			return true
		}
	}
	return false
}

func (p *Policy) signalAt(docs map[string]StopState, now time.Time) Signal {
	s := Signal{Severity: UnknownSeverity, Stale: p.stale(now)}
	for _, it := range activeItems(docs, now) {
		s.Alerts++
		if it.Alert.Severity.Rank() > s.Severity.Rank() {
			s.Severity = it.Alert.Severity
		}
	}
	return s
}

// nextWake is the earliest time at which something may change by itself.
func (p *Policy) nextWake(docs map[string]StopState, now time.Time) time.Time {
	var w time.Time
	at := func(t time.Time) {
		if t.After(now) && (w.IsZero() || t.Before(w)) {
			w = t
		}
	}
	if len(p.pending) > 0 {
		at(p.firstChange.Add(p.rules.Coalesce))
		at(p.lastAuto.Add(p.rules.MinGap))
	}
	if p.rules.RepeatEvery > 0 && !p.lastRepeat.IsZero() {
		at(p.lastRepeat.Add(p.rules.RepeatEvery))
		at(p.lastAuto.Add(p.rules.MinGap))
	}
	since := p.lastContact
	if since.IsZero() {
		since = p.started
	}
	at(since.Add(p.rules.StaleAfter + time.Nanosecond))
	at(p.langUntil)
	at(p.hold)
	for _, doc := range docs {
		for _, a := range doc.Alerts {
			for _, per := range a.Periods {
				at(per.Start)
				at(per.End)
				if !per.End.IsZero() {
					at(per.End.Add(-p.rules.EndingSoon))
				}
			}
		}
	}
	return w
}

// activeItems lists the active alerts of all stops, most severe first.
func activeItems(docs map[string]StopState, now time.Time) []Item {
	var items []Item
	for _, stop := range sortedStops(docs) {
		for _, a := range docs[stop].Active(now) {
			items = append(items, Item{Kind: ItemAlert, Stop: stop, Alert: a})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Alert.Severity.Rank() > items[j].Alert.Severity.Rank() })
	return items
}

// upcomingItems lists the alerts that start within ahead, soonest first.
func upcomingItems(docs map[string]StopState, now time.Time, ahead time.Duration) []Item {
	var items []Item
	for _, stop := range sortedStops(docs) {
		for _, a := range docs[stop].Alerts {
			if a.ActiveAt(now) {
				continue
			}
			for _, per := range a.Periods {
				if per.Start.After(now) && per.Start.Sub(now) <= ahead {
					items = append(items, Item{Kind: ItemUpcoming, Stop: stop, Alert: a, Start: per.Start})
					break
				}
			}
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Start.Before(items[j].Start) })
	return items
}

func sortedStops(docs map[string]StopState) []string {
	stops := make([]string, 0, len(docs))
	for s := range docs {
		stops = append(stops, s)
	}
	sort.Strings(stops)
	return stops
}

// contentDigest identifies what an alert says, ignoring its version, so that
// a mere version bump is not announced again.
func contentDigest(a Alert) [32]byte {
	a.Version = 0
	b, _ := json.Marshal(a)
	return sha256.Sum256(b)
}
