package hub_test

import (
	"encoding/json"
	"testing"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/hub"
)

// FuzzApplyAlert: no operator payload panics the hub; one it refuses is
// counted and changes no stop's document. Seeds: an alert, an update of
// the alert in force, a cancel, and garbage.
func FuzzApplyAlert(f *testing.F) {
	inForce, _ := json.Marshal(halte.Alert{ID: "a1", Version: 1, Effect: halte.NoService, Lines: []halte.Line{{ID: "T1"}}})
	for _, a := range []halte.Alert{
		{ID: "fz", Version: 5, Effect: halte.Detour, Stops: []string{"200101"}, Header: halte.Text{"nl": "Omleiding."}},
		{ID: "fz", Version: 7, Cancelled: true},
	} {
		raw, _ := json.Marshal(a)
		f.Add(raw)
	}
	f.Add([]byte(`{"id":"fz","version":1,"effect":"NO_SERVICE","stops":["nowhere"]}`))
	f.Add([]byte(`{"id":`))
	net := sample.GhentNetwork()
	f.Fuzz(func(t *testing.T, raw []byte) {
		s := hub.NewState(net, quiet)
		s.Plan(s.ApplyAlert("a1", inForce), t0)
		refused := count(s.Rejected)
		touched := s.ApplyAlert("fz", raw)
		if count(s.Rejected) == refused {
			return // taken
		}
		if len(touched) > 0 {
			t.Fatalf("a refused alert touched stops %v", touched)
		}
		if docs := s.Plan(s.KnownStops(), t0); len(docs) > 0 {
			t.Fatalf("a refused alert changed %d documents", len(docs))
		}
	})
}

func count(m map[halte.Reason]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
