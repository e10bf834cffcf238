// Package gtfs reads the parts of a static GTFS feed that halte needs to
// place an alert: stops (with parent stations, platforms and positions), routes (short
// name and mode), and, from trips and stop_times, which routes serve which
// stop. It reads a folder or a zip file; stop_times is streamed, not loaded.
package gtfs

import (
	"archive/zip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/halte-transit/halte"
)

// Stop is one GTFS stop, station or platform.
type Stop struct {
	ID     string
	Name   string
	Parent string // parent_station, "" when none
	// Lat and Lon are stop_lat and stop_lon (WGS84 degrees); both 0 when
	// stops.txt gives no valid position.
	Lat, Lon float64
}

// Route is one GTFS route: a line as travelers know it.
type Route struct {
	ID     string
	Agency string
	Name   string // route_short_name, else route_long_name
	Type   string // route_type
	Mode   halte.Mode
	// Headsigns are the most common trip_headsign per direction_id.
	Headsigns map[string]string
}

// Trip is one GTFS trip: its route and direction.
type Trip struct {
	Route     string
	Direction string
}

// Network is a static GTFS feed reduced to what resolves alerts to stops.
type Network struct {
	Stops  map[string]Stop
	Routes map[string]Route
	Trips  map[string]Trip
	// Timezone is the first agency's agency_timezone ("Europe/Brussels").
	Timezone string
	// Language is the first agency's agency_lang ("nl"), "" if unknown.
	Language string

	children   map[string][]string            // parent station → its stops
	routeStops map[string]map[string][]string // route → direction → stops its trips call at (sorted)
	reopen     func() (fs.FS, io.Closer, error)
}

// Children returns the stops whose parent station is id.
func (n *Network) Children(id string) []string { return n.children[id] }

// RouteStops returns the stops that the route's trips call at, sorted.
func (n *Network) RouteStops(route string) []string { return n.routeStops[route][""] }

// RouteDirectionStops returns the stops that the route's trips in direction
// ("0" or "1"; "" for both) call at, sorted.
func (n *Network) RouteDirectionStops(route, direction string) []string {
	return n.routeStops[route][direction]
}

// Load reads a GTFS feed from a folder or a .zip file.
func Load(path string) (*Network, error) {
	fsys, closer, err := openPath(path)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	n, err := LoadFS(fsys, path)
	if err != nil {
		return nil, err
	}
	n.reopen = func() (fs.FS, io.Closer, error) { return openPath(path) }
	return n, nil
}

// openPath opens a GTFS folder or zip file.
func openPath(path string) (fs.FS, io.Closer, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("GTFS %s: %w", path, err)
	}
	if info.IsDir() {
		return os.DirFS(path), io.NopCloser(nil), nil
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, fmt.Errorf("GTFS %s: not a folder nor a zip file: %w", path, err)
	}
	return zr, zr, nil
}

// LoadFS reads a GTFS feed from the root of fsys; name is used in errors.
func LoadFS(fsys fs.FS, name string) (*Network, error) {
	n := &Network{
		Stops:      map[string]Stop{},
		Routes:     map[string]Route{},
		Trips:      map[string]Trip{},
		children:   map[string][]string{},
		routeStops: map[string]map[string][]string{},
		reopen:     func() (fs.FS, io.Closer, error) { return fsys, io.NopCloser(nil), nil },
	}
	err := readTable(fsys, "stops.txt", true, []string{"stop_id"}, func(r row) {
		s := Stop{ID: r.get("stop_id"), Name: r.get("stop_name"), Parent: r.get("parent_station")}
		lat, errLat := strconv.ParseFloat(r.get("stop_lat"), 64)
		lon, errLon := strconv.ParseFloat(r.get("stop_lon"), 64)
		if errLat == nil && errLon == nil && math.Abs(lat) <= 90 && math.Abs(lon) <= 180 {
			s.Lat, s.Lon = lat, lon
		}
		n.Stops[s.ID] = s
		if s.Parent != "" {
			n.children[s.Parent] = append(n.children[s.Parent], s.ID)
		}
	})
	if err == nil {
		err = readTable(fsys, "routes.txt", true, []string{"route_id"}, func(r row) {
			name := r.get("route_short_name")
			if name == "" {
				name = r.get("route_long_name")
			}
			n.Routes[r.get("route_id")] = Route{ID: r.get("route_id"), Agency: r.get("agency_id"), Name: name,
				Type: r.get("route_type"), Mode: ModeOf(r.get("route_type")), Headsigns: map[string]string{}}
		})
	}
	if err == nil {
		err = readTable(fsys, "agency.txt", false, nil, func(r row) {
			if n.Timezone == "" {
				n.Timezone, n.Language = r.get("agency_timezone"), r.get("agency_lang")
			}
		})
	}
	headsigns := map[[3]string]int{} // route, direction, headsign → trips
	if err == nil {
		err = readTable(fsys, "trips.txt", false, []string{"trip_id", "route_id"}, func(r row) {
			t := Trip{Route: r.get("route_id"), Direction: r.get("direction_id")}
			n.Trips[r.get("trip_id")] = t
			if h := r.get("trip_headsign"); h != "" {
				headsigns[[3]string{t.Route, t.Direction, h}]++
			}
		})
	}
	served := map[string]map[string]map[string]bool{} // route → direction → stop
	if err == nil {
		err = readTable(fsys, "stop_times.txt", false, []string{"trip_id", "stop_id"}, func(r row) {
			t, ok := n.Trips[r.get("trip_id")]
			if !ok {
				return
			}
			if served[t.Route] == nil {
				served[t.Route] = map[string]map[string]bool{}
			}
			for _, dir := range []string{"", t.Direction} {
				if served[t.Route][dir] == nil {
					served[t.Route][dir] = map[string]bool{}
				}
				served[t.Route][dir][r.get("stop_id")] = true
			}
		})
	}
	if err != nil {
		return nil, fmt.Errorf("GTFS %s: %w", name, err)
	}
	for route, dirs := range served {
		n.routeStops[route] = map[string][]string{}
		for dir, stops := range dirs {
			list := make([]string, 0, len(stops))
			for s := range stops {
				list = append(list, s)
			}
			sort.Strings(list)
			n.routeStops[route][dir] = list
		}
	}
	best := map[[2]string]int{}
	for k, count := range headsigns {
		key := [2]string{k[0], k[1]}
		if r, ok := n.Routes[k[0]]; ok && count > best[key] {
			best[key] = count
			r.Headsigns[k[1]] = k[2]
		}
	}
	return n, nil
}

// ModeOf maps a GTFS route_type (basic or extended) to a Mode.
func ModeOf(routeType string) halte.Mode {
	switch routeType {
	case "0", "900", "901", "902", "903", "904", "905", "906":
		return halte.Tram
	case "1", "400", "401", "402", "403", "404", "405":
		return halte.Metro
	case "2", "100", "101", "102", "103", "105", "106", "107", "108", "109", "116", "117":
		return halte.Train
	case "3", "11", "700", "701", "702", "704", "705", "711", "712", "715", "800":
		return halte.Bus
	case "4", "1000", "1200":
		return halte.Ferry
	}
	return ""
}

type row struct {
	index  map[string]int
	fields []string
}

func (r row) get(col string) string {
	i, ok := r.index[col]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// readTable calls each for every row of file. A missing optional file is no
// error; a missing required column is.
func readTable(fsys fs.FS, file string, required bool, columns []string, each func(row)) error {
	f, err := fsys.Open(file)
	if errors.Is(err, fs.ErrNotExist) && !required {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: no header line: %w", file, err)
	}
	r := row{index: map[string]int{}}
	for i, h := range header {
		r.index[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range columns {
		if _, ok := r.index[c]; !ok {
			return fmt.Errorf("%s: no column %q", file, c)
		}
	}
	for line := 2; ; line++ {
		r.fields, err = cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s line %d: %w", file, line, err)
		}
		each(r)
	}
}
