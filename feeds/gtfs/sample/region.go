package sample

import (
	"fmt"
	"math"
	"strings"
	"testing/fstest"

	"github.com/halte-transit/halte/feeds/gtfs"
)

// Region generates a network of a region's shape, for benchmarks: stops
// ("s0"...), lines ("r0"..., every tenth a tram, the others buses) each
// calling at stopsPerLine stops in each of its two directions, spread over
// the region so that each stop is served by a few lines.
func Region(stops, lines, stopsPerLine int) (*gtfs.Network, error) {
	return gtfs.LoadFS(RegionFiles(stops, lines, stopsPerLine), "generated region")
}

// RegionFiles are Region's GTFS files. The stops lie on a grid about 100 m
// apart around Ghent.
func RegionFiles(stops, lines, stopsPerLine int) fstest.MapFS {
	var st, rt, tr, tt strings.Builder
	st.WriteString("stop_id,stop_name,stop_lat,stop_lon\n")
	side := int(math.Ceil(math.Sqrt(float64(stops))))
	for i := range stops {
		fmt.Fprintf(&st, "s%d,Halte %d,%.5f,%.5f\n", i, i, 51.0+float64(i/side)*0.0009, 3.6+float64(i%side)*0.0014)
	}
	rt.WriteString("route_id,route_short_name,route_type\n")
	tr.WriteString("route_id,service_id,trip_id,direction_id\n")
	tt.WriteString("trip_id,stop_id,stop_sequence\n")
	for l := range lines {
		typ := 3
		if l%10 == 0 {
			typ = 0
		}
		fmt.Fprintf(&rt, "r%d,%d,%d\n", l, l, typ)
		for dir := range 2 {
			fmt.Fprintf(&tr, "r%d,d,t%d-%d,%d\n", l, l, dir, dir)
			for k := range stopsPerLine {
				stop := ((l*2+dir)*stopsPerLine + k*7919) % stops
				fmt.Fprintf(&tt, "t%d-%d,s%d,%d\n", l, dir, stop, k)
			}
		}
	}
	return fstest.MapFS{
		"stops.txt": {Data: []byte(st.String())}, "routes.txt": {Data: []byte(rt.String())},
		"trips.txt": {Data: []byte(tr.String())}, "stop_times.txt": {Data: []byte(tt.String())},
	}
}
