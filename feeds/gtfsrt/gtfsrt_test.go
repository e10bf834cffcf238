package gtfsrt_test

import (
	"os"
	"strings"
	"testing"

	rt "github.com/MobilityData/gtfs-realtime-bindings/golang/gtfs"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfsrt"
)

// fixtureBinary is the project's Ghent fixture as binary protobuf.
func fixtureBinary(t *testing.T) []byte {
	t.Helper()
	text, err := os.ReadFile("testdata/delijn-detour.txtpb")
	if err != nil {
		t.Fatal(err)
	}
	msg := &rt.FeedMessage{}
	if err := prototext.Unmarshal(text, msg); err != nil {
		t.Fatal(err)
	}
	b, err := proto.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGhentFixture(t *testing.T) {
	alerts, err := gtfsrt.Decode(fixtureBinary(t), gtfsrt.Options{Prefix: "delijn:", Language: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 2 {
		t.Fatalf("%d alerts", len(alerts))
	}
	detour, stops := alerts[0], alerts[1]
	a := detour.Alert
	if a.ID != "delijn:omleiding-2026-1234" || a.Effect != halte.Detour || a.Severity != halte.Warning || a.Cause != "CONSTRUCTION" {
		t.Fatalf("detour %+v", a)
	}
	if a.Speech["nl"] != "Tram 1 rijdt een omleiding door werken aan het Gravensteen. Neem tram 4 aan de Korenmarkt." ||
		a.Speech["fr"] != "Le tram 1 est dévié pour des travaux au Gravensteen. Prenez le tram 4 au Korenmarkt." {
		t.Fatalf("speech texts %q", a.Speech)
	}
	if a.Header["fr"] == "" || a.Description["nl"] == "" || a.URL["nl"] == "" || len(a.Periods) != 1 || a.Periods[0].End.Unix() != 1796335200 {
		t.Fatalf("texts or period lost: %+v", a)
	}
	if detour.Selectors[0] != (halte.Selector{Agency: "DL", Route: "T1", RouteType: "0"}) {
		t.Fatalf("selector %+v", detour.Selectors[0])
	}
	if len(stops.Selectors) != 2 || stops.Selectors[1] != (halte.Selector{Route: "T1", Stop: "200501", Direction: "0"}) {
		t.Fatalf("stop selectors %+v", stops.Selectors)
	}
}

func TestSpotChecksInTheCorpus(t *testing.T) {
	files := corpusFiles(t)
	find := func(name string) []halte.FeedAlert {
		for _, f := range files {
			if strings.HasSuffix(f, name) {
				return decodeFile(t, f)
			}
		}
		t.Fatalf("%s not in the corpus", name)
		return nil
	}
	bart := find("bart/bart-alerts.pb")[0]
	if bart.Alert.Effect != halte.SignificantDelays || bart.Alert.Cause != "MEDICAL_EMERGENCY" ||
		!strings.Contains(bart.Alert.Header["en-US"], "major delay at Montgomery St.") || bart.Selectors[0].Agency != "BART" {
		t.Fatalf("BART: %+v", bart)
	}
	var ftvl bool
	for _, fa := range find("bart/BA-alerts.json") {
		for _, s := range fa.Selectors {
			ftvl = ftvl || s.Stop == "FTVL"
		}
	}
	if !ftvl {
		t.Fatal("BART JSON: the alert on stop FTVL is lost")
	}
	brest := find("bibus_brest/bibus-brest-gtfs-rt-alerts.pb")[0]
	if brest.Alert.Effect != halte.Detour || brest.Selectors[0].Route != "45" || !strings.Contains(brest.Alert.Description["en"], "Arrêts non desservis") {
		t.Fatalf("Brest (no language: the default one): %+v", brest.Alert)
	}
	closed := find("mbta/alerts_enhanced_closed.json")
	if len(closed) != 1 || closed[0].Alert.Effect == "" {
		t.Fatalf("MBTA enhanced: %+v", closed)
	}
}

func TestBadFeedsAreClearErrors(t *testing.T) {
	good := fixtureBinary(t)
	cases := map[string][]byte{
		"truncated protobuf":     good[:len(good)/2],
		"empty":                  {},
		"not a feed":             []byte("\x08\x96\x01 just some bytes"),
		"broken JSON":            []byte(`{"header": {"gtfs_realtime_version": "2.0"}, "entity": [`),
		"JSON of something else": []byte(`{"hello": "world"}`),
	}
	for name, body := range cases {
		if _, err := gtfsrt.Decode(body, gtfsrt.Options{}); err == nil {
			t.Errorf("%s: decoded without error", name)
		} else if !strings.Contains(err.Error(), "GTFS-Realtime") {
			t.Errorf("%s: error %q does not say what was read", name, err)
		}
	}
}
