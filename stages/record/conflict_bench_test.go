package record

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkConflictChecks is what the fan-out asks the ledger for each
// drop and DSP before anything goes out — take the release's in-flight
// mark, read what the DSP has of it, look up each of its recordings live
// on another release, end the mark — with 1,000 and with 100,000
// releases delivered before. The cost must not grow with the catalogue.
func BenchmarkConflictChecks(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("ledger=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			r, err := OpenRoot(dir, "bench", nil)
			if err != nil {
				b.Fatal(err)
			}
			ledger := filepath.Join(dir, RootDir, "ledger", "spotify")
			isrcDir := filepath.Join(ledger, "isrc")
			if err := os.MkdirAll(isrcDir, 0o755); err != nil {
				b.Fatal(err)
			}
			for i := range n {
				upc, a, c := fmt.Sprintf("59%011d", i), fmt.Sprintf("GBEXR26%05d", i%100_000), fmt.Sprintf("GBEXR27%05d", i%100_000)
				data := fmt.Sprintf(`{"dsp":"spotify","kind":"new","message_id":"M%d","release_id":%q,"upc":%q,"ern_version":"4.3","folder":"N_%s_20261205120000000","title":"Title %d","isrcs":[%q,%q],"files":[]}`,
					i, upc, upc, upc, i, a, c)
				if err := os.WriteFile(filepath.Join(ledger, upc+".json"), []byte(data), 0o644); err != nil {
					b.Fatal(err)
				}
				for _, isrc := range []string{a, c} {
					if err := os.WriteFile(filepath.Join(isrcDir, isrc), []byte(upc), 0o644); err != nil {
						b.Fatal(err)
					}
				}
			}
			// A drop of release 7's recordings under a new UPC, again and
			// again: one duplicate go-live found each time.
			drop := "4006381333931"
			isrcs := []string{"GBEXR2600007", "GBEXR2700007", "GBEXR2800001"}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				id := fmt.Sprintf("drop%d", i)
				if holder, err := r.TakeInFlight("spotify", drop, id); err != nil || holder != "" {
					b.Fatal(holder, err)
				}
				if _, err := r.Delivered("spotify", drop); err == nil {
					b.Fatal("the new release is in the ledger")
				}
				if live := r.LiveElsewhere("spotify", drop, isrcs); len(live) != 2 {
					b.Fatalf("%d recordings live elsewhere, want 2", len(live))
				}
				if err := r.EndInFlight("spotify", drop, id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
