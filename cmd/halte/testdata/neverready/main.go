// Command neverready is a broken halte release for the update tests: it
// answers "halte version" like halte, and as an agent never becomes ready.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// release is set with -ldflags "-X main.release=...".
var release = "0.0.0"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Printf("halte %s (commit none, built never, go linux, broken build)\n", release)
		return
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	<-stop
	os.Exit(1)
}
