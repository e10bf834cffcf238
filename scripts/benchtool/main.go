// Command benchtool measures what scripts/bench.sh cannot measure with the
// latency harness or a Go benchmark, and writes the report:
//
//	benchtool idle  --bin bin/halte --for 60s        the agent's footprint with 100 active alerts
//	benchtool fleet --agents 500                      simulated agents against real Mosquitto brokers
//	benchtool fleet-shard ...                         (one process of a fleet's agents, run by fleet)
//	benchtool report --dir results/bench              the table (markdown) and the latency picture (PNG)
//	benchtool speech --feed F [--gtfs G] --lang en    what one press says at a feed's busiest stop, and its words
//	benchtool rate                                    the speaking rate of the WAV output, words per minute
//	benchtool firstword --capture F --log F           publish → first spoken word, from the harness's run
//	benchtool api --bin bin/halte --stops 35000       the open API under wrk: requests per second and latency
//
// Each measuring command prints one JSON object on standard output.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtool idle|fleet|report|speech|rate|firstword|api [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "idle":
		err = idle(ctx, os.Args[2:])
	case "fleet":
		err = fleet(ctx, os.Args[2:])
	case "fleet-shard":
		err = shard(ctx, os.Args[2:])
	case "report":
		err = report(os.Args[2:])
	case "speech":
		err = speech(os.Args[2:])
	case "rate":
		err = rate(ctx, os.Args[2:])
	case "firstword":
		err = firstWord(os.Args[2:])
	case "api":
		err = api(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}
