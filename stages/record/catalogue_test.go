package record

import (
	"fmt"
	"os"
	"path/filepath"
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
		data := fmt.Sprintf(`{"dsp":"spotify","kind":"new","message_id":%q,"release_id":%q,"upc":%q,"ern_version":"4.3","folder":%q,"title":"T","files":[]}`,
			d.MessageID, d.ReleaseID, d.UPC, d.Folder)
		if err := os.WriteFile(filepath.Join(ledger, d.ReleaseID+".json"), []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		all, err := r.Catalogue("", false)
		if err != nil || len(all) != 100_000 {
			b.Fatal(len(all), err)
		}
	}
}
