package pipeline

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/watch"
)

// Version is ferry's version, set at build time with
// -ldflags "-X github.com/ferrydelivery/ferry/pipeline.Version=…".
var Version = "dev"

// Result label values of ferry_stage_processed_total.
const (
	resultOK     = "ok"
	resultFailed = "failed"
	resultRetry  = "retry"
)

// Metrics are ferry's Prometheus series. Labels are bounded: stage, dsp,
// result, reason; never a release name.
type Metrics struct {
	Registry *prometheus.Registry

	inflight     *prometheus.GaugeVec
	processedC   *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	uploadBytes  *prometheus.CounterVec
	uploadFiles  *prometheus.CounterVec
	skippedBytes *prometheus.CounterVec
	skippedFiles *prometheus.CounterVec
	retries      *prometheus.CounterVec
	acks         *prometheus.CounterVec
	ackLatency   *prometheus.HistogramVec
	hashBytes    prometheus.Counter
	cacheHits    prometheus.Counter
	cacheMisses  prometheus.Counter
	watchEvents  prometheus.Counter
	watchRescans *prometheus.CounterVec
	watchMode    *prometheus.GaugeVec
	recordFails  prometheus.Counter
	releases     *prometheus.GaugeVec
	dspUpG       *prometheus.GaugeVec
	layout       *Layout
	// notifications counts webhook events by result.
	notifications *prometheus.CounterVec
	// entered says when the item at path entered its stage (its record's
	// stage-entry time); nil: the folder's ctime.
	entered func(path string, ctime time.Time) time.Time
}

// NewMetrics registers ferry's series on reg (a new registry when nil).
func NewMetrics(reg *prometheus.Registry) *Metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &Metrics{Registry: reg}
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m.inflight = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ferry_stage_in_flight",
		Help: "Items a worker of this daemon is working on, per stage."}, []string{"stage"})
	m.processedC = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_stage_processed_total",
		Help: "Items a stage finished, by DSP (empty before fan-out) and result (ok, failed, retry)."}, []string{"stage", "dsp", "result"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ferry_stage_duration_seconds",
		Help: "Time a stage took for an item that moved on.", Buckets: prometheus.ExponentialBuckets(0.01, 4, 10)}, []string{"stage"})
	m.uploadBytes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_upload_bytes_total",
		Help: "Bytes uploaded to each DSP."}, []string{"dsp"})
	m.uploadFiles = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_upload_files_total",
		Help: "Files uploaded to each DSP."}, []string{"dsp"})
	m.skippedBytes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_upload_skipped_bytes_total",
		Help: "Bytes not uploaded because the DSP already has them (same hash and size)."}, []string{"dsp"})
	m.skippedFiles = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_upload_skipped_files_total",
		Help: "Files not uploaded because the DSP already has them."}, []string{"dsp"})
	m.retries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_retries_total",
		Help: "Transient failures retried, per DSP."}, []string{"dsp"})
	m.acks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_acks_total",
		Help: "Acknowledgement outcomes per DSP (accepted, rejected, timeout)."}, []string{"dsp", "result"})
	m.ackLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ferry_ack_latency_seconds",
		Help: "Time from the end of an upload to the DSP's acknowledgement.", Buckets: prometheus.ExponentialBuckets(1, 4, 10)}, []string{"dsp"})
	m.hashBytes = prometheus.NewCounter(prometheus.CounterOpts{Name: "ferry_hash_bytes_total",
		Help: "Bytes read and hashed (BLAKE3 and the DSP's HashSum in one pass)."})
	m.cacheHits = prometheus.NewCounter(prometheus.CounterOpts{Name: "ferry_hash_cache_hits_total",
		Help: "Files whose hashes came from the cache, without reading them."})
	m.cacheMisses = prometheus.NewCounter(prometheus.CounterOpts{Name: "ferry_hash_cache_misses_total",
		Help: "Files that had to be read to be hashed."})
	m.watchEvents = prometheus.NewCounter(prometheus.CounterOpts{Name: "ferry_watch_events_total",
		Help: "Filesystem events received from the inbox watcher."})
	m.watchRescans = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_watch_rescans_total",
		Help: "Full inbox rescans, by reason."}, []string{"reason"})
	m.watchMode = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ferry_watch_mode",
		Help: "1 for the inbox watch mode in use (notify or poll)."}, []string{"mode"})
	m.recordFails = prometheus.NewCounter(prometheus.CounterOpts{Name: "ferry_record_write_failures_total",
		Help: "Writes of an item's record (state, history, ERRORS.txt, delivery, ledger) that failed; the item waited in its stage."})
	m.dspUpG = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ferry_dsp_up",
		Help: "1 when the DSP answered the last time ferry talked to it (or was not tried yet), 0 when that failed, as /readyz reports."}, []string{"dsp"})
	m.releases = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ferry_releases",
		Help: "Releases in the catalogue per DSP and platform state (delivering, live, rejected, failed, taken-down, purged), from the ledger, refreshed every minute."}, []string{"dsp", "state"})
	m.notifications = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_notifications_total",
		Help: "Webhook notifications by result: sent, failed (given up after retries), dropped (queue full)."}, []string{"result"})
	for _, r := range []string{"sent", "failed", "dropped"} {
		m.notifications.WithLabelValues(r)
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ferry_build_info",
		Help: "Always 1; labels say which ferry is running: version, Go version, VCS revision, its commit time and whether the tree was modified."},
		[]string{"version", "goversion", "revision", "vcs_time", "modified"})
	b := Build()
	build.WithLabelValues(b.Version, b.GoVersion, b.Revision, b.Time, strconv.FormatBool(b.Modified)).Set(1)
	for _, c := range []prometheus.Collector{m.inflight, m.processedC, m.duration, m.uploadBytes, m.uploadFiles,
		m.skippedBytes, m.skippedFiles, m.retries, m.acks, m.ackLatency, m.hashBytes, m.cacheHits, m.cacheMisses,
		m.watchEvents, m.watchRescans, m.watchMode, m.recordFails, m.releases, m.dspUpG, m.notifications, build, stageCollector{m}} {
		f(c)
	}
	for _, s := range workStages {
		m.inflight.WithLabelValues(string(s))
		m.duration.WithLabelValues(string(s))
	}
	// Series that exist before the first event: a rate or increase skips a
	// series' first sample, so the first failure after a restart would
	// not show otherwise. Before fan-out an item has no DSP.
	for _, s := range []Stage{Inbox, Validated} {
		for _, r := range []string{resultOK, resultFailed, resultRetry} {
			m.processedC.WithLabelValues(string(s), "", r)
		}
	}
	m.retries.WithLabelValues("")
	for _, r := range watch.RescanReasons {
		m.watchRescans.WithLabelValues(r)
	}
	return m
}

// RegisterGoCollectors adds the Go runtime and process series.
func (m *Metrics) RegisterGoCollectors() {
	m.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// MetricNames lists, sorted, the name of every metric family registered on
// m.Registry: ferry's own series and, after RegisterGoCollectors, the Go
// runtime and process ones. It reads the collectors' descriptions, so a
// series is listed even before it has a value. Tests use it to check that
// the Grafana dashboard and the alerting rules query only what ferry
// exports.
func (m *Metrics) MetricNames() []string {
	ch := make(chan *prometheus.Desc)
	go func() { m.Registry.Describe(ch); close(ch) }()
	seen := map[string]bool{}
	for d := range ch {
		// Desc has no accessor for its name; String() starts with it, quoted.
		rest, ok := strings.CutPrefix(d.String(), "Desc{fqName: ")
		if !ok {
			continue
		}
		if q, err := strconv.QuotedPrefix(rest); err == nil {
			if name, err := strconv.Unquote(q); err == nil {
				seen[name] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// watchLayout makes the per-stage gauges count the folders of a root.
func (m *Metrics) watchLayout(l Layout) { m.layout = &l }

// initDSP sets a DSP's series to zero so dashboards and alerts see them
// before the first event.
func (m *Metrics) initDSP(dsp string) {
	m.uploadBytes.WithLabelValues(dsp)
	m.uploadFiles.WithLabelValues(dsp)
	m.skippedBytes.WithLabelValues(dsp)
	m.skippedFiles.WithLabelValues(dsp)
	m.retries.WithLabelValues(dsp)
	m.ackLatency.WithLabelValues(dsp)
	m.dspUpG.WithLabelValues(dsp).Set(1)
	for _, r := range []string{"accepted", "rejected", "timeout"} {
		m.acks.WithLabelValues(dsp, r)
	}
	for _, s := range []Stage{Validated, Packaged, Uploaded} {
		for _, r := range []string{resultOK, resultFailed, resultRetry} {
			m.processedC.WithLabelValues(string(s), dsp, r)
		}
	}
}

func (m *Metrics) inFlight(s Stage, delta float64) { m.inflight.WithLabelValues(string(s)).Add(delta) }

func (m *Metrics) processed(s Stage, dsp, result string, took time.Duration) {
	m.processedC.WithLabelValues(string(s), dsp, result).Inc()
	if result == resultOK {
		m.duration.WithLabelValues(string(s)).Observe(took.Seconds())
	}
}

func (m *Metrics) uploaded(dsp string, st delivery.UploadStats) {
	m.uploadBytes.WithLabelValues(dsp).Add(float64(st.Bytes))
	m.uploadFiles.WithLabelValues(dsp).Add(float64(st.Files))
	m.skippedBytes.WithLabelValues(dsp).Add(float64(st.SkippedBytes))
	m.skippedFiles.WithLabelValues(dsp).Add(float64(st.SkippedFiles))
}

func (m *Metrics) dspUp(dsp string, up bool) {
	v := 0.0
	if up {
		v = 1
	}
	m.dspUpG.WithLabelValues(dsp).Set(v)
}

func (m *Metrics) retry(dsp string) { m.retries.WithLabelValues(dsp).Inc() }

func (m *Metrics) recordWriteFailed() { m.recordFails.Inc() }

// catalogue sets ferry_releases from the catalogue's counts; every DSP
// has every state, at zero when it has none.
func (m *Metrics) catalogue(dsps []string, counts map[[2]string]int) {
	for _, dsp := range dsps {
		for _, st := range []string{record.StateDelivering, record.StateLive, record.StateRejected, record.StateFailed, record.StateTakenDown, record.StatePurged} {
			m.releases.WithLabelValues(dsp, st).Set(float64(counts[[2]string{dsp, st}]))
		}
	}
}

func (m *Metrics) ack(dsp, result string, latency time.Duration) {
	m.acks.WithLabelValues(dsp, result).Inc()
	if result == "accepted" || result == "rejected" {
		m.ackLatency.WithLabelValues(dsp).Observe(latency.Seconds())
	}
}

// hashMetrics adapts the counters to the hash cache's hooks.
func (m *Metrics) hashMetrics() hashMetrics { return hashMetrics{m} }

type hashMetrics struct{ m *Metrics }

func (h hashMetrics) Hashed(n int64) { h.m.hashBytes.Add(float64(n)) }
func (h hashMetrics) CacheHit()      { h.m.cacheHits.Inc() }
func (h hashMetrics) CacheMiss()     { h.m.cacheMisses.Inc() }

// watchMetrics adapts the counters to the inbox watcher's hooks.
func (m *Metrics) watchMetrics() watchMetrics { return watchMetrics{m} }

type watchMetrics struct{ m *Metrics }

func (w watchMetrics) Events(n int)         { w.m.watchEvents.Add(float64(n)) }
func (w watchMetrics) Rescan(reason string) { w.m.watchRescans.WithLabelValues(reason).Inc() }
func (w watchMetrics) Mode(mode string) {
	w.m.watchMode.Reset()
	w.m.watchMode.WithLabelValues(mode).Set(1)
}

// stageCollector reads the stage folders at scrape time: the folder is
// the state, so counting it is exact even with several daemons on one
// root.
type stageCollector struct{ m *Metrics }

var (
	itemsDesc = prometheus.NewDesc("ferry_stage_items", "Items present in each stage folder (claimed ones included).",
		[]string{"stage"}, nil)
	oldestDesc = prometheus.NewDesc("ferry_stage_oldest_item_timestamp_seconds",
		"Unix time at which the oldest item still in the stage entered it (0 when empty).", []string{"stage"}, nil)
)

func (c stageCollector) Describe(ch chan<- *prometheus.Desc) { ch <- itemsDesc; ch <- oldestDesc }

func (c stageCollector) Collect(ch chan<- prometheus.Metric) {
	if c.m.layout == nil {
		return
	}
	for _, s := range Stages {
		n, oldest := countStage(*c.m.layout, s, c.m.entered)
		ch <- prometheus.MustNewConstMetric(itemsDesc, prometheus.GaugeValue, float64(n), string(s))
		ts := 0.0
		if !oldest.IsZero() {
			ts = float64(oldest.UnixNano()) / 1e9
		}
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, ts, string(s))
	}
}

// countStage counts a stage's items, claimed ones included, and finds
// when the oldest entered. Every claim is a rename, which resets a
// folder's ctime, so the time comes from the item's record (entered)
// where there is one: an item polled for its acknowledgement every minute
// still shows its real age.
func countStage(l Layout, s Stage, entered func(string, time.Time) time.Time) (int, time.Time) {
	var oldest time.Time
	n := 0
	visit := func(dir string) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if hidden(e.Name()) {
				continue
			}
			n++
			if fi, err := e.Info(); err == nil {
				t := changeTime(fi)
				if entered != nil {
					t = entered(filepath.Join(dir, e.Name()), t)
				}
				if oldest.IsZero() || t.Before(oldest) {
					oldest = t
				}
			}
		}
	}
	visit(l.Dir(s))
	nodes, _ := os.ReadDir(filepath.Join(l.Dir(s), claimsDir))
	for _, nd := range nodes {
		visit(filepath.Join(l.Dir(s), claimsDir, nd.Name()))
	}
	return n, oldest
}

func changeTime(fi os.FileInfo) time.Time {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Ctim.Sec, st.Ctim.Nsec)
	}
	return fi.ModTime()
}
