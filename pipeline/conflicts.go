package pipeline

import (
	"fmt"
	"sort"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate"
)

// Conflict is what would hold a release's delivery to one DSP back,
// worded as ERRORS.txt would word it.
type Conflict struct {
	// Wait is true when the delivery would only wait (an earlier drop of
	// the release is still being delivered there), not fail.
	Wait    bool     `json:"wait,omitempty"`
	What    string   `json:"what"`
	Details []string `json:"details,omitempty"`
	ToDo    string   `json:"to_do,omitempty"`
}

// Conflicts says, changing nothing, what the fan-out would find holding
// rel's delivery to dsp back now: the release purged there, its
// recordings live there on another release (duplicate go-live), deal
// windows overlapping another release with the same recordings, or an
// earlier drop still being delivered. delivered is what dsp has of rel
// (nil: nothing). nil when nothing does. For ferry plan; the fan-out
// makes the same judgements as it goes.
func Conflicts(rec *record.Root, cfg *config.Config, rel *validate.Release, dsp string, delivered *record.Delivery) *Conflict {
	if holder := rec.InFlightHolder(dsp, rel.ID()); holder != "" {
		return &Conflict{Wait: true,
			What: "waits: an earlier drop of this release is still being delivered to " + dsp + "; this one goes when that delivery ends, judged against what " + dsp + " then has"}
	}
	f := purgedThere(rel, dsp, delivered)
	if f == nil {
		var dup, overlap []string
		if !rel.AllowReuse {
			dup = liveElsewhere(rec, rel, dsp)
		}
		if overlapHolds(cfg, rel, dsp) {
			overlap = overlapsElsewhere(rec, rel, dsp)
		}
		if len(dup)+len(overlap) > 0 {
			f = sameRecordingsFailure(rel, dsp, dup, overlap)
		}
	}
	if f == nil {
		return nil
	}
	return &Conflict{What: f.What, Details: f.Details, ToDo: f.ToDo}
}

// purgedThere fails a delivery that would put rel back on sale at dsp
// after a purge there (delivered is what dsp has of it).
func purgedThere(rel *validate.Release, dsp string, d *record.Delivery) *failure {
	if d == nil || d.Kind != "purge" || !validate.NeedsFiles(rel.Action) {
		return nil
	}
	return &failure{Stage: Validated, DSP: dsp,
		What: fmt.Sprintf("release %s was purged at %s (message %s, %s): a purge is final, and nothing more of it is sent there", rel.ID(), dsp, d.MessageID, d.Created.Format("2006-01-02")),
		ToDo: "Deliver it under a new UPC if it must go back on sale at " + dsp + ", after agreeing with the DSP."}
}

// liveElsewhere lists, one line each, the recordings of rel live at dsp
// on another release.
func liveElsewhere(rec *record.Root, rel *validate.Release, dsp string) []string {
	if !validate.NeedsFiles(rel.Action) {
		return nil
	}
	var lines []string
	for isrc, other := range rec.LiveElsewhere(dsp, rel.ID(), isrcsOf(rel)) {
		lines = append(lines, fmt.Sprintf("%s is live at %s on release %s (%q), delivered %s in message %s",
			isrc, dsp, other.UPC, other.Title, other.Created.Format("2006-01-02"), other.MessageID))
	}
	sort.Strings(lines)
	return lines
}
