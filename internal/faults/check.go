package faults

import (
	"bufio"
	"encoding/json"
	"io"
	"slices"
	"time"
)

// Stored is a stop document a device committed, from its log.
type Stored struct {
	At      time.Time
	Stop    string
	Version uint64
	Alerts  []string
}

// Announced is a part a device began to say about an alert, from its log.
type Announced struct {
	At    time.Time
	Stop  string
	Alert string
}

// ReadLog reads a device's JSON log (all its runs, one after the other):
// the documents it stored and the alerts it announced, in order.
func ReadLog(r io.Reader) (stored []Stored, announced []Announced, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l struct {
			Time     time.Time `json:"time"`
			Msg      string    `json:"msg"`
			Stop     string    `json:"stop"`
			Version  uint64    `json:"version"`
			Alert    string    `json:"alert"`
			AlertIDs []string  `json:"alert_ids"`
		}
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		switch {
		case l.Msg == "stop document stored":
			stored = append(stored, Stored{l.Time, l.Stop, l.Version, l.AlertIDs})
		case l.Msg == "announce" && l.Alert != "":
			announced = append(announced, Announced{l.Time, l.Stop, l.Alert})
		}
	}
	return stored, announced, sc.Err()
}

// Backwards counts the documents a device stored with a version lower than
// one it had stored before for the same stop: what it had acknowledged
// went back.
func Backwards(stored []Stored) int {
	high := map[string]uint64{}
	n := 0
	for _, s := range stored {
		if s.Version < high[s.Stop] {
			n++
		}
		high[s.Stop] = max(high[s.Stop], s.Version)
	}
	return n
}

// Highest is the highest version a device stored for each stop.
func Highest(stored []Stored) map[string]uint64 {
	high := map[string]uint64{}
	for _, s := range stored {
		high[s.Stop] = max(high[s.Stop], s.Version)
	}
	return high
}

// WronglySpoken counts the announcements of an alert made while the last
// document the device had committed for its stop did not hold it: an alert
// spoken after its cancellation (or end) was committed. An alert put in
// force again later (a broker that lost it, an operator who republished it)
// may be spoken again from then on.
func WronglySpoken(stored []Stored, announced []Announced) int {
	n := 0
	for _, a := range announced {
		var last *Stored
		for i := range stored {
			if s := &stored[i]; s.Stop == a.Stop && s.At.Before(a.At) {
				last = s
			}
		}
		if last != nil && !slices.Contains(last.Alerts, a.Alert) {
			n++
		}
	}
	return n
}
