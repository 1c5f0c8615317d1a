package identifiers

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestCollector(t *testing.T) {
	a := openTest(t, t.TempDir(), testConfig(), fixedClock("2026-03-01T00:00:00Z"))
	if _, err := a.Allocate("r", UPC, ISRC, ISRC); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(a))
	want := `
# HELP ferry_identifiers_remaining Codes left to allocate in each identifier block (for an ISRC block that restarts each year, in the current year).
# TYPE ferry_identifiers_remaining gauge
ferry_identifiers_remaining{block="2425G",kind="grid"} 9.999999999e+09
ferry_identifiers_remaining{block="5059876",kind="upc"} 2
ferry_identifiers_remaining{block="FRZ03",kind="isrc"} 99999
ferry_identifiers_remaining{block="GBEXR",kind="isrc"} 99997
ferry_identifiers_remaining{block="second",kind="upc"} 100000
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), MetricRemaining); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg, MetricCapacity); err != nil || n != 5 {
		t.Errorf("capacity series: %d, %v", n, err)
	}
}
