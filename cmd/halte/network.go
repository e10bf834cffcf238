//go:build !device

package main

import (
	"slices"
	"time"

	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/tts/phrases"
)

// zoneOf is the time zone in which times are said: tz if given, else the
// GTFS agency's, else Europe/Brussels.
func zoneOf(tz string, net *gtfs.Network) (*time.Location, error) {
	switch {
	case tz != "":
	case net.Timezone != "":
		tz = net.Timezone
	default:
		tz = "Europe/Brussels"
	}
	return time.LoadLocation(tz)
}

// defaultLanguage is the GTFS agency's language if halte speaks it, else
// Dutch.
func defaultLanguage(net *gtfs.Network) string {
	if slices.Contains(phrases.Languages, net.Language) {
		return net.Language
	}
	return "nl"
}
