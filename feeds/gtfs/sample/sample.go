// Package sample holds a small static GTFS feed of a few Ghent stops and
// lines (tram 1, tram 4, bus 70), written by the project for the demo and for
// tests. Stop ids, times and trips are invented; names and places are Ghent's.
package sample

import (
	"embed"
	"io/fs"

	"github.com/halte-transit/halte/feeds/gtfs"
)

//go:embed ghent
var files embed.FS

// Ghent returns the sample feed as a file system (for writing it to disk).
func Ghent() fs.FS {
	sub, err := fs.Sub(files, "ghent")
	if err != nil {
		panic(err) // the embedded folder is part of the binary
	}
	return sub
}

// GhentNetwork returns the sample feed, loaded.
func GhentNetwork() *gtfs.Network {
	n, err := gtfs.LoadFS(Ghent(), "sample Ghent GTFS")
	if err != nil {
		panic(err) // the embedded feed is tested to load
	}
	return n
}
