package sandbox

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrydelivery/ferry/ern"
)

// BenchmarkIdleScan10k measures the sandbox's work with 10,000 deliveries
// acknowledged before: one idle check (what it does every CheckEvery while
// nothing arrives) and the scan at start. fs-ops/op counts folder reads
// and stats.
func BenchmarkIdleScan10k(b *testing.B) {
	const n = 10_000
	dir := b.TempDir()
	received := filepath.Join(dir, "received")
	if err := os.MkdirAll(filepath.Join(received, AckDir), 0o755); err != nil {
		b.Fatal(err)
	}
	audio := []byte("old audio")
	msg := messageXML(b, ern.V43, "MSG-OLD", ern.NewRelease, testRelease(audio))
	journal, err := os.Create(filepath.Join(dir, journalName))
	if err != nil {
		b.Fatal(err)
	}
	enc := json.NewEncoder(journal)
	for i := range n {
		name := fmt.Sprintf("N_%s_%017d", testUPC, i)
		folder := filepath.Join(received, name)
		os.MkdirAll(filepath.Join(folder, "resources"), 0o755)
		os.WriteFile(filepath.Join(folder, "resources", testUPC+"_01_01.wav"), audio, 0o644)
		p := filepath.Join(folder, testUPC+".xml")
		if err := os.WriteFile(p, msg, 0o644); err != nil {
			b.Fatal(err)
		}
		mi, _ := os.Stat(p)
		fi, _ := os.Stat(folder)
		enc.Encode(journalLine{Msg: name + "/" + testUPC + ".xml", Folder: name, Size: mi.Size(),
			MTime: mi.ModTime().UnixNano(), FolderMTime: fi.ModTime().UnixNano()})
	}
	journal.Close()
	log := slog.New(slog.DiscardHandler)
	ix, err := openIndex(filepath.Join(dir, journalName), log)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.close()
	s := &Server{Received: received, dir: dir, log: log, index: ix, dirty: map[string]struct{}{}}

	b.Run("idle-check", func(b *testing.B) {
		start := s.fsOps.Load()
		for b.Loop() {
			s.checkChanged()
		}
		b.ReportMetric(float64(s.fsOps.Load()-start)/float64(b.N), "fs-ops/op")
	})
	b.Run("start-scan", func(b *testing.B) {
		start := s.fsOps.Load()
		for b.Loop() {
			s.scanAll()
			s.checkChanged()
		}
		b.ReportMetric(float64(s.fsOps.Load()-start)/float64(b.N), "fs-ops/op")
	})
}
