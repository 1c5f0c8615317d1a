package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/record"
)

// BenchmarkStatus10k reads `ferry status` of a root holding 10,000
// delivered items, each with its record.
func BenchmarkStatus10k(b *testing.B) {
	l := Layout{Root: b.TempDir()}
	if err := l.Create(); err != nil {
		b.Fatal(err)
	}
	rec, err := record.OpenRoot(l.Root, "bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10_000 {
		dir := filepath.Join(l.Dir(Acknowledged), fmt.Sprintf("release-%05d@dsp", i))
		os.MkdirAll(dir, 0o755)
		it, _, err := rec.Adopt(dir)
		if err != nil {
			b.Fatal(err)
		}
		it.State.DSP, it.State.Attempt, it.State.StageSince = "dsp", 1, time.Now()
		if err := it.Save(); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		items, err := Status(l)
		if err != nil || len(items) != 10_000 {
			b.Fatal(len(items), err)
		}
	}
}
