package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// BenchmarkRegion measures the hub recomputing and publishing, to a real
// Mosquitto, the documents of a region of 35,000 stops and 1,000 lines:
// after a network-wide alert, and after one line's alert. Each figure is
// from the alert's arrival to the broker's acknowledgement of the last
// document. Run by scripts/bench-hub.sh, which prints the figures.
func BenchmarkRegion(b *testing.B) {
	net, err := sample.Region(35000, 1000, 40)
	if err != nil {
		b.Fatal(err)
	}
	broker := mqtttest.Start(b)
	client := newPublisher(mqtt.Options{Broker: broker.URL, ClientID: "bench-hub", Logger: (&testkit.Log{}).Logger()})
	ctx := context.Background()
	if err := mqtt.Connect(ctx, client); err != nil {
		b.Fatal(err)
	}
	defer client.Disconnect(100)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.Run("network-wide", func(b *testing.B) {
		var total time.Duration
		for i := 0; i < b.N; i++ {
			s := NewState(net, quiet)
			wide := []halte.FeedAlert{{Alert: halte.Alert{ID: "strike", Version: 1, Effect: halte.NoService,
				Header: halte.Text{"nl": fmt.Sprintf("Staking %d: geen trams en bussen.", i)}},
				Selectors: []halte.Selector{{Agency: halte.AnyAgency}}}}
			t0 := time.Now()
			docs := s.Plan(s.ReplaceFeed("feed", wide, t0), t0)
			publish(ctx, client, docs, nil, quiet)
			total += time.Since(t0)
			b.ReportMetric(float64(len(docs)), "stops")
		}
		b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms")
	})
	b.Run("one-line", func(b *testing.B) {
		s := NewState(net, quiet)
		var total time.Duration
		for i := 0; i < b.N; i++ {
			a := halte.Alert{ID: "line", Version: uint64(i + 1), Effect: halte.Detour, Lines: []halte.Line{{ID: "r500"}},
				Header: halte.Text{"nl": fmt.Sprintf("Omleiding %d.", i)}}
			raw, _ := json.Marshal(a)
			t0 := time.Now()
			docs := s.Plan(s.ApplyAlert("line", raw), t0)
			publish(ctx, client, docs, nil, quiet)
			total += time.Since(t0)
			b.ReportMetric(float64(len(docs)), "stops")
		}
		b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms")
	})
}
