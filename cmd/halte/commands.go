//go:build !device

package main

const usage = `halte makes public-transport disruptions audible at the stop.

Usage:
  halte demo [--for DURATION] [--wav-dir DIR]    everything on this machine, no set-up
  halte agent --config FILE [flags]              run the stop device
  halte hub --broker URL --gtfs PATH [flags]     turn alerts into per-stop documents
  halte alert publish --broker URL [flags]       publish or update an operator alert
  halte alert cancel --broker URL ID             end an operator alert
  halte fleet --broker URL [--alert ID]          the devices: which are unwell, which hold
                                                 and have announced an alert
  halte keys gen --out PREFIX                    make a signing key pair
  halte selftest [--sim] [--config FILE]         check the speaker, light, motor and button
  halte version                                  which release, commit and build this is
  halte update --from URL|FILE [--config FILE]   install a signed release; rolled back unless it
                                                 becomes ready
  halte say [--here STOP] [--gtfs PATH] [--at TIME] [--lang L] (-f ALERT.json | alert flags)
                                                 what a stop will say about an alert
  halte route --gtfs PATH (--line ID [--direction 0|1] | --stops A,B,C | -f LESSON.yaml)
              [--alert FILE]... [--broker URL] [--at TIME] [--lang L]... [--out DIR]
                                                 what every stop of a route will say: a
                                                 transcript, and a report with audio

Run "halte COMMAND --help" for a command's flags.
The broker URL defaults to $HALTE_BROKER (tcp://host:port).
`

// commands are every role's subcommands.
var commands = map[string]command{
	"agent":    runAgent,
	"hub":      runHub,
	"alert":    runAlert,
	"demo":     runDemo,
	"say":      runSay,
	"route":    runRoute,
	"fleet":    runFleet,
	"keys":     runKeys,
	"selftest": runSelftest,
	"version":  runVersion,
	"update":   runUpdate,
}

// build names this build in halte version.
const build = "full"
