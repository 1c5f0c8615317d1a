package delivery

import (
	"slices"
	"time"

	"github.com/ferrydelivery/ferry/ern"
)

// Worldwide is DDEX's territory code for every territory.
const worldwide = "Worldwide"

// withdraw ends deals: in the territories listed (all when none are), on
// end (the last day on sale, YYYY-MM-DD). Deals that reach other
// territories are split: those territories keep their deal unchanged, so
// a partial takedown leaves the rest of the world live. A deal that
// already ends sooner keeps its end.
func withdraw(deals []ern.Deal, territories []string, end string) []ern.Deal {
	var out []ern.Deal
	for _, d := range deals {
		ending, keep := split(d, territories)
		if ending != nil {
			if ending.EndDate == "" || ending.EndDate > end {
				ending.EndDate = end
			}
			if ending.PreOrderDate != "" && ending.PreOrderDate > end {
				ending.PreOrderDate = ""
			}
			out = append(out, *ending)
		}
		if keep != nil {
			out = append(out, *keep)
		}
	}
	return out
}

// split divides a deal into the part in territories (nil when none of
// them is in it) and the part elsewhere (nil when nothing is left).
func split(d ern.Deal, territories []string) (in, rest *ern.Deal) {
	if len(territories) == 0 {
		return &d, nil
	}
	var inT, restT []string
	if slices.Contains(d.Territories, worldwide) {
		for _, t := range territories {
			if !slices.Contains(d.ExcludedTerritories, t) {
				inT = append(inT, t)
			}
		}
		if len(inT) == 0 {
			return nil, &d
		}
		r := d
		r.ExcludedTerritories = append(slices.Clone(d.ExcludedTerritories), inT...)
		rest = &r
	} else {
		for _, t := range d.Territories {
			if slices.Contains(territories, t) {
				inT = append(inT, t)
			} else {
				restT = append(restT, t)
			}
		}
		if len(inT) == 0 {
			return nil, &d
		}
		if len(restT) > 0 {
			r := d
			r.Territories = restT
			rest = &r
		}
	}
	i := d
	i.Territories, i.ExcludedTerritories = inT, nil
	return &i, rest
}

// lastDayOnSale is the EndDate a takedown at t gives. ERN's deal dates
// are whole days, and a deal runs through its EndDate, so the last day on
// sale is the UTC day before the one t falls in: the release comes off
// sale at the start of t's UTC day — never later than asked, at most a
// day earlier. A zero t is a takedown now: deals ended yesterday.
func lastDayOnSale(t, now time.Time) string {
	if t.IsZero() {
		t = now
	}
	return t.UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour).Format(time.DateOnly)
}
