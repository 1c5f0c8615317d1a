package record

import (
	"os"
	"testing"
)

func withISRCs(d *Delivery, isrcs ...string) *Delivery {
	d.ISRCs = isrcs
	return d
}

// SameRecordings finds the releases a DSP has live, or is being sent,
// with exactly the same ISRCs, and no others.
func TestSameRecordings(t *testing.T) {
	r, _ := testRoot(t)
	for _, d := range []*Delivery{
		withISRCs(delivered("spotify", "5901234123457", "new", "M1"), "GBEXR2600001", "GBEXR2600002"),
		withISRCs(delivered("spotify", "4006381333931", "new", "M2"), "GBEXR2600001", "GBEXR2600002", "GBEXR2600003"), // a superset
		withISRCs(delivered("deezer", "4006381333948", "new", "M3"), "GBEXR2600002", "GBEXR2600001"),                  // another DSP
	} {
		if err := r.RecordDelivered(d); err != nil {
			t.Fatal(err)
		}
	}
	got := r.SameRecordings("spotify", "0000000000000", []string{"GBEXR2600002", "GBEXR2600001"})
	if len(got) != 1 || got[0].State != StateLive || got[0].Delivery.UPC != "5901234123457" {
		t.Fatalf("live: %+v", got)
	}
	if got := r.SameRecordings("spotify", "5901234123457", []string{"GBEXR2600001", "GBEXR2600002"}); len(got) != 0 {
		t.Errorf("a release matched itself: %+v", got)
	}
	if got := r.SameRecordings("spotify", "0000000000000", []string{"GBEXR2600001"}); len(got) != 0 {
		t.Errorf("a subset matched: %+v", got)
	}

	// Taken down: no longer counted.
	if err := r.RecordDelivered(withISRCs(delivered("spotify", "5901234123457", "takedown", "M5"), "GBEXR2600001", "GBEXR2600002")); err != nil {
		t.Fatal(err)
	}
	if got := r.SameRecordings("spotify", "0000000000000", []string{"GBEXR2600001", "GBEXR2600002"}); len(got) != 0 {
		t.Errorf("a release taken down counted: %+v", got)
	}

	// Being sent: counted while the in-flight mark is held.
	sending := withISRCs(delivered("deezer", "5012345678900", "new", "M4"), "GBEXR2600009")
	if _, err := r.TakeInFlight("deezer", "5012345678900", "drop-1"); err != nil {
		t.Fatal(err)
	}
	if err := r.RecordSending(sending); err != nil {
		t.Fatal(err)
	}
	got = r.SameRecordings("deezer", "0000000000000", []string{"GBEXR2600009"})
	if len(got) != 1 || got[0].State != StateDelivering || got[0].Delivery.MessageID != "M4" {
		t.Fatalf("delivering: %+v", got)
	}
	if err := r.EndInFlight("deezer", "5012345678900", "drop-1"); err != nil {
		t.Fatal(err)
	}
	if got := r.SameRecordings("deezer", "0000000000000", []string{"GBEXR2600009"}); len(got) != 0 {
		t.Errorf("a delivery that ended still counts: %+v", got)
	}
	if _, err := os.Stat(r.path("ledger", "deezer", "5012345678900"+sendingSuffix)); !os.IsNotExist(err) {
		t.Errorf("the sending record outlived its delivery: %v", err)
	}
}

// Two releases of the same recordings recorded as being sent at once:
// the one that recorded itself first is what the other sees, never the
// reverse, so exactly one yields.
func TestSentBeforeOrdersRacingDeliveries(t *testing.T) {
	r, _ := testRoot(t)
	isrcs := []string{"GBEXR2600001", "GBEXR2600002"}
	send := func(upc, drop string) {
		t.Helper()
		if _, err := r.TakeInFlight("spotify", upc, drop); err != nil {
			t.Fatal(err)
		}
		if err := r.RecordSending(withISRCs(delivered("spotify", upc, "new", "M-"+upc), isrcs...)); err != nil {
			t.Fatal(err)
		}
	}
	send("5901234123457", "drop-a") // first
	send("4006381333931", "drop-b") // second
	if got := r.SentBefore("spotify", "5901234123457", isrcs); len(got) != 0 {
		t.Errorf("the first sees %+v before it", got)
	}
	got := r.SentBefore("spotify", "4006381333931", []string{"GBEXR2600002", "GBEXR2600001"})
	if len(got) != 1 || got[0].Delivery.UPC != "5901234123457" || got[0].State != StateDelivering {
		t.Fatalf("the second sees %+v, want the first", got)
	}
	// Once the first's delivery ended, the second is alone.
	if err := r.EndInFlight("spotify", "5901234123457", "drop-a"); err != nil {
		t.Fatal(err)
	}
	if got := r.SentBefore("spotify", "4006381333931", isrcs); len(got) != 0 {
		t.Errorf("after the first ended: %+v", got)
	}
}
