package record

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func delivered(dsp, upc, kind, msg string) *Delivery {
	return &Delivery{DSP: dsp, ReleaseID: upc, UPC: upc, Kind: kind, MessageID: msg, ERNVersion: "4.3",
		Folder: "N_" + upc + "_20261205120000000", Title: "Harbour Lights", Artist: "The Example Band",
		ISRCs: []string{"GBEXR2600001"}, Created: time.Now()}
}

func TestCatalogueStatesAndHistory(t *testing.T) {
	r, _ := testRoot(t)
	for _, d := range []*Delivery{
		delivered("spotify", "5901234123457", "new", "M1"),
		delivered("deezer", "5901234123457", "new", "M2"),
		delivered("spotify", "5901234123457", "update", "M3"),
		delivered("deezer", "5901234123457", "takedown", "M4"),
		delivered("deezer", "5901234123457", "takedown", "M4"), // accepted again after a crash
		delivered("spotify", "4006381333931", "new", "M5"),
	} {
		if err := r.RecordDelivered(d); err != nil {
			t.Fatal(err)
		}
	}
	all, err := r.Catalogue("", false)
	if err != nil || len(all) != 2 {
		t.Fatalf("catalogue %+v %v", all, err)
	}
	one, _ := r.Catalogue("GBEXR2600001", true) // by ISRC: both releases carry it here
	if len(one) != 2 {
		t.Errorf("by ISRC: %d releases", len(one))
	}
	hl, _ := r.Catalogue("5901234123457", true)
	if len(hl) != 1 || hl[0].Summary() != "live on 1 of 2" {
		t.Fatalf("by UPC: %+v", hl)
	}
	for _, p := range hl[0].Platforms {
		switch p.DSP {
		case "deezer":
			if p.State != StateTakenDown || len(p.Messages) != 2 || p.Messages[1].MessageID != "M4" {
				t.Errorf("deezer: %+v", p)
			}
		case "spotify":
			if p.State != StateLive || len(p.Messages) != 2 || p.Last.MessageID != "M3" {
				t.Errorf("spotify: %+v", p)
			}
		}
	}
	if byTitle, _ := r.Catalogue("harbour", false); len(byTitle) != 2 {
		t.Errorf("by title: %d", len(byTitle))
	}
	if none, _ := r.Catalogue("nothing like it", false); len(none) != 0 {
		t.Errorf("no match: %+v", none)
	}
	counts, _ := r.CatalogueCounts()
	if counts[[2]string{"spotify", StateLive}] != 2 || counts[[2]string{"deezer", StateTakenDown}] != 1 {
		t.Errorf("counts %v", counts)
	}
}

// BenchmarkCatalogue100k lists a catalogue of 100,000 releases at one DSP
// (ferry releases without a query).
func BenchmarkCatalogue100k(b *testing.B) {
	dir := b.TempDir()
	r, err := OpenRoot(dir, "bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	ledger := filepath.Join(dir, RootDir, "ledger", "spotify")
	os.MkdirAll(ledger, 0o755)
	for i := range 100_000 {
		d := delivered("spotify", fmt.Sprintf("59%011d", i), "new", fmt.Sprintf("M%d", i))
		// Titles repeat as a label's do (reissues, singles named like
		// their album), so sorting compares titles, then ids.
		data := fmt.Sprintf(`{"dsp":"spotify","kind":"new","message_id":%q,"release_id":%q,"upc":%q,"ern_version":"4.3","folder":%q,"title":"Title %d","isrcs":["GBEXR26%05d","GBEXR27%05d"],"files":[]}`,
			d.MessageID, d.ReleaseID, d.UPC, d.Folder, i%977, i, i)
		if err := os.WriteFile(filepath.Join(ledger, d.ReleaseID+".json"), []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	// The ledger was written as an older ferry wrote it: the index is made
	// from it once, as the first RecordDelivered would.
	if err := r.ensureIndex(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		all, err := r.Catalogue("", false)
		if err != nil || len(all) != 100_000 {
			b.Fatal(len(all), err)
		}
	}
}

// A root whose ledger an older ferry wrote has no index: the catalogue is
// read from the ledger files, and the first delivery recorded indexes
// them, so nothing delivered before is missing afterwards.
func TestCatalogueIndexesAnOlderLedger(t *testing.T) {
	r, dir := testRoot(t)
	ledger := filepath.Join(dir, RootDir, "ledger", "spotify")
	os.MkdirAll(ledger, 0o755)
	os.WriteFile(filepath.Join(ledger, "4006381333931.json"), []byte(`{"dsp":"spotify","kind":"new","message_id":"OLD","release_id":"4006381333931","upc":"4006381333931","ern_version":"4.3","folder":"N_4006381333931_20251205120000000","title":"Old One","files":[]}`), 0o644)
	if all, _ := r.Catalogue("", false); len(all) != 1 || all[0].Title != "Old One" {
		t.Fatalf("catalogue of an unindexed ledger: %+v", all)
	}
	if err := r.RecordDelivered(delivered("spotify", "5901234123457", "new", "NEW")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, RootDir, "ledger", indexDir)); err != nil {
		t.Fatalf("no index after a delivery: %v", err)
	}
	all, _ := r.Catalogue("", false)
	if len(all) != 2 {
		t.Fatalf("catalogue after indexing: %+v", all)
	}
	// A later message for the same release wins; a torn line is skipped.
	r.RecordDelivered(delivered("spotify", "5901234123457", "takedown", "LATER"))
	f, _ := os.OpenFile(filepath.Join(dir, RootDir, "ledger", indexDir, "node.tsv"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("2027-01-01T00:00:00Z\tspotify\t59012341")
	f.Close()
	hl, _ := r.Catalogue("5901234123457", false)
	if len(hl) != 1 || hl[0].Platforms[0].State != StateTakenDown || hl[0].Platforms[0].Last.MessageID != "LATER" {
		t.Errorf("after a takedown: %+v", hl)
	}
}

// A release renamed by an update at one DSP is still one release, named
// by its newest message, its platforms in DSP order; releases come by
// title.
func TestCatalogueGroupsARetitledRelease(t *testing.T) {
	r, _ := testRoot(t)
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for i, d := range []*Delivery{
		delivered("spotify", "5901234123457", "new", "M1"),
		delivered("deezer", "5901234123457", "new", "M2"),
		delivered("apple", "4006381333931", "new", "M3"),
		delivered("deezer", "5901234123457", "update", "M4"),
	} {
		d.Created = at.Add(time.Duration(i) * time.Minute)
		if d.MessageID == "M3" {
			d.Title = "Anchor"
		}
		if d.MessageID == "M4" {
			d.Title = "Harbour Lights (Deluxe)"
		}
		if err := r.RecordDelivered(d); err != nil {
			t.Fatal(err)
		}
	}
	all, err := r.Catalogue("", false)
	if err != nil || len(all) != 2 {
		t.Fatalf("catalogue %+v %v", all, err)
	}
	if all[0].Title != "Anchor" || all[1].Title != "Harbour Lights (Deluxe)" {
		t.Errorf("titles %q, %q", all[0].Title, all[1].Title)
	}
	ps := all[1].Platforms
	if len(ps) != 2 || ps[0].DSP != "deezer" || ps[0].Last.MessageID != "M4" || ps[1].DSP != "spotify" {
		t.Errorf("platforms %+v", ps)
	}
}

// A catalogue large enough to be sorted in two halves comes back whole,
// in title then id order.
func TestCatalogueSortsALargeListing(t *testing.T) {
	r, dir := testRoot(t)
	if err := os.MkdirAll(filepath.Join(dir, RootDir, "ledger", indexDir), 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	const n = 10_000
	for i := range n {
		upc := fmt.Sprintf("59%011d", (i*7919)%n) // ids out of order
		fmt.Fprintf(&b, "%d\tspotify\t%s\t%s\tnew\tM%d\t4.3\tTitle %d\tArtist\tGBEXR26%05d\n", 1764936000000000000+i, upc, upc, i, i%97, i)
	}
	if err := os.WriteFile(filepath.Join(dir, RootDir, "ledger", indexDir, "node.tsv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	all, err := r.Catalogue("", false)
	if err != nil || len(all) != n {
		t.Fatalf("%d releases, %v; want %d", len(all), err, n)
	}
	if !slices.IsSortedFunc(all, func(a, b CatalogueRelease) int {
		return cmp.Or(strings.Compare(a.Title, b.Title), strings.Compare(a.ReleaseID, b.ReleaseID))
	}) {
		t.Error("the listing is not in title, then id, order")
	}
	seen := map[string]bool{}
	for _, c := range all {
		seen[c.ReleaseID] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct releases, want %d", len(seen), n)
	}
}

// A message not accepted shows in the catalogue for what it became —
// being delivered, rejected, failed — with what the DSP accepted before
// beside it, and an acceptance settles it.
func TestCatalogueOutcomesOfMessagesNotAccepted(t *testing.T) {
	r, _ := testRoot(t)
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	msg := func(dsp, id string, minute int) *Delivery {
		d := delivered(dsp, "5901234123457", "new", id)
		d.Created = at.Add(time.Duration(minute) * time.Minute)
		return d
	}
	platform := func(dsp string) Platform {
		t.Helper()
		all, err := r.Catalogue("5901234123457", true)
		if err != nil || len(all) != 1 {
			t.Fatalf("catalogue %+v %v", all, err)
		}
		for _, p := range all[0].Platforms {
			if p.DSP == dsp {
				return p
			}
		}
		t.Fatalf("no %s in %+v", dsp, all[0].Platforms)
		return Platform{}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// spotify: a first delivery in flight, then accepted.
	must(r.RecordOutcome(msg("spotify", "S1", 0), StateDelivering))
	if p := platform("spotify"); p.State != StateDelivering || p.Accepted != "" {
		t.Errorf("in flight: %+v", p)
	}
	must(r.RecordDelivered(msg("spotify", "S1", 0)))
	if p := platform("spotify"); p.State != StateLive || p.Last.MessageID != "S1" {
		t.Errorf("accepted: %+v", p)
	}
	// an update in flight, then rejected: the release is still live.
	must(r.RecordOutcome(msg("spotify", "S2", 5), StateDelivering))
	if p := platform("spotify"); p.State != StateDelivering || p.Accepted != StateLive || !p.OnSale() {
		t.Errorf("update in flight: %+v", p)
	}
	must(r.RecordOutcome(msg("spotify", "S2", 5), StateRejected))
	p := platform("spotify")
	if p.State != StateRejected || p.Accepted != StateLive || p.Last.MessageID != "S2" || len(p.Messages) != 2 || p.Messages[1].Kind != StateRejected {
		t.Errorf("update rejected: %+v", p)
	}
	// deezer: a first delivery that failed; the release was never live there.
	must(r.RecordOutcome(msg("deezer", "D1", 1), StateDelivering))
	must(r.RecordOutcome(msg("deezer", "D1", 1), StateFailed))
	if p := platform("deezer"); p.State != StateFailed || p.Accepted != "" || p.OnSale() {
		t.Errorf("failed: %+v", p)
	}
	all, _ := r.Catalogue("", false)
	if got := all[0].Summary(); got != "live on 1 of 2, 1 rejected, 1 failed" {
		t.Errorf("summary %q", got)
	}
	counts, _ := r.CatalogueCounts()
	if counts[[2]string{"spotify", StateRejected}] != 1 || counts[[2]string{"deezer", StateFailed}] != 1 || len(counts) != 2 {
		t.Errorf("counts %v", counts)
	}
	// Delivered again and accepted: live everywhere.
	must(r.RecordOutcome(msg("deezer", "D2", 9), StateDelivering))
	must(r.RecordDelivered(msg("deezer", "D2", 9)))
	if p := platform("deezer"); p.State != StateLive || p.Accepted != "" {
		t.Errorf("accepted after a failure: %+v", p)
	}
	if err := r.RecordOutcome(msg("deezer", "D3", 10), "new"); err == nil {
		t.Error("an accepted kind was taken as an outcome")
	}
}
