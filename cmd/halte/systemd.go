package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"

	"github.com/halte-transit/halte/firmware/agent"
)

// notifySystemd speaks systemd's notify protocol for a unit of
// Type=notify: READY=1 once the agent answers the button, and, when the
// unit sets WatchdogSec, WATCHDOG=1 every half period for as long as the
// agent is alive, so that systemd restarts an agent that hangs. Call it
// once the agent is ready. Outside systemd (no NOTIFY_SOCKET) it does
// nothing.
func notifySystemd(ctx context.Context, a *agent.Agent, log *slog.Logger) {
	if sent, err := daemon.SdNotify(false, daemon.SdNotifyReady); !sent {
		if err != nil {
			log.Warn("systemd not told the agent is ready", "err", err)
		}
		return
	}
	period, err := daemon.SdWatchdogEnabled(false)
	if err != nil || period == 0 {
		if err != nil {
			log.Warn("systemd's watchdog setting not understood; not pinged", "err", err)
		}
		return
	}
	tick := time.NewTicker(period / 2)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		probe, cancel := context.WithTimeout(ctx, period/2)
		alive := a.Alive(probe)
		cancel()
		if !alive {
			if ctx.Err() == nil {
				log.Error("the agent does not answer; systemd's watchdog will restart it")
			}
			continue
		}
		if _, err := daemon.SdNotify(false, daemon.SdNotifyWatchdog); err != nil {
			log.Warn("systemd's watchdog not pinged", "err", err)
		}
	}
}
