package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/record"
)

// BenchmarkWindowOverlap is the cross-release window-overlap check of
// one release (two tracks) at one DSP, whose recordings are live there on
// another release with an overlapping deal, with 1,000 and 100,000 other
// releases in the ledger: its cost must not grow with the catalogue (the
// ISRC and recording-set indexes are read, never the ledger listed).
func BenchmarkWindowOverlap(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("ledger=%d", n), func(b *testing.B) {
			root := b.TempDir()
			rec, err := record.OpenRoot(root, "bench", nil)
			if err != nil {
				b.Fatal(err)
			}
			// The catalogue as earlier deliveries left it: a ledger entry
			// and an ISRC index file per release (written directly: a
			// hundred thousand fsynced deliveries would take minutes).
			ledger := filepath.Join(root, record.RootDir, "ledger", "spotify")
			os.MkdirAll(filepath.Join(ledger, "isrc"), 0o755)
			for i := range n {
				id, isrc := fmt.Sprintf("59%011d", i), fmt.Sprintf("GBEXR%07d", i)
				data := fmt.Sprintf(`{"dsp":"spotify","kind":"new","message_id":"M%d","release_id":%q,"upc":%q,"ern_version":"4.3","folder":"N_%s","title":"T","isrcs":[%q],"files":[],`+
					`"release":{"UPC":%q,"ReleaseDate":"2026-12-04","Deals":[{"Territories":["Worldwide"],"CommercialModel":"SubscriptionModel","UseTypes":["OnDemandStream"],"StartDate":"2026-12-04"}]}}`,
					i, id, id, id, isrc, id)
				if err := os.WriteFile(filepath.Join(ledger, id+".json"), []byte(data), 0o644); err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(ledger, "isrc", isrc), []byte(id), 0o644); err != nil {
					b.Fatal(err)
				}
			}
			deals := []ern.Deal{{Territories: []string{"Worldwide"}, CommercialModel: "SubscriptionModel", UseTypes: []string{"OnDemandStream"}, StartDate: "2027-01-01"}}
			isrcs := []string{"GBEXR2690001", "GBEXR2690002"}
			live := &record.Delivery{DSP: "spotify", Kind: "new", MessageID: "LIVE", ReleaseID: "5012345678900", UPC: "5012345678900", ERNVersion: "4.3",
				Folder: "N_5012345678900_20261205120000000", Title: "The original", ISRCs: isrcs, Created: time.Now(),
				Release: &ern.Release{UPC: "5012345678900", ReleaseDate: "2026-12-04", Deals: deals}}
			if err := rec.RecordDelivered(live); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				var lines []string
				for _, h := range rec.SameRecordings("spotify", "4006381333931", isrcs) {
					lines = append(lines, overlapLines(deals, "2027-01-01", "spotify", h, func(i int) string { return fmt.Sprintf("deals[%d]", i+1) })...)
				}
				if len(lines) != 1 {
					b.Fatalf("%d overlaps, want 1", len(lines))
				}
			}
		})
	}
}
