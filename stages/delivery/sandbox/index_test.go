package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
)

// writeDeliveries puts n complete deliveries straight into the received
// folder under dir, as if they had arrived before a restart.
func writeDeliveries(t testing.TB, dir string, n int) {
	t.Helper()
	audio := []byte("old audio")
	r := testRelease(audio)
	for i := range n {
		folder := filepath.Join(dir, "received", fmt.Sprintf("N_%s_%017d", testUPC, i))
		if err := os.MkdirAll(filepath.Join(folder, "resources"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(folder, "resources", testUPC+"_01_01.wav"), audio, 0o644); err != nil {
			t.Fatal(err)
		}
		msg := messageXML(t, ern.V43, fmt.Sprintf("MSG-OLD-%05d", i), ern.NewRelease, r)
		if err := os.WriteFile(filepath.Join(folder, testUPC+".xml"), msg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func countAcks(t testing.TB, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "received", AckDir))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "ACK_") {
			n++
		}
	}
	return n
}

// TestIdleSandboxReadsNothing: with many deliveries acknowledged, an idle
// sandbox reads no folder at all, a new delivery costs the same few reads
// however many came before, and a restart neither reads the old
// deliveries again nor acknowledges them twice.
func TestIdleSandboxReadsNothing(t *testing.T) {
	const old = 60
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "received", AckDir), 0o755); err != nil {
		t.Fatal(err)
	}
	writeDeliveries(t, dir, old)
	b := startBox(t, dir)
	deadline := time.Now().Add(20 * time.Second)
	for countAcks(t, dir) < old {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deliveries acknowledged", countAcks(t, dir), old)
		}
		time.Sleep(20 * time.Millisecond)
	}

	before := b.fsOps.Load()
	time.Sleep(200 * time.Millisecond) // ten ticks
	if n := b.fsOps.Load() - before; n != 0 {
		t.Errorf("idle for ten checks with %d old deliveries: %d folder reads and stats, want 0", old, n)
	}

	before = b.fsOps.Load()
	audio := []byte("new audio")
	b.deliver(t, "N_new", audio, messageXML(t, ern.V43, "MSG-NEW", ern.NewRelease, testRelease(audio)))
	b.waitAck(t, "MSG-NEW")
	time.Sleep(60 * time.Millisecond)
	if n := b.fsOps.Load() - before; n > 10 {
		t.Errorf("one new delivery with %d old ones cost %d folder reads and stats, want at most 10", old, n)
	}
	b.stop()

	acks := countAcks(t, dir)
	b2 := startBox(t, dir)
	time.Sleep(100 * time.Millisecond)
	if n := b2.fsOps.Load(); n != 1 {
		t.Errorf("a restart with %d acknowledged deliveries did %d folder reads and stats, want 1 (the received folder)", old+1, n)
	}
	if got := countAcks(t, dir); got != acks {
		t.Errorf("a restart wrote %d acknowledgements again", got-acks)
	}
}

// TestJournalTornLine: a journal line cut short by a crash is skipped
// with a warning; its message is checked again and the journal stays
// readable.
func TestJournalTornLine(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "received", AckDir), 0o755); err != nil {
		t.Fatal(err)
	}
	writeDeliveries(t, dir, 2)
	b := startBox(t, dir)
	b.waitAck(t, "MSG-OLD-00000")
	b.waitAck(t, "MSG-OLD-00001")
	b.stop()
	j := filepath.Join(dir, journalName)
	data, _ := os.ReadFile(j)
	lines := strings.SplitAfter(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("journal has %d lines, want 2", len(lines))
	}
	torn := lines[0] + lines[1][:len(lines[1])/2]
	if err := os.WriteFile(j, []byte(torn), 0o644); err != nil {
		t.Fatal(err)
	}
	acks := countAcks(t, dir)
	b2 := startBox(t, dir)
	deadline := time.Now().Add(10 * time.Second)
	for countAcks(t, dir) != acks+1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d new acknowledgements, want 1 (the message of the torn line)", countAcks(t, dir)-acks)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(b2.logs.String(), "unreadable lines") {
		t.Errorf("no warning about the torn line:\n%s", b2.logs.String())
	}
	b2.stop()
	ix, err := openIndex(j, b2.log)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.close()
	if len(ix.msgs) != 2 {
		t.Errorf("journal holds %d messages after the repair, want 2", len(ix.msgs))
	}
}
