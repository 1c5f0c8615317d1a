package delivery_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/local"
	"github.com/ferrydelivery/ferry/stages/record"
)

// clock is a test clock that moves only when told.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

// ackXML is a choreography acknowledgement of messageID for releaseID.
func ackXML(t testing.TB, messageID, releaseID, status string) []byte {
	t.Helper()
	var b bytes.Buffer
	err := ern.WriteAck(&b, &ern.Ack{MessageID: "DSP-" + messageID, Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Sender: ern.Party{DPID: "PADPIDA2014122301Q", Name: "DSP"}, Recipient: ern.Party{DPID: "PADPIDA3897722461G", Name: "Label"},
		Releases: []ern.AckRelease{{ReleaseID: releaseID, Status: status, MessageType: "NewReleaseMessage",
			AckedMessageID: messageID, MessageStatus: "FileOK"}}})
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// ackFolder is a local DSP folder with an acknowledgements/ folder.
func ackFolder(t testing.TB) (string, *local.Transport) {
	t.Helper()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "acknowledgements"), 0o755); err != nil {
		t.Fatal(err)
	}
	tr, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	return root, tr
}

func writeAck(t testing.TB, root, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, "acknowledgements", name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// countingTransport counts the listings a Transport is asked for, and
// fails them with err when set.
type countingTransport struct {
	delivery.Transport
	lists int
	err   error
}

func (c *countingTransport) List(ctx context.Context, dir string) ([]delivery.RemoteFile, error) {
	c.lists++
	if c.err != nil {
		return nil, c.err
	}
	return c.Transport.List(ctx, dir)
}

// TestAckIndexSharesOneListing: ten deliveries waiting on one DSP whose
// folder holds 200 other acknowledgements cost one listing per poll, and
// only the acknowledgements asked for are read; FindAck lists once per
// delivery.
func TestAckIndexSharesOneListing(t *testing.T) {
	root, tr := ackFolder(t)
	for i := range 200 {
		writeAck(t, root, fmt.Sprintf("ACK_OLD-%03d_20260101000000000.xml", i), ackXML(t, fmt.Sprintf("OLD-%03d", i), "1", ern.StatusIngested))
	}
	for i := range 5 {
		id := fmt.Sprintf("MSG_%d", i) // MessageIds may hold underscores
		writeAck(t, root, "ACK_"+id+"_20260102000000000.xml", ackXML(t, id, "590000000000"+fmt.Sprint(i), ern.StatusIngested))
	}
	ct := &countingTransport{Transport: tr}
	clk := &clock{t: time.Unix(1e9, 0)}
	ix := delivery.NewAckIndex(ct, "acknowledgements", delivery.AckIndexOptions{MaxAge: 30 * time.Second, Now: clk.now})
	ctx := context.Background()
	poll := func() (found int) {
		for i := range 10 {
			res, err := ix.Lookup(ctx, fmt.Sprintf("MSG_%d", i), "590000000000"+fmt.Sprint(i))
			if err != nil {
				t.Fatal(err)
			}
			if res.Found != (i < 5) {
				t.Errorf("MSG_%d: found %v", i, res.Found)
			}
			if res.Found {
				found++
				if res.Release.AckedMessageID != fmt.Sprintf("MSG_%d", i) {
					t.Errorf("MSG_%d: got the acknowledgement of %s", i, res.Release.AckedMessageID)
				}
			}
		}
		return found
	}
	poll()
	if ct.lists != 1 {
		t.Errorf("one poll of ten deliveries listed the folder %d times, want 1", ct.lists)
	}
	if s := ix.Stats(); s.Reads != 5 {
		t.Errorf("read %d acknowledgements, want the 5 asked for", s.Reads)
	}
	clk.advance(time.Minute)
	poll()
	if ct.lists != 2 {
		t.Errorf("a second poll after MaxAge: %d listings in all, want 2", ct.lists)
	}
	if s := ix.Stats(); s.Reads != 5 {
		t.Errorf("a second poll read %d acknowledgements again, want none", s.Reads-5)
	}

	// The same poll with FindAck, for comparison: a listing per delivery.
	ct.lists = 0
	for i := range 10 {
		d := &record.Delivery{MessageID: fmt.Sprintf("MSG_%d", i), ReleaseID: "590000000000" + fmt.Sprint(i)}
		if _, err := delivery.FindAck(ctx, ct, "acknowledgements", d); err != nil {
			t.Fatal(err)
		}
	}
	if ct.lists != 10 {
		t.Errorf("FindAck listed %d times for 10 deliveries", ct.lists)
	}
}

// TestAckIndexArchives: with ack.archive, an acknowledgement read to its
// end is moved into the archive and still answers; a pending one stays;
// after a restart the archived one is found in the archive.
func TestAckIndexArchives(t *testing.T) {
	root, tr := ackFolder(t)
	writeAck(t, root, "ACK_M1_20260102000000000.xml", ackXML(t, "M1", "5901234123457", ern.StatusIngested))
	writeAck(t, root, "ACK_M1_20260101000000000.xml", ackXML(t, "M1", "5901234123457", "ReleaseReceivedByReleaseDistributor"))
	writeAck(t, root, "ACK_M2_20260102000000000.xml", ackXML(t, "M2", "5901234123464", "ReleaseReceivedByReleaseDistributor"))
	clk := &clock{t: time.Unix(1e9, 0)}
	opts := delivery.AckIndexOptions{Archive: "acknowledgements/archive", MaxAge: time.Second, Now: clk.now}
	ix := delivery.NewAckIndex(tr, "acknowledgements", opts)
	ctx := context.Background()
	for _, id := range []string{"M1", "M2"} {
		if res, err := ix.Lookup(ctx, id, ""); err != nil || !res.Found {
			t.Fatalf("%s: %+v, %v", id, res, err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(root, "acknowledgements", "ACK_*"))
	if len(left) != 1 || !strings.Contains(left[0], "ACK_M2_") {
		t.Errorf("left in the ack folder: %v; want the pending M2 only", left)
	}
	archived, _ := filepath.Glob(filepath.Join(root, "acknowledgements", "archive", "ACK_M1_*"))
	if len(archived) != 2 {
		t.Errorf("archived %v, want both files of M1", archived)
	}
	clk.advance(time.Minute)
	if res, err := ix.Lookup(ctx, "M1", ""); err != nil || res.Outcome() != ern.AckAccepted {
		t.Errorf("M1 after archiving: %+v, %v", res, err)
	}

	restarted := delivery.NewAckIndex(tr, "acknowledgements", opts)
	res, err := restarted.Lookup(ctx, "M1", "")
	if err != nil || !res.Found || res.Outcome() != ern.AckAccepted {
		t.Errorf("after a restart, M1: %+v, %v; want it found in the archive", res, err)
	}
}

// TestAckIndexNamesOtherwise: an acknowledgement whose name does not say
// its MessageId is read once and found by its content; one for another
// message whose name merely starts with the MessageId is not taken.
func TestAckIndexNamesOtherwise(t *testing.T) {
	root, tr := ackFolder(t)
	writeAck(t, root, "status-0001.xml", ackXML(t, "M7", "5901234123457", ern.StatusIngested))
	writeAck(t, root, "ACK_M7_2_20260102000000000.xml", ackXML(t, "M7_2", "5901234123457", ern.StatusError))
	ix := delivery.NewAckIndex(tr, "acknowledgements", delivery.AckIndexOptions{MaxAge: time.Hour})
	ctx := context.Background()
	for range 3 {
		res, err := ix.Lookup(ctx, "M7", "5901234123457")
		if err != nil || !res.Found || res.File != "status-0001.xml" || res.Outcome() != ern.AckAccepted {
			t.Fatalf("M7: %+v, %v", res, err)
		}
	}
	if s := ix.Stats(); s.Reads != 2 {
		t.Errorf("%d reads, want 2 (each file once)", s.Reads)
	}
}

// TestMalformedAckIsTheDSPsFault (K8): a malformed acknowledgement fails
// the delivery it names permanently with a *MalformedAckError, which the
// pipeline can tell from an unreachable DSP; other deliveries are not
// affected.
func TestMalformedAckIsTheDSPsFault(t *testing.T) {
	root, tr := ackFolder(t)
	writeAck(t, root, "ACK_BAD_20260102000000000.xml", []byte("<AcknowledgementMessage><unclosed>"))
	writeAck(t, root, "ACK_GOOD_20260102000000000.xml", ackXML(t, "GOOD", "5901234123457", ern.StatusIngested))
	ix := delivery.NewAckIndex(tr, "acknowledgements", delivery.AckIndexOptions{})
	ctx := context.Background()
	_, err := ix.Lookup(ctx, "BAD", "5901234123457")
	var m *delivery.MalformedAckError
	if !errors.As(err, &m) || m.File != "ACK_BAD_20260102000000000.xml" || !delivery.IsPermanent(err) || !delivery.IsDSPFault(err) {
		t.Errorf("malformed acknowledgement: %v (%T); want a permanent *MalformedAckError naming the file", err, err)
	}
	if res, err := ix.Lookup(ctx, "GOOD", "5901234123457"); err != nil || !res.Found {
		t.Errorf("another delivery: %+v, %v", res, err)
	}
	_, err = delivery.FindAck(ctx, tr, "acknowledgements", &record.Delivery{MessageID: "BAD"})
	if !errors.As(err, &m) {
		t.Errorf("FindAck: %v; want a *MalformedAckError", err)
	}

	// A DSP that cannot be reached is not the DSP's fault.
	down := errors.New("dial tcp 127.0.0.1:22: connection refused")
	ix = delivery.NewAckIndex(&countingTransport{Transport: tr, err: down}, "acknowledgements", delivery.AckIndexOptions{})
	if _, err := ix.Lookup(ctx, "GOOD", ""); !errors.Is(err, down) || delivery.IsDSPFault(err) {
		t.Errorf("unreachable DSP: %v; want its transport error, not the DSP's fault", err)
	}
}

// TestMissingAckDirDetectedAtOnce (K9): a missing acknowledgement folder
// is an *AckDirMissingError from Check and from every lookup, where
// FindAck saw only an empty folder.
func TestMissingAckDirDetectedAtOnce(t *testing.T) {
	root, tr := ackFolder(t)
	ix := delivery.NewAckIndex(tr, "acks", delivery.AckIndexOptions{}) // the DSP's folder is acknowledgements/
	ctx := context.Background()
	var missing *delivery.AckDirMissingError
	if err := ix.Check(ctx); !errors.As(err, &missing) || missing.Dir != "acks" || !delivery.IsDSPFault(err) {
		t.Errorf("Check: %v; want an *AckDirMissingError for acks", err)
	}
	if _, err := ix.Lookup(ctx, "M1", ""); !errors.As(err, &missing) {
		t.Errorf("Lookup: %v; want an *AckDirMissingError", err)
	}
	if err := delivery.NewAckIndex(tr, "acknowledgements", delivery.AckIndexOptions{}).Check(ctx); err != nil {
		t.Errorf("an empty acknowledgement folder that exists: %v", err)
	}
	if err := os.Mkdir(filepath.Join(root, "acks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := ix.Check(ctx); err != nil {
		t.Errorf("after the folder was made: %v", err)
	}
}
