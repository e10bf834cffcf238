package hub

import (
	"maps"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/halte-transit/halte"
)

// metrics are the hub's Prometheus metrics. The sender counts what it
// publishes; the loop, after each event, leaves a copy of its counters
// (which only it may touch) for a scrape to read.
type metrics struct {
	published, notPublished prometheus.Counter
	publishSeconds          prometheus.Histogram

	mu         sync.Mutex
	refused    map[halte.Reason]int
	skipped    map[string]int
	feedErrors map[string]int
	stops      int
	lost       int
	synced     bool
}

var (
	refusedDesc = prometheus.NewDesc("halte_hub_operator_alerts_refused_total",
		"Operator alerts refused, by reason.", []string{"reason"}, nil)
	skippedDesc = prometheus.NewDesc("halte_hub_feed_items_skipped_total",
		"What feeds said that the hub could not place (an unknown stop, effect or condition).", []string{"item"}, nil)
	feedErrorsDesc = prometheus.NewDesc("halte_hub_feed_errors_total",
		"Feed polls that could not be read or decoded (the last good content stays in force).", []string{"source"}, nil)
	stopsDesc = prometheus.NewDesc("halte_hub_stops",
		"Stops with a published document.", nil, nil)
	lostDesc = prometheus.NewDesc("halte_hub_documents_lost_total",
		"Stop documents the broker acknowledged and then no longer held; each was published again.", nil, nil)
	syncedDesc = prometheus.NewDesc("halte_hub_synchronized",
		"1 once the hub has read the broker's retained documents and publishes.", nil, nil)
)

// newMetrics makes the hub's metrics and registers them with reg, if not nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		published: prometheus.NewCounter(prometheus.CounterOpts{Name: "halte_hub_documents_published_total",
			Help: "Stop documents the broker acknowledged."}),
		notPublished: prometheus.NewCounter(prometheus.CounterOpts{Name: "halte_hub_documents_not_published_total",
			Help: "Stop documents the broker did not acknowledge."}),
		publishSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "halte_hub_publish_seconds",
			Help: "Time to publish a batch of stop documents, until the last acknowledgement.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 8)}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.published, m.notPublished, m.publishSeconds, m} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// sent counts a batch: how many of n documents were acknowledged, and how long it took.
func (m *metrics) sent(acknowledged, n int, took time.Duration) {
	m.published.Add(float64(acknowledged))
	m.notPublished.Add(float64(n - acknowledged))
	m.publishSeconds.Observe(took.Seconds())
}

// observe copies the loop's counters; only the loop calls it.
func (m *metrics) observe(s *State, feedErrors map[string]int, synced bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refused = maps.Clone(s.Rejected)
	m.skipped = maps.Clone(s.Skipped)
	m.feedErrors = maps.Clone(feedErrors)
	m.stops = len(s.published)
	m.lost = s.Lost
	m.synced = synced
}

// Describe is part of prometheus.Collector.
func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{refusedDesc, skippedDesc, feedErrorsDesc, stopsDesc, lostDesc, syncedDesc} {
		ch <- d
	}
}

// Collect is part of prometheus.Collector.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for reason, n := range m.refused {
		ch <- prometheus.MustNewConstMetric(refusedDesc, prometheus.CounterValue, float64(n), string(reason))
	}
	for item, n := range m.skipped {
		ch <- prometheus.MustNewConstMetric(skippedDesc, prometheus.CounterValue, float64(n), item)
	}
	for src, n := range m.feedErrors {
		ch <- prometheus.MustNewConstMetric(feedErrorsDesc, prometheus.CounterValue, float64(n), src)
	}
	ch <- prometheus.MustNewConstMetric(stopsDesc, prometheus.GaugeValue, float64(m.stops))
	ch <- prometheus.MustNewConstMetric(lostDesc, prometheus.CounterValue, float64(m.lost))
	synced := 0.0
	if m.synced {
		synced = 1
	}
	ch <- prometheus.MustNewConstMetric(syncedDesc, prometheus.GaugeValue, synced)
}
