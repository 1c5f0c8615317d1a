package identifiers

import (
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
)

// BenchmarkAllocate100kISRC allocates 100,000 ISRCs per iteration, each
// call's record fsynced before it returns: one ISRC per call (the worst
// case), and 12 per call (a release's tracks, as validation asks). It
// reports codes/s; make bench runs one iteration.
func BenchmarkAllocate100kISRC(b *testing.B) {
	for _, perCall := range []int{1, 12} {
		name := "one-per-call"
		if perCall > 1 {
			name = "12-per-call"
		}
		b.Run(name, func(b *testing.B) {
			const total = 100_000
			kinds := make([]Kind, perCall)
			for i := range kinds {
				kinds[i] = ISRC
			}
			var elapsed time.Duration
			for range b.N {
				b.StopTimer()
				cfg := &config.Identifiers{ISRC: []config.ISRCBlock{{Country: "GB", Registrant: "EXR"}, {Country: "GB", Registrant: "EXS"}}}
				a, err := Open(b.TempDir(), cfg, Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				for n := 0; n < total; n += perCall {
					if _, err := a.Allocate("bench", kinds[:min(perCall, total-n)]...); err != nil {
						b.Fatal(err)
					}
				}
				elapsed += time.Since(start)
				b.StopTimer()
				a.Close()
			}
			b.ReportMetric(float64(total*b.N)/elapsed.Seconds(), "codes/s")
		})
	}
}
