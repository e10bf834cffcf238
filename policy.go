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
	more        []Item     // what the last answer to a traveler left for "press again"
	moreOf      [32]byte   // the active alerts more was made from
	moreUntil   time.Time
	lang        int // index into rules.Languages
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
		if rest := p.rest(docs, now); rest != nil {
			return []Action{p.say(p.continuation(rest, now))}
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

// answer is what the stop says when asked: a staleness notice if due, the
// stop's name, the summary, then the active alerts (this stop's own service
// first) and the alerts to come, within the word budget; or "no
// disruptions reported". What a traveler's answer leaves unsaid waits for
// the next press.
func (p *Policy) answer(docs map[string]StopState, now time.Time, t Trigger, prio Priority) Utterance {
	u := Utterance{Lang: p.Lang(), Trigger: t, Priority: prio, Volume: p.rules.ButtonVolume}
	if prio < PriorityTraveler {
		u.Volume, _ = p.rules.Volume.At(now.In(p.rules.Location))
	}
	var head []Item
	if p.stale(now) {
		head = append(head, Item{Kind: ItemStale, Since: p.lastContact})
	}
	if name := p.stopName(docs); name != "" {
		head = append(head, Item{Kind: ItemStopName, Name: name})
	}
	active := activeItems(docs, now)
	if len(active) == 0 {
		head = append(head, Item{Kind: ItemNone, Since: p.lastContact})
	} else {
		head = append(head, Item{Kind: ItemSummary, Count: len(active)})
	}
	body := active
	if p.rules.Upcoming > 0 {
		body = append(body, upcomingItems(docs, now, p.rules.Upcoming)...)
	}
	var rest []Item
	u.Items, rest = page(head, body, p.rules.AnswerWords, p.measure(u.Lang, now))
	if t == TriggerButton {
		p.keepRest(rest, active, now)
	}
	return u
}

// continuation is the next page of the last answer to a traveler.
func (p *Policy) continuation(rest []Item, now time.Time) Utterance {
	u := Utterance{Lang: p.Lang(), Trigger: TriggerButton, Priority: PriorityTraveler, Volume: p.rules.ButtonVolume}
	var left []Item
	u.Items, left = page(nil, rest, p.rules.AnswerWords, p.measure(u.Lang, now))
	p.more, p.moreUntil = left, now.Add(p.rules.MoreFor)
	return u
}

// keepRest remembers what an answer left unsaid, for "press again".
func (p *Policy) keepRest(rest, active []Item, now time.Time) {
	p.more, p.moreOf, p.moreUntil = rest, itemsDigest(active), now.Add(p.rules.MoreFor)
}

// rest is what the last answer left for this press, or nil when a press
// should start a new answer: nothing was left, it is too late, or the
// alerts changed since.
func (p *Policy) rest(docs map[string]StopState, now time.Time) []Item {
	if len(p.more) == 0 || !now.Before(p.moreUntil) || itemsDigest(activeItems(docs, now)) != p.moreOf {
		return nil
	}
	return p.more
}

// measure is the word count of items in lang, for the budget; nil when
// there is no budget.
func (p *Policy) measure(lang string, now time.Time) func(Item) []int {
	if p.rules.Words == nil || p.rules.AnswerWords < 0 {
		return nil
	}
	return func(it Item) []int { return p.rules.Words(it, lang, now) }
}

// stopName is the name the device says for its stop: the configured one,
// else the first stop document's.
func (p *Policy) stopName(docs map[string]StopState) string {
	if p.rules.StopName != "" {
		return p.rules.StopName
	}
	for _, stop := range sortedStops(docs) {
		if name := docs[stop].StopName; name != "" {
			return name
		}
	}
	return ""
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
			u = Utterance{Lang: p.rules.Languages[0], Trigger: trigger, Priority: prio, Volume: volume}
			head := []Item{{Kind: ItemChime}}
			if p.stale(now) {
				head = append(head, Item{Kind: ItemStale, Since: p.lastContact})
			}
			var body []Item
			for _, pa := range p.pending {
				body = append(body, Item{Kind: ItemAlert, Stop: pa.stop, Alert: pa.alert})
			}
			u.Items, _ = page(head, body, p.rules.AnswerWords, p.measure(u.Lang, now))
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

// activeItems lists the active alerts of all stops as the traveler hears
// them: the same saying once (Merge), this stop's own service first (Order).
func activeItems(docs map[string]StopState, now time.Time) []Item {
	var items []Item
	for _, stop := range sortedStops(docs) {
		for _, a := range docs[stop].Active(now) {
			items = append(items, Item{Kind: ItemAlert, Stop: stop, Alert: a})
		}
	}
	items = Merge(items)
	Order(items, now)
	return items
}

// itemsDigest identifies what items say.
func itemsDigest(items []Item) [32]byte {
	b, _ := json.Marshal(items)
	return sha256.Sum256(b)
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
	return Merge(items)
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
