package agent

import (
	"slices"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte/mqtt"
)

// The hub keeps every stop's document retained and never clears one, so a
// subscription to a stop whose document the device holds must bring a
// document. One that brings none met a broker that failed to send it:
// nats-server, when JetStream is slow to answer, subscribes a client
// without its retained messages (it logs "failed to load retained
// message"). The agent then subscribes to those stops again, after a pause
// that grows from resubscribeFirst to resubscribeMost, until they come.
const (
	resubscribeFirst = 10 * time.Second
	resubscribeMost  = 5 * time.Minute
)

// arrivals notes which stops' documents came during the current
// subscription round (each connection starts one, each resubscription
// another).
type arrivals struct {
	mu    sync.Mutex
	round int
	came  map[string]bool
}

// begin starts a round and returns its number.
func (r *arrivals) begin() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.round++
	r.came = map[string]bool{}
	return r.round
}

// arrived notes that stop's document came.
func (r *arrivals) arrived(stop string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.came != nil {
		r.came[stop] = true
	}
}

// missing returns which of stops did not come in round, and false when a
// newer round has begun since.
func (r *arrivals) missing(round int, stops []string) ([]string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if round != r.round {
		return nil, false
	}
	return slices.DeleteFunc(slices.Clone(stops), func(s string) bool { return r.came[s] }), true
}

// current tells whether round is still the current one.
func (r *arrivals) current(round int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return round == r.round
}

// subscribe subscribes c to routes as mqtt.KeepSubscribed does, calling
// synced once the retained documents are in; then, for the stops whose
// document the device holds and the broker did not send, it subscribes to
// those stops again after pause (doubled each time, at most
// resubscribeMost), while the connection lasts.
func (a *Agent) subscribe(c paho.Client, clientID string, routes map[string]mqtt.Route, pause time.Duration, synced func()) {
	round := a.arrivals.begin()
	retrying := pause > resubscribeFirst
	mqtt.KeepSubscribed(c, clientID, routes, func() {
		synced()
		missing, current := a.arrivals.missing(round, a.heldStops())
		switch {
		case !current:
		case len(missing) == 0 && retrying:
			a.log.Info("the broker has sent the stops' documents")
		case len(missing) > 0:
			a.log.Warn("the broker sent no document for stops whose document this device holds; subscribing to them again",
				"stops", missing, "in", pause.String())
			again := map[string]mqtt.Route{}
			for _, stop := range missing {
				again[mqtt.StopTopic(stop)] = routes[mqtt.StopTopic(stop)]
			}
			time.AfterFunc(pause, func() {
				if a.arrivals.current(round) && c.IsConnectionOpen() {
					a.subscribe(c, clientID, again, min(2*pause, resubscribeMost), synced)
				}
			})
		}
	}, a.log)
}

// heldStops are the device's stops whose document it holds.
func (a *Agent) heldStops() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var held []string
	for _, stop := range a.cfg.Stops {
		if _, ok := a.docs[stop]; ok {
			held = append(held, stop)
		}
	}
	return held
}
