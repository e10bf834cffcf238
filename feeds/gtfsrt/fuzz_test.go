package gtfsrt_test

import (
	"os"
	"testing"

	rt "github.com/MobilityData/gtfs-realtime-bindings/golang/gtfs"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfsrt"
)

// FuzzDecode: no feed panics the decoder, in any rendering; each alert it
// gives has an id that can stand in a topic and an effect halte knows.
// Seeds: the project's De Lijn-shaped fixture as text, binary and JSON.
func FuzzDecode(f *testing.F) {
	text, err := os.ReadFile("testdata/delijn-detour.txtpb")
	if err != nil {
		f.Fatal(err)
	}
	msg := &rt.FeedMessage{}
	if err := prototext.Unmarshal(text, msg); err != nil {
		f.Fatal(err)
	}
	binary, _ := proto.Marshal(msg)
	js, _ := protojson.Marshal(msg)
	for _, seed := range [][]byte{text, binary, js, []byte(`{"header":{"gtfs_realtime_version":"2.0"}}`)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		alerts, err := gtfsrt.Decode(data, gtfsrt.Options{Prefix: "fz:", Language: "nl"})
		if err != nil {
			return
		}
		for _, fa := range alerts {
			a := fa.Alert
			a.Stops = []string{"s"} // what the hub adds once it has placed it
			if err := a.Validate(); err != nil {
				t.Fatalf("decoded an alert the hub could not publish: %v (%+v)", err, fa.Alert)
			}
			if _, err := halte.ParseEffect(string(a.Effect)); err != nil {
				t.Fatalf("unknown effect %q", a.Effect)
			}
		}
	})
}
