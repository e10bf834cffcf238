package agent

import (
	"context"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// The hub publishes its heartbeat every 30 s, so a device connected to a
// broker that delivers hears something live at least that often. One
// that hears nothing live for Config.HubSilence, while its connection
// stays open (the broker answers its pings), has met a broker that stopped
// delivering to it: an overloaded cluster node has been seen to. It then
// subscribes again, which brings the broker's retained documents, and
// waits twice as long before the next time, up to silenceMost, until
// something live comes. A hub that is down (its retained status says so)
// costs each device one subscription per silenceMost.
const silenceMost = time.Hour

// silence is when the device last heard something live, and how long a
// silence lasts before it subscribes again.
type silence struct {
	mu    sync.Mutex
	last  time.Time
	first time.Duration // Config.HubSilence
	wait  time.Duration
}

// heard notes a message; only a live one (not a retained copy sent for a
// new subscription) shows that the broker delivers, and resets the wait.
func (s *silence) heard(retained bool) {
	if retained {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last, s.wait = time.Now(), s.first
}

// restart begins a silence now: a new connection, or a subscription made again.
func (s *silence) restart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = time.Now()
}

// over reports how long the silence has lasted once it lasts longer than
// the wait, and doubles the wait.
func (s *silence) over() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lasted := time.Since(s.last)
	if lasted < s.wait {
		return 0, false
	}
	s.wait = min(2*s.wait, silenceMost)
	return lasted, true
}

// watchSilence calls resubscribe whenever c is connected and the silence
// is over, until ctx ends.
func (a *Agent) watchSilence(ctx context.Context, c paho.Client, resubscribe func()) {
	every(ctx, a.silence.first/4, func() {
		if !c.IsConnectionOpen() {
			a.silence.restart() // the next connection subscribes anew
			return
		}
		if lasted, over := a.silence.over(); over {
			a.log.Warn("nothing heard from the broker though connected; subscribing again",
				"for", lasted.Round(time.Second).String())
			a.silence.restart()
			a.mu.Lock()
			a.stats.Silences++
			a.mu.Unlock()
			go resubscribe()
		}
	})
}
