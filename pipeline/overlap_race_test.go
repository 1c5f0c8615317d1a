package pipeline

import (
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate"
)

// Two releases of the same recordings with overlapping deals, fanned out
// to one DSP at the same moment: each passed the check before packaging,
// and the check made again once each recorded itself as being sent holds
// exactly one back — the one that recorded itself second.
func TestSameRecordingsSentAtTheSameTime(t *testing.T) {
	e, err := New(localConfig(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	isrcs := []string{"GBEXR2600001", "GBEXR2600002"}
	deals := []ern.Deal{{Territories: []string{"Worldwide"}, CommercialModel: "SubscriptionModel", UseTypes: []string{"OnDemandStream"}, StartDate: "2027-01-01"}}
	release := func(upc string) *validate.Release {
		return &validate.Release{Action: validate.ActionDeliver, Model: &ern.Release{UPC: upc, Title: "Harbour Lights", ReleaseDate: "2027-01-01", Deals: deals,
			Tracks: []ern.Track{{ISRC: isrcs[0]}, {ISRC: isrcs[1]}}}}
	}
	first, second := release("5901234123457"), release("4006381333931")
	for i, rel := range []*validate.Release{first, second} {
		drop := []string{"drop-a", "drop-b"}[i]
		if _, err := e.rec.TakeInFlight("dsp", rel.ID(), drop); err != nil {
			t.Fatal(err)
		}
		d := &record.Delivery{DSP: "dsp", Kind: "new", MessageID: "M-" + rel.ID(), ReleaseID: rel.ID(), UPC: rel.ID(), ERNVersion: "4.3",
			Folder: "N_" + rel.ID() + "_20261205120000000", Title: "Harbour Lights", ISRCs: isrcs, Created: time.Now(), Release: rel.Model}
		if err := e.rec.RecordSending(d); err != nil {
			t.Fatal(err)
		}
	}
	if f := e.sentAtTheSameTime(first, "dsp"); f != nil {
		t.Errorf("the first to record itself was held: %s %v", f.What, f.Details)
	}
	f := e.sentAtTheSameTime(second, "dsp")
	if f == nil || !strings.Contains(f.What, "window overlap") || len(f.Details) != 1 || !strings.Contains(f.Details[0], "5901234123457") ||
		!strings.Contains(f.Details[0], "being delivered") {
		t.Fatalf("the second: %+v, want it held by the window overlap with the first", f)
	}
	// Confirmed, it goes.
	second.Confirm = []string{validate.RuleWindowOverlap}
	if f := e.sentAtTheSameTime(second, "dsp"); f != nil {
		t.Errorf("confirmed, still held: %s", f.What)
	}
}
