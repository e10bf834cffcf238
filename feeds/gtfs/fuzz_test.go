package gtfs_test

import (
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
)

// FuzzLoad: no stops.txt or stop_times.txt panics the static GTFS reader
// (the other files are the sample's); in a feed it accepts, a station
// lists every stop that names it as its parent. Seeds:
// the sample Ghent feed's own files.
func FuzzLoad(f *testing.F) {
	files := sample.Ghent()
	stops, err := fs.ReadFile(files, "stops.txt")
	if err != nil {
		f.Fatal(err)
	}
	times, err := fs.ReadFile(files, "stop_times.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(stops, times)
	f.Add([]byte("stop_id\n\"a\"\"b\",x\n"), []byte("trip_id,stop_id\nT1-out,200101\n"))
	base := fstest.MapFS{}
	for _, name := range []string{"agency.txt", "routes.txt", "trips.txt", "calendar.txt"} {
		data, _ := fs.ReadFile(files, name)
		base[name] = &fstest.MapFile{Data: data}
	}
	f.Fuzz(func(t *testing.T, stops, times []byte) {
		feed := fstest.MapFS{"stops.txt": {Data: stops}, "stop_times.txt": {Data: times}}
		for name, file := range base {
			feed[name] = file
		}
		net, err := gtfs.LoadFS(feed, "fuzzed")
		if err != nil {
			return
		}
		for id, s := range net.Stops {
			if s.Parent != "" && !slices.Contains(net.Children(s.Parent), id) {
				t.Fatalf("stop %q names station %q, which does not list it", id, s.Parent)
			}
		}
	})
}
