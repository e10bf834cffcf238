package gtfs_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/internal/testkit"
)

func TestSampleGhent(t *testing.T) {
	n := sample.GhentNetwork()
	if n.Timezone != "Europe/Brussels" {
		t.Fatalf("timezone %q", n.Timezone)
	}
	if r := n.Routes["T1"]; r.Name != "1" || r.Mode != halte.Tram {
		t.Fatalf("route T1 = %+v, want tram 1", r)
	}
	if !slices.Contains(n.RouteStops("T1"), "200101") || slices.Contains(n.RouteStops("B70"), "200101") {
		t.Fatalf("T1 serves %v, B70 serves %v", n.RouteStops("T1"), n.RouteStops("B70"))
	}
	if got := n.Children("korenmarkt"); !slices.Equal(got, []string{"200101", "200102"}) {
		t.Fatalf("platforms of korenmarkt = %v", got)
	}
}

func TestBARTZip(t *testing.T) {
	n, err := gtfs.Load(testkit.Corpus(t, "gtfs_static/bart/bart.zip"))
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Stops["FTVL"].Name; got != "Fruitvale" {
		t.Fatalf("FTVL is %q, want Fruitvale", got)
	}
	if len(n.RouteStops("05")) == 0 || !slices.Contains(n.RouteStops("05"), "FTVL") {
		t.Fatalf("route 05 serves %v; want FTVL among them", n.RouteStops("05"))
	}
}

func TestLoadErrorsNameTheProblem(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "stops.txt"), []byte("name\nx\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := gtfs.Load(dir)
	if err == nil || !strings.Contains(err.Error(), `stops.txt: no column "stop_id"`) {
		t.Fatalf("got %v, want an error naming stops.txt and stop_id", err)
	}
	if _, err := gtfs.Load(filepath.Join(dir, "nothing")); err == nil {
		t.Fatal("a missing path loaded")
	}
}

func TestPatternIsTheTripOrder(t *testing.T) {
	n := sample.GhentNetwork()
	got, err := n.Pattern("T1", "0")
	if want := []string{"200601", "200201", "200701", "200101", "200401", "200501", "200901"}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("T1 direction 0: %v, %v; want %v", got, err, want)
	}
	if got, _ := n.Pattern("T1", "1"); got[0] != "200901" || got[3] != "200102" {
		t.Fatalf("T1 direction 1: %v, want it from Evergem Brielken through Korenmarkt platform 2", got)
	}
	if _, err := n.Pattern("T9", "0"); err == nil || !strings.Contains(err.Error(), `route "T9" is not in the GTFS`) {
		t.Fatalf("unknown route: %v", err)
	}
	if _, err := n.Pattern("T4", "1"); err == nil || !strings.Contains(err.Error(), `no trips in direction "1"`) {
		t.Fatalf("a direction without trips: %v", err)
	}
}

func TestPatternIsTheMostCommonOne(t *testing.T) {
	// Two trips call at a, b, c (listed out of order); a short working
	// calls at a, c only; BART's zip is read again from the file.
	fsys := fstest.MapFS{
		"stops.txt":      {Data: []byte("stop_id,stop_name\na,A\nb,B\nc,C\n")},
		"routes.txt":     {Data: []byte("route_id,route_short_name,route_type\nr,1,3\n")},
		"trips.txt":      {Data: []byte("route_id,service_id,trip_id,direction_id\nr,s,t1,0\nr,s,t2,0\nr,s,t3,0\n")},
		"stop_times.txt": {Data: []byte("trip_id,stop_id,stop_sequence\nt1,c,30\nt1,a,10\nt1,b,20\nt3,a,1\nt3,c,2\nt2,a,1\nt2,b,2\nt2,c,3\n")},
	}
	n, err := gtfs.LoadFS(fsys, "test")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := n.Pattern("r", ""); err != nil || !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("%v, %v; want a, b, c", got, err)
	}
	bart, err := gtfs.Load(testkit.Corpus(t, "gtfs_static/bart/bart.zip"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := bart.Pattern("05", ""); err != nil || len(got) < 10 || !slices.Contains(got, "FTVL") {
		t.Fatalf("BART route 05: %v, %v", got, err)
	}
}
