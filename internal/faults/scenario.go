package faults

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"
)

// The kinds of step a scenario takes: what operators do, and the faults.
const (
	Publish    = "publish"     // a new operator alert
	Update     = "update"      // a new version of an alert in force
	Cancel     = "cancel"      // a cancel document
	BrokerKill = "broker-kill" // Mosquitto killed with SIGKILL, restarted on the same port after For
	Cut        = "cut"         // a device's (or the hub's) link closed and refused for For
	Delay      = "delay"       // a link's data held back 50 to 300 ms for For
	Reset      = "reset"       // a link closed once
	AgentKill  = "agent-kill"  // an agent killed with SIGKILL, restarted after For
	HubKill    = "hub-kill"    // the hub killed with SIGKILL, restarted after For
	Replay     = "replay"      // an older stop document delivered again, twice, out of order
)

var faultKinds = []string{BrokerKill, Cut, Delay, Reset, AgentKill, AgentKill, HubKill, Replay, Replay}

// Step is one thing that happens at At after the storm begins. Target is a
// device's index (for links, len(devices) means the hub's); Alert an
// operator alert's number.
type Step struct {
	At     time.Duration
	Kind   string
	Target int
	Alert  int
	For    time.Duration
	Delay  time.Duration
}

// IsFault reports whether the step is a fault rather than an operator's act.
func (s Step) IsFault() bool { return s.Kind != Publish && s.Kind != Update && s.Kind != Cancel }

func (s Step) String() string {
	switch {
	case !s.IsFault():
		return fmt.Sprintf("%s alert %d", s.Kind, s.Alert)
	case s.Kind == Delay:
		return fmt.Sprintf("%s %d by %s for %s", s.Kind, s.Target, s.Delay, s.For)
	}
	return fmt.Sprintf("%s %d for %s", s.Kind, s.Target, s.For)
}

// Scenario is what one run does, drawn from its seed: a burst of operator
// alerts published, updated and cancelled over Storm, with faults at
// random moments in it.
type Scenario struct {
	Seed  uint64
	Storm time.Duration
	Steps []Step // by time
}

// Draw makes the scenario of a seed for a number of devices.
func Draw(seed uint64, devices int) Scenario {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	sc := Scenario{Seed: seed, Storm: time.Duration(6+r.IntN(5)) * time.Second}
	at := func() time.Duration { return time.Duration(r.Int64N(int64(sc.Storm))) }
	alerts := 6 + r.IntN(7)
	for i := range alerts {
		start := at()
		sc.Steps = append(sc.Steps, Step{At: start, Kind: Publish, Alert: i})
		for range r.IntN(3) {
			sc.Steps = append(sc.Steps, Step{At: start + time.Duration(r.Int64N(int64(sc.Storm-start)+1)), Kind: Update, Alert: i})
		}
		if r.IntN(2) == 0 {
			sc.Steps = append(sc.Steps, Step{At: start + time.Duration(r.Int64N(int64(sc.Storm-start)+1)) + time.Millisecond, Kind: Cancel, Alert: i})
		}
	}
	for range 3 + r.IntN(4) {
		kind := faultKinds[r.IntN(len(faultKinds))]
		s := Step{At: at(), Kind: kind, For: time.Duration(100+r.IntN(1400)) * time.Millisecond}
		switch kind {
		case Cut, Delay, Reset:
			s.Target = r.IntN(devices + 1)
			s.Delay = time.Duration(50+r.IntN(250)) * time.Millisecond
		case AgentKill, Replay:
			s.Target = r.IntN(devices)
		}
		sc.Steps = append(sc.Steps, s)
	}
	sort.SliceStable(sc.Steps, func(i, j int) bool { return sc.Steps[i].At < sc.Steps[j].At })
	return sc
}

// Faults counts the scenario's faults.
func (sc Scenario) Faults() int {
	n := 0
	for _, s := range sc.Steps {
		if s.IsFault() {
			n++
		}
	}
	return n
}
