package api

import (
	"math"
	"sort"

	"github.com/halte-transit/halte/feeds/gtfs"
)

// places are the network's stops that have a position, sorted by latitude,
// for the stops around a place.
type places []place

type place struct {
	id       string
	lat, lon float64
}

// found is a stop within reach and how far it is.
type found struct {
	id     string
	metres float64
}

func placesOf(net *gtfs.Network) places {
	var p places
	for id, st := range net.Stops {
		if st.Lat != 0 || st.Lon != 0 {
			p = append(p, place{id, st.Lat, st.Lon})
		}
	}
	sort.Slice(p, func(i, j int) bool { return p[i].lat < p[j].lat || p[i].lat == p[j].lat && p[i].id < p[j].id })
	return p
}

// within returns the stops within radius metres of lat, lon, nearest first.
func (p places) within(lat, lon, radius float64) []found {
	span := radius / 111000 // degrees of latitude: no stop further north or south is within reach
	from := sort.Search(len(p), func(i int) bool { return p[i].lat >= lat-span })
	var out []found
	for _, pl := range p[from:] {
		if pl.lat > lat+span {
			break
		}
		if d := metres(lat, lon, pl.lat, pl.lon); d <= radius {
			out = append(out, found{pl.id, d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].metres < out[j].metres })
	return out
}

// metres is the great-circle distance between two points.
func metres(lat1, lon1, lat2, lon2 float64) float64 {
	const earth = 6371000.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earth * math.Asin(math.Sqrt(h))
}
