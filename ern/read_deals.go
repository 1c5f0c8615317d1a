package ern

import (
	"slices"
	"strings"
	"time"
)

// rawDeal is one deal as a message states it, before it is folded into
// the model's deals.
type rawDeal struct {
	Deal
	// preOrder marks a 4.x pre-order deal (IsPreOrderDeal): its validity
	// period is the pre-order window.
	preOrder bool
	// takedown marks a 3.8.2 TakeDown deal.
	takedown bool
}

// mergeDeals folds a message's deals into the model's: deals that differ
// only in their (included) territories become one deal with all of them
// (DSP messages often repeat a deal per territory), a 4.x pre-order deal
// becomes the PreOrderDate of the deal it opens, and repeats (the same
// deal for the album and for its tracks) are dropped. Takedown deals are
// not deals: they are dropped.
func mergeDeals(raw []rawDeal, releaseDate string) []Deal {
	m := dealMerger{byTerms: map[string][]int{}}
	var pre []rawDeal
	for _, d := range raw {
		switch {
		case d.takedown:
		case d.preOrder:
			pre = append(pre, d)
		default:
			m.add(d.Deal)
		}
	}
	for _, p := range pre {
		matched := false
		for i := range m.deals {
			if m.deals[i].PreOrderDate == "" && sameOffer(m.deals[i], p.Deal) {
				m.deals[i].PreOrderDate = p.StartDate
				matched = true
				break
			}
		}
		if !matched {
			d := p.Deal
			d.PreOrderDate = p.StartDate
			d.StartDate = dayAfter(p.EndDate)
			if d.StartDate == "" {
				d.StartDate = releaseDate
			}
			d.EndDate = ""
			m.add(d)
		}
	}
	return m.deals
}

// dealMerger collects deals, finding candidates to merge with by their
// terms (a single sample repeats three deals for 250 territories).
type dealMerger struct {
	deals   []Deal
	byTerms map[string][]int
}

// add adds d: into an existing deal that differs only in included
// territories, or over a copy without the pre-order date, or as a new
// deal.
func (m *dealMerger) add(d Deal) {
	key := d.CommercialModel + "\x00" + strings.Join(d.UseTypes, ",") + "\x00" + d.StartDate + "\x00" + d.EndDate
	for _, i := range m.byTerms[key] {
		e := &m.deals[i]
		if slices.Equal(e.Territories, d.Territories) && slices.Equal(e.ExcludedTerritories, d.ExcludedTerritories) {
			if e.PreOrderDate == d.PreOrderDate || d.PreOrderDate == "" {
				return
			}
			if e.PreOrderDate == "" {
				e.PreOrderDate = d.PreOrderDate
				return
			}
			continue
		}
		if e.PreOrderDate == d.PreOrderDate && len(e.ExcludedTerritories) == 0 && len(d.ExcludedTerritories) == 0 {
			for _, t := range d.Territories {
				if !slices.Contains(e.Territories, t) {
					e.Territories = append(e.Territories, t)
				}
			}
			return
		}
	}
	m.byTerms[key] = append(m.byTerms[key], len(m.deals))
	m.deals = append(m.deals, d)
}

// sameOffer compares what and where, not when: a pre-order deal and the
// deal it opens differ only in their dates.
func sameOffer(a, b Deal) bool {
	return a.CommercialModel == b.CommercialModel && slices.Equal(a.UseTypes, b.UseTypes) &&
		strings.Join(a.Territories, ",") == strings.Join(b.Territories, ",") &&
		strings.Join(a.ExcludedTerritories, ",") == strings.Join(b.ExcludedTerritories, ",")
}

// dayAfter returns the ISO date one day after date, or "".
func dayAfter(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}
