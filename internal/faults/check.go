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

// WronglySpoken counts the announcements of an alert made after the device
// had committed a document of its stop without it, having held it before:
// a cancelled (or ended) alert spoken. Operator alert ids are never reused,
// so an alert once gone from a stop stays gone.
func WronglySpoken(stored []Stored, announced []Announced) int {
	gone := map[[2]string]time.Time{} // stop, alert → when a document without it was committed
	held := map[[2]string]bool{}
	for _, s := range stored {
		for _, a := range s.Alerts {
			held[[2]string{s.Stop, a}] = true
		}
		for key := range held {
			if key[0] == s.Stop && !slices.Contains(s.Alerts, key[1]) {
				if _, seen := gone[key]; !seen {
					gone[key] = s.At
				}
			}
		}
	}
	n := 0
	for _, a := range announced {
		if t, ok := gone[[2]string{a.Stop, a.Alert}]; ok && a.At.After(t) {
			n++
		}
	}
	return n
}
