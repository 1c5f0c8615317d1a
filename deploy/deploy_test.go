package deploy

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/pipeline"
	"github.com/ferrydelivery/ferry/stages/identifiers"
)

// exportedNames is every metric family a running ferry registers: its own
// series plus the Go runtime and process ones (`ferry run` registers both).
func exportedNames(t *testing.T) map[string]bool {
	t.Helper()
	m := pipeline.NewMetrics(nil)
	m.RegisterGoCollectors()
	// The identifier blocks' counts, registered by `ferry run` when
	// [identifiers] has blocks.
	m.Registry.MustRegister(identifiers.NewCollector(nil))
	names := map[string]bool{}
	for _, n := range m.MetricNames() {
		names[n] = true
	}
	if !names["ferry_build_info"] || !names["ferry_stage_items"] {
		t.Fatalf("MetricNames misses ferry's own families: %v", m.MetricNames())
	}
	return names
}

// metricRef finds metric names in PromQL, loosely: identifiers with the
// prefixes ferry exports. Label names and values never start this way.
var metricRef = regexp.MustCompile(`\b(?:ferry|go|process)_[a-z0-9_]*[a-z0-9]\b`)

// seriesSuffixes are the extra series of histograms and summaries.
var seriesSuffixes = []string{"_bucket", "_sum", "_count"}

// unknownMetrics returns the metric names in text that ferry does not
// export, sorted; histogram and summary series map to their family.
func unknownMetrics(text string, exported map[string]bool) []string {
	seen := map[string]bool{}
	for _, name := range metricRef.FindAllString(text, -1) {
		if exported[name] {
			continue
		}
		family := false
		for _, s := range seriesSuffixes {
			if base, ok := strings.CutSuffix(name, s); ok && exported[base] {
				family = true
			}
		}
		if !family {
			seen[name] = true
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func TestUnknownMetrics(t *testing.T) {
	exported := map[string]bool{"ferry_ack_latency_seconds": true, "ferry_acks_total": true, "up": true}
	cases := []struct {
		name string
		expr string
		want []string
	}{
		{"exported counter", `sum by (dsp) (increase(ferry_acks_total{job="ferry"}[1h]))`, nil},
		{"histogram bucket", `histogram_quantile(0.9, rate(ferry_ack_latency_seconds_bucket[5m]))`, nil},
		{"histogram sum and count", `ferry_ack_latency_seconds_sum / ferry_ack_latency_seconds_count`, nil},
		{"misspelt name", `rate(ferry_ack_total[5m]) + ferry_acks_totals`, []string{"ferry_ack_total", "ferry_acks_totals"}},
		{"a series suffix passes on any family (loose by design)", `ferry_acks_total_count`, nil},
		{"label value ferry is not a metric", `up{job="ferry"}`, nil},
		{"go and process names are checked", `go_goroutines + process_open_fds`, []string{"go_goroutines", "process_open_fds"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := unknownMetrics(c.expr, exported); !slices.Equal(got, c.want) {
				t.Errorf("unknownMetrics(%q) = %v, want %v", c.expr, got, c.want)
			}
		})
	}
}

// requireTool returns the path of a tool the tests need: missing, the test
// is skipped with a message, except under CI=true, where it fails.
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := name + " not found: install it (apt-get install " + pkg + ") to run this test"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
