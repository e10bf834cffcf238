//go:build !device

package main

import (
	"slices"
	"testing"
)

// TestFleetNamesEveryProblem: each part a device reports unwell is named.
func TestFleetNamesEveryProblem(t *testing.T) {
	d := deviceStatus{Online: true, Audio: "no sound card", Store: "no space left on device"}
	d.Signal.Stale = true
	want := []string{"audio: no sound card", "state file: no space left on device", "information out of date"}
	if got := d.problems(); !slices.Equal(got, want) {
		t.Fatalf("problems %q, want %q", got, want)
	}
	if got := (deviceStatus{Online: true, Audio: "ok", Store: "ok"}).problems(); len(got) != 0 {
		t.Fatalf("a healthy device has problems %q", got)
	}
}
