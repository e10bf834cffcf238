package halte_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte"
)

// fakeWords measures items as a phrase book would: an alert's header
// holds its sentences as "n n n|n n" (one word a letter group, "|" between
// sentences); its short form is 4 words, the stop's name 3, the summary 4,
// "press again" 5.
func fakeWords(it halte.Item, lang string, now time.Time) []int {
	switch it.Kind {
	case halte.ItemAlert, halte.ItemUpcoming:
		if it.Short {
			return []int{4}
		}
		var out []int
		for _, s := range strings.Split(it.Alert.Header["nl"], "|") {
			out = append(out, len(strings.Fields(s)))
		}
		return out
	case halte.ItemStopName:
		return []int{3}
	case halte.ItemMore:
		return []int{5}
	}
	return []int{4}
}

// long is an alert whose text has the given sentences of words words each.
func long(id string, sentences, words int) halte.Alert {
	a := al(id, halte.Warning)
	parts := make([]string, sentences)
	for i := range parts {
		parts[i] = strings.TrimSpace(strings.Repeat(id+" ", words))
	}
	a.Header = halte.Text{"nl": strings.Join(parts, "|")}
	return a
}

func wordsOf(u halte.Utterance) int {
	n := 0
	for _, it := range u.Items {
		all := fakeWords(it, u.Lang, time.Time{})
		to := len(all)
		if it.To > 0 {
			to = it.To
		}
		for _, w := range all[it.From:to] {
			n += w
		}
	}
	return n
}

func TestOnePressStaysWithinTheBudget(t *testing.T) {
	r := rules
	r.Words, r.StopName = fakeWords, "Korenmarkt"
	t.Run("ten alerts: the first ones in full, then short forms, then press again", func(t *testing.T) {
		s := newSim(t, r)
		var alerts []halte.Alert
		for i := range 10 {
			alerts = append(alerts, long(fmt.Sprintf("a%d", i), 2, 10))
		}
		s.set(alerts...)
		u := one(t, s.press(halte.Single))
		if n := wordsOf(u); n > 90 {
			t.Fatalf("%d words in one answer: %s", n, shape(u))
		}
		if got := shape(u); got != "name summary(10) a:a0 a:a1 a:a2 a:a3 a:a4 a:a5 more(4)" {
			t.Fatalf("got %s", got)
		}
		if u.Items[4].Short || !u.Items[5].Short || u.Items[2].Short {
			t.Fatalf("a0..a2 in full, the rest short: %+v", u.Items[2:6])
		}
		s.finished()
		next := one(t, s.press(halte.Single))
		if got := shape(next); !strings.HasPrefix(got, "a:a3 a:a4 a:a5") || next.Items[0].Short || wordsOf(next) > 90 {
			t.Fatalf("press again gave %s (%d words), want what was not said in full", got, wordsOf(next))
		}
	})
	t.Run("one long alert is said over several presses, sentence by sentence", func(t *testing.T) {
		s := newSim(t, r)
		s.set(long("x", 15, 10))
		var said int
		for press := 0; press < 5; press++ {
			u := one(t, s.press(halte.Single))
			if n := wordsOf(u); n > 90 {
				t.Fatalf("press %d: %d words", press, n)
			}
			for _, it := range u.Items {
				if it.Kind == halte.ItemAlert {
					to := it.To
					if to == 0 {
						to = 15
					}
					if it.From != said {
						t.Fatalf("press %d starts at sentence %d, want %d", press, it.From, said)
					}
					said = to
				}
			}
			s.finished()
			if u.Items[len(u.Items)-1].Kind != halte.ItemMore {
				break
			}
		}
		if said != 15 {
			t.Fatalf("said %d of 15 sentences", said)
		}
	})
	t.Run("press again after a change, or too late, starts anew", func(t *testing.T) {
		s := newSim(t, r)
		s.set(long("x", 15, 10))
		one(t, s.press(halte.Single))
		s.finished()
		s.set(long("x", 15, 10), long("y", 1, 5))
		if u := one(t, s.press(halte.Single)); u.Items[0].Kind != halte.ItemStopName {
			t.Fatalf("after a change: %s, want a new answer", shape(u))
		}
		s.finished()
		s.advance(3 * time.Minute)
		if u := one(t, s.press(halte.Single)); u.Items[0].Kind != halte.ItemStopName {
			t.Fatalf("after three minutes: %s, want a new answer", shape(u))
		}
	})
}
