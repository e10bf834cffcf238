package agent

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/mqtt"
)

// pause is the silence after each spoken part of an utterance.
const pause = 300 * time.Millisecond

// voice says utterances one at a time. A new utterance cuts the one
// playing (the policy has decided it may); Skip cuts only the current part.
type voice struct {
	mu         sync.Mutex
	next       *halte.Utterance
	cancelUtt  context.CancelFunc
	cancelItem context.CancelFunc
	wake       chan struct{}
	busy       atomic.Bool // an utterance is being said
}

func newVoice() *voice { return &voice{wake: make(chan struct{}, 1)} }

func (v *voice) say(u halte.Utterance) {
	v.mu.Lock()
	if v.cancelUtt != nil {
		v.cancelUtt()
	}
	v.next = &u
	v.mu.Unlock()
	select {
	case v.wake <- struct{}{}:
	default:
	}
}

func (v *voice) skip() {
	v.mu.Lock()
	if v.cancelItem != nil {
		v.cancelItem()
	}
	v.mu.Unlock()
}

// speakLoop plays what the policy says until ctx ends.
func (a *Agent) speakLoop(ctx context.Context, v *voice, client paho.Client) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-v.wake:
		}
		v.mu.Lock()
		u := v.next
		v.next = nil
		uctx, cancel := context.WithCancel(ctx)
		v.cancelUtt = cancel
		v.mu.Unlock()
		v.busy.Store(true)
		if u != nil && a.utter(uctx, v, *u, client) {
			a.event(halte.Event{Kind: halte.Finished, Seq: u.Seq})
		}
		v.busy.Store(false)
		cancel()
	}
}

// utter says each part of u in turn and reports whether it got to the end
// (false when a newer utterance cut it).
func (a *Agent) utter(ctx context.Context, v *voice, u halte.Utterance, client paho.Client) bool {
	book := a.books[u.Lang]
	var ahead *early
	for i, it := range u.Items {
		if ctx.Err() != nil {
			return false
		}
		a.event(halte.Event{Kind: halte.Playing, Seq: u.Seq, Index: i})
		ictx, cancel := context.WithCancel(ctx)
		v.mu.Lock()
		v.cancelItem = cancel
		v.mu.Unlock()
		if it.Kind == halte.ItemChime {
			ahead = a.synthesizeAhead(ctx, u, i+1)
			a.play(ictx, a.deps.Chime, u.Volume, "chime")
			cancel()
			continue
		}
		now := a.deps.Now()
		text := book.Item(it, now)
		anns := announcements(it, u, text, now, i == len(u.Items)-1)
		if !a.announce(it, anns, u.Slow) {
			cancel()
			continue // cancelled or ended since the utterance was made
		}
		if clip, err := ahead.or(ictx, a, text, u); err != nil {
			if ictx.Err() == nil {
				a.log.Error("speech synthesis failed", "alert", anns[0].Alert, "err", err)
			}
		} else if a.play(ictx, clip.Append(halte.Silence(clip.Rate, pause)), u.Volume, labelOf(anns[0])) {
			a.log.Info("announcement played", "alert", anns[0].Alert, "seconds", clip.Duration().Seconds())
			noted := false
			for _, ann := range anns {
				noted = a.noteAnnounced(ann) || noted
			}
			if noted {
				a.statusChanged(client)
			}
		}
		cancel()
		for _, ann := range anns {
			if b, err := json.Marshal(ann); err == nil {
				client.Publish(mqtt.DeviceEventsTopic(a.cfg.Device), 1, false, b)
			}
			if a.deps.OnAnnounce != nil {
				a.deps.OnAnnounce(ann)
			}
		}
	}
	return ctx.Err() == nil
}

// early is a part of an utterance synthesized while the chime plays, so that
// its first word follows the chime with no wait.
type early struct {
	text string
	done chan struct{}
	pcm  halte.PCM
	err  error
}

// synthesizeAhead starts synthesizing the part at index i of u, as it would
// be said now; nil when there is no such spoken part.
func (a *Agent) synthesizeAhead(ctx context.Context, u halte.Utterance, i int) *early {
	if i >= len(u.Items) || u.Items[i].Kind == halte.ItemChime {
		return nil
	}
	c := &early{text: a.books[u.Lang].Item(u.Items[i], a.deps.Now()), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.pcm, c.err = a.speech.Synthesize(ctx, c.text, u.Lang, u.Slow)
	}()
	return c
}

// or returns the audio of text: c's if c was synthesizing the same text
// (waiting for it), else synthesized now.
func (c *early) or(ctx context.Context, a *Agent, text string, u halte.Utterance) (halte.PCM, error) {
	if c != nil && c.text == text {
		select {
		case <-c.done:
			return c.pcm, c.err
		case <-ctx.Done():
			return halte.PCM{}, ctx.Err()
		}
	}
	return a.speech.Synthesize(ctx, text, u.Lang, u.Slow)
}

// play sends a clip to the speaker and reports whether it played to the end.
func (a *Agent) play(ctx context.Context, clip halte.PCM, volume float64, label string) bool {
	if a.deps.Speaker == nil || len(clip.Samples) == 0 {
		return false
	}
	if a.deps.Ambient != nil {
		a.deps.Ambient.Hold()
		defer a.deps.Ambient.Release()
	}
	err := a.deps.Speaker.Play(ctx, clip, a.heard(clip, volume, label), label)
	if ctx.Err() != nil {
		return false
	}
	a.setAudio(err)
	if err != nil {
		a.log.Error("audio output failed", "label", label, "err", err)
		return false
	}
	return true
}

// setAudio records whether the speaker can play; a change is logged, shown
// on the light (a fault) and in the status.
func (a *Agent) setAudio(err error) {
	a.setPart(&a.audioErr, err, "audio device fault; the light, the screen and the log go on", "audio device ready")
}

// setStore records whether the state file can be written, likewise.
func (a *Agent) setStore(err error) {
	a.setPart(&a.storeErr, err, "state file cannot be written; the last committed state is spoken", "state file writable again")
}

// setPart records the health of one of the device's parts (held in part).
func (a *Agent) setPart(part *error, err error, fault, ready string) {
	a.mu.Lock()
	changed := (err == nil) != (*part == nil)
	*part = err
	a.signal.Fault = a.faulty()
	sig, publish := a.signal, a.healthSent
	a.mu.Unlock()
	if !changed {
		return
	}
	if publish != nil {
		publish()
	}
	if err != nil {
		a.log.Error(fault, "err", err)
	} else {
		a.log.Info(ready)
	}
	if a.deps.Indicator != nil {
		a.deps.Indicator.Show(sig)
	}
}

// faulty reports whether a part of the device fails; a.mu is held.
func (a *Agent) faulty() bool { return a.audioErr != nil || a.storeErr != nil }

// watchAudio asks a checked speaker how it is, now and then, so that a
// missing sound card is reported and taken back when it returns.
func (a *Agent) watchAudio(ctx context.Context, every time.Duration) {
	checked, ok := a.deps.Speaker.(Checked)
	if !ok {
		return
	}
	for {
		a.setAudio(checked.Status())
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// announce logs the parts about to be said, if every alert the item says
// is still in force in the documents held; it reports whether they are.
// The check and the log line are made under the lock that a stored document
// takes, so that no announcement is logged after the commit that ended it.
func (a *Agent) announce(it halte.Item, anns []Announcement, slow bool) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if it.Kind == halte.ItemAlert || it.Kind == halte.ItemUpcoming {
		for _, m := range append([]halte.Item{it}, it.Also...) {
			held := slices.ContainsFunc(a.docs[m.Stop].Alerts, func(al halte.Alert) bool {
				return al.ID == m.Alert.ID && !al.Ended(anns[0].At)
			})
			if !held {
				return false
			}
		}
	}
	for _, ann := range anns {
		a.log.Info("announce", "alert", ann.Alert, "version", ann.Version, "lang", ann.Lang,
			"trigger", string(ann.Trigger), "text", ann.Text, "stop", ann.Stop, "slow", slow, "last", ann.Last)
	}
	return true
}

// announcements are the receipts of one spoken part: one for each alert it
// says (a merged part says several), or one for a part about no alert.
func announcements(it halte.Item, u halte.Utterance, text string, now time.Time, last bool) []Announcement {
	var out []Announcement
	for _, m := range append([]halte.Item{it}, it.Also...) {
		out = append(out, Announcement{Stop: m.Stop, Alert: m.Alert.ID, Version: m.Alert.Version, Lang: u.Lang,
			Trigger: u.Trigger, Text: text, At: now, Last: last})
	}
	return out
}

func labelOf(ann Announcement) string {
	if ann.Alert != "" {
		return ann.Alert
	}
	return string(ann.Trigger)
}

// prepareAhead asks prepareLoop for a pass; asks made during a pass make
// one more.
func (a *Agent) prepareAhead() {
	select {
	case a.ahead <- struct{}{}:
	default:
	}
}

// prepareLoop synthesizes ahead, into the cache, in every language, what a
// press would say now, each time it is asked (prepareAhead: the stored
// state, the contact or the time changed what a press says), so that a
// traveler's answer plays at once.
func (a *Agent) prepareLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.ahead:
		}
		now := a.deps.Now()
		docs := a.snapshot()
		a.mu.Lock()
		since := a.lastContact
		a.mu.Unlock()
		for lang, book := range a.books {
			pages := answers(a.rules, docs, since, now, book)
			for _, doc := range docs {
				for _, al := range doc.Active(now) {
					pages = append(pages, []string{book.Alert(al, now)}) // as a new alert is announced
				}
			}
			for _, texts := range pages {
				for _, text := range texts {
					if err := a.speech.Prepare(ctx, text, lang, false); err != nil && ctx.Err() == nil {
						a.log.Warn("speech not prepared", "lang", lang, "err", err)
					}
				}
			}
		}
	}
}
