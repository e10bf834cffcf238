// Command halte makes public-transport disruptions audible at the stop. One
// binary, with a subcommand per role: the stop agent, the hub, the operator's
// alert tool and a zero set-up demo.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `halte makes public-transport disruptions audible at the stop.

Usage:
  halte demo [--for DURATION] [--wav-dir DIR]    everything on this machine, no set-up
  halte agent --config FILE [flags]              run the stop device
  halte hub --broker URL --gtfs PATH [flags]     turn alerts into per-stop documents
  halte alert publish --broker URL [flags]       publish or update an operator alert
  halte alert cancel --broker URL ID             end an operator alert
  halte keys gen --out PREFIX                    make a signing key pair
  halte selftest [--sim] [--config FILE]         check the speaker, light, motor and button
  halte say [--here STOP] [--gtfs PATH] [--at TIME] [--lang L] (-f ALERT.json | alert flags)
                                                 what a stop will say about an alert

Run "halte COMMAND --help" for a command's flags.
The broker URL defaults to $HALTE_BROKER (tcp://host:port).
`

// errUsage marks an error in the command line: exit status 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "halte:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	commands := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"agent":    runAgent,
		"hub":      runHub,
		"alert":    runAlert,
		"demo":     runDemo,
		"say":      runSay,
		"keys":     runKeys,
		"selftest": runSelftest,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			fmt.Fprint(stdout, usage)
			return nil
		}
		fmt.Fprintf(stderr, "halte: unknown command %q\n\n%s", args[0], usage)
		return errUsage
	}
	return cmd(ctx, args[1:], stdout, stderr)
}

// parse parses a subcommand's flags; a bad flag is a usage error.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// usageError prints a message and the subcommand's flags, and returns errUsage.
func usageError(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(fs.Output(), "halte %s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return errUsage
}
