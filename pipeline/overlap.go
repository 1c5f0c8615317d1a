package pipeline

import (
	"fmt"
	"strings"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate"
)

// Window overlap across releases: the same recordings (exactly the same
// set of ISRCs) live at a DSP, or being delivered there, on another
// release whose deals overlap this one's for a shared territory, use type
// and commercial model. The DSP would hold two offers of one product at
// once. Such a delivery is held in failed/ until the release confirms
// window-overlap; with the rule set to warning for the DSP it is logged.

// maxOverlapLines bounds the lines ERRORS.txt gives per other release.
const maxOverlapLines = 5

// windowOverlapElsewhere lists, one line each, the overlaps of rel's
// deals at dsp with another release carrying the same recordings there,
// when they hold rel's delivery back; confirmed (or a warning for this
// DSP) they are noted in the instance's history and logged instead,
// unless held says the delivery is held back for another reason (it is
// not sent, so nothing is sent anyway).
func (e *Engine) windowOverlapElsewhere(inst *record.Item, rel *validate.Release, dsp string, held bool) []string {
	if !validate.NeedsFiles(rel.Action) {
		return nil
	}
	severity := validate.RuleSeverity(validate.RuleWindowOverlap, e.cfg.RulesFor(dsp).Severity)
	if severity == validate.Off {
		return nil
	}
	lines := overlapsElsewhere(e.rec, rel, dsp)
	if len(lines) == 0 {
		return nil
	}
	if !overlapHolds(e.cfg, rel, dsp) { // a warning for this DSP, or confirmed
		if held {
			return nil
		}
		why := "the rule is a warning for this DSP"
		if rel.Confirms(validate.RuleWindowOverlap) {
			why = "confirmed in the release"
		}
		e.itemLog(inst, Validated).Warn("deal windows overlap another release with the same recordings at this DSP; delivered anyway ("+why+")",
			"overlaps", strings.Join(lines, "; "))
		if err := inst.Note(record.HistoryLine{Time: e.now().UTC(), From: string(Validated), To: string(Validated), Node: e.node,
			Attempt: inst.State.Attempt, DSP: dsp, Note: "window-overlap, sent anyway (" + why + "): " + strings.Join(lines, "; ")}); err != nil {
			e.itemLog(inst, Validated).Warn("write history", "err", err)
		}
		return nil
	}
	return lines
}

// overlapsElsewhere words, one line each, the overlaps of rel's deals at
// dsp with other releases carrying the same recordings there.
func overlapsElsewhere(rec *record.Root, rel *validate.Release, dsp string) []string {
	return overlapsWith(rel, dsp, rec.SameRecordings(dsp, rel.ID(), isrcsOf(rel)))
}

// overlapsWith words the overlaps of rel's deals at dsp with those of
// each release of holdings.
func overlapsWith(rel *validate.Release, dsp string, holdings []record.Holding) []string {
	var lines []string
	for _, h := range holdings {
		lines = append(lines, overlapLines(rel.DealsFor(dsp), rel.Model.ReleaseDate, dsp, h, func(i int) string { return rel.DealPlace(dsp, i) })...)
	}
	return lines
}

// sentAtTheSameTime makes the window-overlap check again once rel's
// delivery to dsp is recorded as being sent, against the releases with
// the same recordings that recorded themselves first (SentBefore): two
// daemons fanning them out at the same moment each passed the first
// check, and this one yields. nil when nothing overlaps, or the rule
// does not hold deliveries there (a warning or off, or confirmed).
func (e *Engine) sentAtTheSameTime(rel *validate.Release, dsp string) *failure {
	if !overlapHolds(e.cfg, rel, dsp) {
		return nil
	}
	lines := overlapsWith(rel, dsp, e.rec.SentBefore(dsp, rel.ID(), isrcsOf(rel)))
	if len(lines) == 0 {
		return nil
	}
	return sameRecordingsFailure(rel, dsp, nil, lines)
}

// overlapHolds reports whether an overlap of rel's deal windows at dsp
// with another release's holds the delivery back: the rule is an error
// there and the release did not confirm it.
func overlapHolds(cfg *config.Config, rel *validate.Release, dsp string) bool {
	return validate.NeedsFiles(rel.Action) && !rel.Confirms(validate.RuleWindowOverlap) &&
		validate.RuleSeverity(validate.RuleWindowOverlap, cfg.RulesFor(dsp).Severity) == validate.Error
}

// isrcsOf lists rel's recordings.
func isrcsOf(rel *validate.Release) []string {
	isrcs := make([]string, 0, len(rel.Model.Tracks))
	for _, t := range rel.Model.Tracks {
		isrcs = append(isrcs, t.ISRC)
	}
	return isrcs
}

// overlapLines words the overlaps of deals with those of h's release;
// place says where each of deals is written.
func overlapLines(deals []ern.Deal, releaseDate, dsp string, h record.Holding, place func(int) string) []string {
	d := h.Delivery
	if d.Release == nil {
		return nil // an entry from before ferry kept the release: no deals to compare
	}
	state := "live"
	if h.State == record.StateDelivering {
		state = "being delivered"
	}
	var lines []string
	overlaps, complete := validate.DealsOverlap(deals, releaseDate, d.Release.Deals, d.Release.ReleaseDate)
	if !complete {
		lines = append(lines, fmt.Sprintf("release %s (%q, the same recordings) is %s at %s (message %s), and the two releases have too many deals to compare all: ferry stopped after %d comparisons",
			d.UPC, d.Title, state, dsp, d.MessageID, validate.MaxOverlapComparisons))
	}
	for i, o := range overlaps {
		if i == maxOverlapLines {
			lines = append(lines, fmt.Sprintf("… and %d more overlaps with release %s", len(overlaps)-i, d.UPC))
			break
		}
		lines = append(lines, fmt.Sprintf("release %s (%q, the same recordings) is %s at %s (message %s): its deal %d offers %s under %s in %s %s, and so does %s of this release",
			d.UPC, d.Title, state, dsp, d.MessageID, o.B+1, strings.Join(o.UseTypes, ", "), o.CommercialModel, o.Territory, o.Days(), place(o.A)))
	}
	return lines
}
