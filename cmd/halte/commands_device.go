//go:build device

package main

const usage = `halte makes public-transport disruptions audible at the stop.
This is the stop device's build: the hub, the operator's tools and the demo
are in the full build (without the tag "device").

Usage:
  halte agent --config FILE [flags]              run the stop device
  halte keys gen --out PREFIX                    make a signing key pair
  halte selftest [--sim] [--config FILE]         check the speaker, light, motor and button
  halte version                                  which release, commit and build this is
  halte update --from URL|FILE [--config FILE]   install a signed release; rolled back unless it
                                                 becomes ready

Run "halte COMMAND --help" for a command's flags.
The broker URL defaults to $HALTE_BROKER (tcp://host:port).
`

// commands are what a stop device runs.
var commands = map[string]command{
	"agent":    runAgent,
	"keys":     runKeys,
	"selftest": runSelftest,
	"version":  runVersion,
	"update":   runUpdate,
}

// build names this build in halte version.
const build = "device"
