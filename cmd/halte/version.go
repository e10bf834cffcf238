package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// The release, its commit and the commit's date, set by scripts/build.sh
// with -ldflags "-X main.version=..."; otherwise the commit comes from
// Go's build information when it has it, and the version is "dev".
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// runVersion prints one line: the version, the commit and its date (the
// build is reproducible, so the commit's date is the build's), the Go
// release and platform, and which build this is.
func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "Usage: halte version")
		return errUsage
	}
	c, d := commit, date
	if info, ok := debug.ReadBuildInfo(); ok && c == "" {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				c = s.Value[:min(len(s.Value), 12)]
			case "vcs.time":
				d = s.Value
			}
		}
	}
	if c == "" {
		c, d = "unknown", "unknown"
	}
	fmt.Fprintf(stdout, "halte %s (commit %s, built %s, %s %s/%s, %s build)\n",
		version, c, d, runtime.Version(), runtime.GOOS, runtime.GOARCH, build)
	return nil
}
