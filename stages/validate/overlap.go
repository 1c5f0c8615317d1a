package validate

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/ern"
)

// Two deals overlap when they offer the same use of a release (a use
// type) under the same commercial model, in a territory both reach, on a
// day both run. A DSP given both cannot tell which applies (price,
// availability, reporting), so such a pair is held back until the user
// confirms it (rule window-overlap).
//
// A deal runs from its start date (the release date when it has none)
// through its end date: ERN's deal dates are whole days and EndDate is
// the last day on sale, so a deal ending on 31 January and one starting
// on 1 February are adjacent, not overlapping. A deal without an end date
// runs for ever. Pre-order dates are not part of the window.

// DealOverlap is one pair of overlapping deals.
type DealOverlap struct {
	// A and B are the deals' places (from 0) in the lists compared: both
	// in the one list for WindowOverlaps (A < B), A in mine and B in
	// theirs for DealsOverlap.
	A, B            int
	CommercialModel string
	// UseTypes are the use types both deals offer.
	UseTypes []string
	// Territory says where both deals reach: "GB", "GB, IE", "Worldwide",
	// "Worldwide except US, CA".
	Territory string
	// From and Until are the first and last days both run, YYYY-MM-DD;
	// Until is "" when both run for ever.
	From, Until string
}

// Days words the shared window: "from 2027-01-01 to 2027-01-31" or
// "from 2027-01-01 on, with no end".
func (o DealOverlap) Days() string {
	if o.Until == "" {
		return "from " + o.From + " on, with no end"
	}
	if o.Until == o.From {
		return "on " + o.From
	}
	return "from " + o.From + " to " + o.Until
}

// MaxOverlapComparisons bounds the pairs of deals one check compares, so
// that a release of thousands of deals (a hostile drop: a 1 MB
// release.toml holds 12,000) is checked in a bounded time. A real
// release compares far fewer: deals are compared only within one
// commercial model and use type, and only while both run.
const MaxOverlapComparisons = 2_000_000

// WindowOverlaps lists the overlapping deals among those one DSP gets of
// a release: each deal that overlaps another started no later is
// reported once, with the first such found. releaseDate is where a deal
// without a start date starts. A deal whose dates cannot be read is left
// out (rule date reports it). complete is false when the check stopped
// after MaxOverlapComparisons.
func WindowOverlaps(deals []ern.Deal, releaseDate string) (overlaps []DealOverlap, complete bool) {
	ws := windowsOf(deals, releaseDate, 0)
	complete = sweep(ws, func(a, b *window) bool { return true }, func(a, b *window) {
		if a.at > b.at {
			a, b = b, a
		}
		overlaps = append(overlaps, describeOverlap(a, b))
	})
	sortOverlaps(overlaps)
	return overlaps, complete
}

// DealsOverlap lists overlapping pairs of a deal in mine and one in
// theirs: two releases offered to the same DSP. Each deal is reported at
// most once, with the first deal of the other release found to overlap
// it. complete is false when the check stopped after
// MaxOverlapComparisons.
func DealsOverlap(mine []ern.Deal, myReleaseDate string, theirs []ern.Deal, theirReleaseDate string) (overlaps []DealOverlap, complete bool) {
	ws := append(windowsOf(mine, myReleaseDate, 0), windowsOf(theirs, theirReleaseDate, 1)...)
	complete = sweep(ws, func(a, b *window) bool { return a.side != b.side }, func(a, b *window) {
		if a.side == 1 {
			a, b = b, a
		}
		overlaps = append(overlaps, describeOverlap(a, b))
	})
	sortOverlaps(overlaps)
	return overlaps, complete
}

func sortOverlaps(os []DealOverlap) {
	slices.SortFunc(os, func(x, y DealOverlap) int {
		if x.A != y.A {
			return x.A - y.A
		}
		return x.B - y.B
	})
}

// sweep finds overlapping windows: per commercial model and use type, in
// order of start date, each window is compared with the windows started
// no later that still run (the active ones) until one touches it that
// pair accepts; found is then called once for that window. It returns
// false when it stopped after MaxOverlapComparisons comparisons.
func sweep(ws []window, pair func(a, b *window) bool, found func(a, b *window)) bool {
	type group struct{ model, use string }
	groups := map[group][]int{}
	var order []group
	for i := range ws {
		for _, u := range ws[i].uses {
			g := group{ws[i].model, u}
			if n := len(groups[g]); n > 0 && groups[g][n-1] == i {
				continue // a use type listed twice
			}
			if _, ok := groups[g]; !ok {
				order = append(order, g)
			}
			groups[g] = append(groups[g], i)
		}
	}
	reported := make([]bool, len(ws))
	budget := MaxOverlapComparisons
	for _, g := range order {
		idx := groups[g]
		slices.SortStableFunc(idx, func(x, y int) int { return ws[x].start.Compare(ws[y].start) })
		var active []int
		pruned := 0
		for _, j := range idx {
			b := &ws[j]
			if len(active) > 2*pruned+8 { // amortized: windows ended before b starts go
				kept := active[:0]
				for _, i := range active {
					if ws[i].end.IsZero() || !ws[i].end.Before(b.start) {
						kept = append(kept, i)
					}
				}
				active, pruned = kept, len(kept)
			}
			for _, i := range active {
				if reported[j] {
					break
				}
				if budget--; budget < 0 {
					return false
				}
				a := &ws[i]
				if (a.end.IsZero() || !a.end.Before(b.start)) && pair(a, b) && a.reach.meets(b.reach) {
					reported[j] = true
					found(a, b)
				}
			}
			active = append(active, j)
		}
	}
	return true
}

// window is a deal as the overlap sees it.
type window struct {
	at, side   int // place in its list, and which list (DealsOverlap)
	model      string
	uses       []string
	reach      reach
	start, end time.Time // end is the last day; zero: no end
}

func windowsOf(deals []ern.Deal, releaseDate string, side int) []window {
	out := make([]window, 0, len(deals))
	for i, d := range deals {
		startText := d.StartDate
		if strings.TrimSpace(startText) == "" {
			startText = releaseDate
		}
		start, err := time.Parse(time.DateOnly, strings.TrimSpace(startText))
		if err != nil {
			continue
		}
		var end time.Time
		if e := strings.TrimSpace(d.EndDate); e != "" {
			if end, err = time.Parse(time.DateOnly, e); err != nil || end.Before(start) {
				continue
			}
		}
		out = append(out, window{at: i, side: side, model: d.CommercialModel, uses: d.UseTypes, reach: reachOf(d), start: start, end: end})
	}
	return out
}

// shared is the first and last day of the days both windows run (zero
// until: no end), which may be empty (until before from).
func shared(a, b *window) (from, until time.Time) {
	from = a.start
	if b.start.After(from) {
		from = b.start
	}
	until = a.end
	if until.IsZero() || !b.end.IsZero() && b.end.Before(until) {
		until = b.end
	}
	return from, until
}

// describeOverlap words the overlap of two windows that touch.
func describeOverlap(a, b *window) DealOverlap {
	var uses []string
	for _, u := range a.uses {
		if slices.Contains(b.uses, u) && !slices.Contains(uses, u) {
			uses = append(uses, u)
		}
	}
	from, until := shared(a, b)
	o := DealOverlap{A: a.at, B: b.at, CommercialModel: a.model, UseTypes: uses, Territory: a.reach.and(b.reach).String(), From: from.Format(time.DateOnly)}
	if !until.IsZero() {
		o.Until = until.Format(time.DateOnly)
	}
	return o
}

// reach is the set of territories a deal covers: the listed codes, or
// with world every code but those listed (a worldwide deal's
// exclusions).
type reach struct {
	world bool
	codes map[string]bool
}

func reachOf(d ern.Deal) reach {
	if slices.Contains(d.Territories, Worldwide) {
		r := reach{world: true, codes: map[string]bool{}}
		for _, t := range d.ExcludedTerritories {
			r.codes[t] = true
		}
		return r
	}
	r := reach{codes: map[string]bool{}}
	for _, t := range d.Territories {
		r.codes[t] = true
	}
	return r
}

// meets reports whether a and b reach a territory in common, without
// building the common set: most pairs compared do not overlap.
func (a reach) meets(b reach) bool {
	switch {
	case a.world && b.world:
		if len(a.codes)+len(b.codes) < len(territoryCodes) {
			return true
		}
		return !a.and(b).empty()
	case a.world:
		for c := range b.codes {
			if !a.codes[c] {
				return true
			}
		}
		return false
	case b.world:
		return b.meets(a)
	}
	if len(b.codes) < len(a.codes) {
		a, b = b, a
	}
	for c := range a.codes {
		if b.codes[c] {
			return true
		}
	}
	return false
}

// and is where both a and b reach.
func (a reach) and(b reach) reach {
	out := reach{codes: map[string]bool{}}
	switch {
	case a.world && b.world: // everywhere but either's exclusions
		out.world = true
		for c := range a.codes {
			out.codes[c] = true
		}
		for c := range b.codes {
			out.codes[c] = true
		}
	case a.world:
		for c := range b.codes {
			if !a.codes[c] {
				out.codes[c] = true
			}
		}
	case b.world:
		return b.and(a)
	default:
		for c := range a.codes {
			if b.codes[c] {
				out.codes[c] = true
			}
		}
	}
	return out
}

// empty reports whether r reaches no territory: no code listed, or every
// country excluded.
func (r reach) empty() bool {
	if !r.world {
		return len(r.codes) == 0
	}
	for c := range territoryCodes {
		if !r.codes[c] {
			return false
		}
	}
	return true
}

// String lists the territories, at most eight codes then a count.
func (r reach) String() string {
	codes := make([]string, 0, len(r.codes))
	for c := range r.codes {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	list := strings.Join(codes, ", ")
	if len(codes) > 8 {
		list = strings.Join(codes[:8], ", ") + fmt.Sprintf(" and %d more", len(codes)-8)
	}
	switch {
	case r.world && len(codes) == 0:
		return Worldwide
	case r.world:
		return Worldwide + " except " + list
	}
	return list
}

// windowOverlap is rule window-overlap for the deals dsp gets of the
// release (DealsFor).
func (rel *Release) windowOverlap(dsp string) Problems {
	if !NeedsFiles(rel.Action) {
		return nil
	}
	deals := rel.DealsFor(dsp)
	var ps Problems
	overlaps, complete := WindowOverlaps(deals, rel.Model.ReleaseDate)
	for _, o := range overlaps {
		a, b := rel.DealPlace(dsp, o.A), rel.DealPlace(dsp, o.B)
		ps = append(ps, Problem{Rule: ruleWindowOverlap, Where: b,
			What: fmt.Sprintf("%s and %s both offer %s under %s in %s %s: the DSP cannot tell which applies",
				a, b, strings.Join(o.UseTypes, ", "), o.CommercialModel, o.Territory, o.Days()),
			Fix: "end one deal before the other starts (end_date is the last day on sale), narrow the territories (excluded_territories), " +
				"or, if both are meant, add confirm = [\"" + ruleWindowOverlap + "\"] to release.toml"})
	}
	if !complete {
		ps = append(ps, Problem{Rule: ruleWindowOverlap, Where: "deals",
			What: fmt.Sprintf("the release has %d deals, too many to compare for overlapping windows: ferry stopped after %d comparisons", len(deals), MaxOverlapComparisons),
			Fix: "give each deal all the territories it covers instead of a deal per territory, " +
				"or, if the deals are right, add confirm = [\"" + ruleWindowOverlap + "\"] to release.toml"})
	}
	return ps
}

// DealPlace says where the i-th deal (from 0) of DealsFor(dsp) is
// written: "deals[2]" in release.toml (or the ERN message's deal list),
// or "preset.majors.deals[1]" in the configuration.
func (r *Release) DealPlace(dsp string, i int) string {
	if places := r.dealPlaces(dsp); i < len(places) {
		return places[i]
	}
	return fmt.Sprintf("deals[%d]", i+1)
}

// dealPlaces lists where each deal of DealsFor(dsp) is written, by
// DealsFor's rule: release.toml's deals naming dsp, else those naming no
// DSP, else the preset's naming dsp, else the preset's naming none. nil
// for a release read from an ERN message (its deals are in order).
func (r *Release) dealPlaces(dsp string) []string {
	rf := r.file
	if rf == nil || rf.ern != nil {
		return nil
	}
	var own, general, presetOwn, presetGeneral []string
	place := func(where string, names []string, own, general *[]string) {
		switch {
		case len(names) == 0:
			*general = append(*general, where)
		case slices.Contains(names, dsp):
			*own = append(*own, where)
		}
	}
	for i, d := range rf.Deals {
		place(fmt.Sprintf("deals[%d]", i+1), d.DSP, &own, &general)
	}
	if rf.preset != nil {
		for _, d := range rf.preset.deals {
			place(d.where, d.entry.DSP, &presetOwn, &presetGeneral)
		}
	}
	for _, places := range [][]string{own, general, presetOwn} {
		if len(places) > 0 {
			return places
		}
	}
	return presetGeneral
}
