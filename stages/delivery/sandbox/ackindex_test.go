package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/record"
)

// TestAckIndexOverSFTP reads the sandbox's acknowledgements through
// ferry's AckIndex over SFTP, with an archive inside the ack folder: each
// is found, moved into the archive on the server, and the sandbox does not
// take the moves for deliveries.
func TestAckIndexOverSFTP(t *testing.T) {
	b := startBox(t, "")
	ix := delivery.NewAckIndex(b.client, AckDir, delivery.AckIndexOptions{Archive: AckDir + "/archive", MaxAge: 10 * time.Millisecond})
	ctx := context.Background()
	if err := ix.Check(ctx); err != nil {
		t.Fatalf("Check of the sandbox's ack folder: %v", err)
	}
	audio := []byte("audio")
	const n = 3
	for i := range n {
		b.deliver(t, fmt.Sprintf("N_%d", i), audio, messageXML(t, ern.V43, fmt.Sprintf("MSG-%d", i), ern.NewRelease, testRelease(audio)))
	}
	for i := range n {
		id := fmt.Sprintf("MSG-%d", i)
		deadline := time.Now().Add(10 * time.Second)
		for {
			res, err := ix.Lookup(ctx, id, testUPC)
			if err != nil {
				t.Fatal(err)
			}
			if res.Found {
				if res.Outcome() != ern.AckAccepted {
					t.Errorf("%s: %+v", id, res.Release)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no acknowledgement", id)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	archived, _ := filepath.Glob(filepath.Join(b.Received, AckDir, "archive", "ACK_MSG-*.xml"))
	left, _ := filepath.Glob(filepath.Join(b.Received, AckDir, "ACK_*.xml"))
	if len(archived) != n || len(left) != 0 {
		t.Errorf("%d archived, %d left in the ack folder; want %d and 0", len(archived), len(left), n)
	}
	ops := b.fsOps.Load()
	time.Sleep(100 * time.Millisecond)
	if d := b.fsOps.Load() - ops; d != 0 {
		t.Errorf("the sandbox read %d times after the archive moves", d)
	}
	if s := ix.Stats(); s.Archived != n {
		t.Errorf("stats %+v", s)
	}
}

// TestMissingAckDirOverSFTP (K9): over SFTP too, a missing acknowledgement
// folder is told from an empty one.
func TestMissingAckDirOverSFTP(t *testing.T) {
	b := startBox(t, "")
	var missing *delivery.AckDirMissingError
	err := delivery.NewAckIndex(b.client, "acks", delivery.AckIndexOptions{}).Check(context.Background())
	if !errors.As(err, &missing) {
		t.Errorf("Check of a missing folder: %v; want an *AckDirMissingError", err)
	}
}

// BenchmarkAckPoll10k is one acknowledgement poll of 20 waiting
// deliveries over SFTP to the sandbox, whose ack folder holds 10,000
// acknowledgements of earlier deliveries: FindAck per delivery (before),
// the shared AckIndex, and the AckIndex after those 10,000 were archived.
func BenchmarkAckPoll10k(b *testing.B) {
	const old, waiting = 10_000, 20
	for _, mode := range []string{"findack-per-item", "index-shared", "index-archived"} {
		b.Run(mode, func(b *testing.B) {
			bx := startBox(b, "")
			dir := filepath.Join(bx.Received, AckDir)
			if mode == "index-archived" {
				dir = filepath.Join(dir, "archive")
				os.MkdirAll(dir, 0o755)
			}
			for i := range old {
				id := fmt.Sprintf("MSG-OLD-%05d", i)
				data := ackXMLFor(b, id)
				if err := os.WriteFile(filepath.Join(dir, "ACK_"+id+"_20260101000000000.xml"), data, 0o644); err != nil {
					b.Fatal(err)
				}
			}
			clk := time.Unix(1e9, 0)
			ix := delivery.NewAckIndex(bx.client, AckDir, delivery.AckIndexOptions{Archive: AckDir + "/archive",
				MaxAge: time.Second, Now: func() time.Time { return clk }})
			ctx := context.Background()
			poll := func() {
				clk = clk.Add(time.Minute) // a new poll: the last listing is stale
				for i := range waiting {
					id := fmt.Sprintf("MSG-WAIT-%02d", i)
					var err error
					if mode == "findack-per-item" {
						_, err = delivery.FindAck(ctx, bx.client, AckDir, &record.Delivery{MessageID: id, ReleaseID: testUPC})
					} else {
						_, err = ix.Lookup(ctx, id, testUPC)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			poll() // the archive is listed once per hour: not in the steady state
			start := ix.Stats()
			for b.Loop() {
				poll()
			}
			if mode != "findack-per-item" {
				b.ReportMetric(float64(ix.Stats().Listings-start.Listings)/float64(b.N), "listings/op")
			} else {
				b.ReportMetric(waiting, "listings/op")
			}
		})
	}
}

// ackXMLFor is an acknowledgement accepting message id.
func ackXMLFor(t testing.TB, id string) []byte {
	t.Helper()
	var buf bytes.Buffer
	err := ern.WriteAck(&buf, &ern.Ack{MessageID: "ACK-" + id, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Releases: []ern.AckRelease{{ReleaseID: testUPC, Status: ern.StatusIngested, MessageType: "NewReleaseMessage",
			AckedMessageID: id, MessageStatus: "FileOK"}}})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
