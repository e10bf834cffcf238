package agent

import (
	"context"
	"time"

	"github.com/halte-transit/halte"
)

// every calls do each period until ctx ends.
func every(ctx context.Context, period time.Duration, do func()) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			do()
		}
	}
}

// policyLoop drives the announcement policy: every event and every wake-up
// it asks for goes through Step, and the actions go to the voice and the
// indicator. It is the only goroutine that touches the policy.
func (a *Agent) policyLoop(ctx context.Context, v *voice) {
	a.mu.Lock()
	since := a.lastContact
	a.mu.Unlock()
	p := halte.NewPolicy(a.rules, a.deps.Now(), since)
	p.Hold(a.deps.Now().Add(a.cfg.StartupWait))
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	ev := halte.Event{Kind: halte.Tick, At: a.deps.Now()}
	close(a.ready)
	for {
		for _, act := range p.Step(a.snapshot(), ev) {
			a.apply(act, v)
		}
		if ev.Kind == halte.Tick { // time changes what a press says (contact: Agent.contact)
			a.prepareAhead()
		}
		timer.Stop()
		if w := p.Wake(); !w.IsZero() {
			timer.Reset(max(time.Until(w), 0))
		}
	wait:
		for {
			select {
			case <-ctx.Done():
				return
			case reply := <-a.probes:
				close(reply) // Alive: the loop turns
			case ev = <-a.events:
				break wait
			case <-timer.C:
				ev = halte.Event{Kind: halte.Tick, At: a.deps.Now()}
				break wait
			}
		}
	}
}

func (a *Agent) apply(act halte.Action, v *voice) {
	switch act.Kind {
	case halte.Say:
		v.say(act.Utterance)
	case halte.Skip:
		v.skip()
	case halte.Acknowledge:
		a.mu.Lock()
		a.lastPulse = a.deps.Now()
		a.mu.Unlock()
		if a.deps.Indicator != nil {
			a.deps.Indicator.Acknowledge()
		}
	case halte.SetSignal:
		a.mu.Lock()
		sig := act.Signal
		sig.Fault = a.faulty() // the policy does not know the device's parts
		a.signal = sig
		a.mu.Unlock()
		a.log.Info("signal", "alerts", sig.Alerts, "severity", string(sig.Severity), "stale", sig.Stale, "fault", sig.Fault)
		if a.deps.Indicator != nil {
			a.deps.Indicator.Show(sig)
		}
	}
}
