package gtfs_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
