package identifiers

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metric names the collector exports.
const (
	MetricRemaining = "ferry_identifiers_remaining"
	MetricCapacity  = "ferry_identifiers_capacity"
)

var (
	remainingDesc = prometheus.NewDesc(MetricRemaining,
		"Codes left to allocate in each identifier block (for an ISRC block that restarts each year, in the current year).",
		[]string{"kind", "block"}, nil)
	capacityDesc = prometheus.NewDesc(MetricCapacity,
		"Codes each identifier block holds (per year for an ISRC block that restarts each year).",
		[]string{"kind", "block"}, nil)
)

// Collector exports each block's remaining and capacity counts, read
// from the journal at every scrape (the journal is shared with other
// daemons, so a counter kept in memory would be wrong). Register it on
// the daemon's registry; a nil allocator exports nothing, which lets
// tests list the metric names.
type Collector struct {
	a *Allocator
}

// NewCollector returns the collector of a's blocks.
func NewCollector(a *Allocator) *Collector { return &Collector{a: a} }

// Describe sends the two metric descriptions.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- remainingDesc
	ch <- capacityDesc
}

// Collect reads the pools; when the journal cannot be read it reports
// the error as an invalid metric, so the scrape shows it.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	if c.a == nil {
		return
	}
	pools, err := c.a.Pools()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(remainingDesc, err)
		return
	}
	for _, p := range pools {
		ch <- prometheus.MustNewConstMetric(remainingDesc, prometheus.GaugeValue, float64(p.Remaining), string(p.Kind), p.Block)
		ch <- prometheus.MustNewConstMetric(capacityDesc, prometheus.GaugeValue, float64(p.Size), string(p.Kind), p.Block)
	}
}
