package siri_test

import (
	"os"
	"testing"

	"github.com/halte-transit/halte/feeds/siri"
)

// FuzzDecode: no document panics the SIRI-SX decoder; each alert it gives
// validates once the hub has placed it. Seeds: the project's Ghent fixture.
func FuzzDecode(f *testing.F) {
	doc, err := os.ReadFile("testdata/gent-situations.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc)
	f.Add([]byte(`<Siri xmlns="http://www.siri.org.uk/siri"/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		alerts, err := siri.Decode(data, siri.Options{Prefix: "fz:", Language: "nl"})
		if err != nil {
			return
		}
		for _, fa := range alerts {
			a := fa.Alert
			a.Stops = []string{"s"} // what the hub adds once it has placed it
			if err := a.Validate(); err != nil {
				t.Fatalf("decoded an alert the hub could not publish: %v (%+v)", err, fa.Alert)
			}
		}
	})
}
