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

// finishMerge completes the merging of a message's deals (m holds
// those that are not pre-orders, folded as they were read: deals that
// differ only in their included territories are one deal with all of
// them — DSP messages repeat a deal per territory, up to tens of
// thousands — and repeats, such as the same deal for the album and its
// tracks or a territory listed twice, are dropped): a 4.x pre-order
// deal becomes the PreOrderDate of the deal it opens, or a deal of its
// own starting the day after the window. The work is linear in the
// number of deals and territories.
func finishMerge(m *dealMerger, pre []rawDeal, releaseDate string) []Deal {
	if len(pre) == 0 {
		return m.deals
	}
	byOffer := map[string]int{}
	for i := len(m.deals) - 1; i >= 0; i-- {
		if m.deals[i].PreOrderDate == "" {
			byOffer[offerKey(m.deals[i])] = i // the first such deal wins
		}
	}
	for _, p := range pre {
		if i, ok := byOffer[offerKey(p.Deal)]; ok && m.deals[i].PreOrderDate == "" {
			m.deals[i].PreOrderDate = p.StartDate
			delete(byOffer, offerKey(p.Deal))
			continue
		}
		d := p.Deal
		d.PreOrderDate = p.StartDate
		d.StartDate = dayAfter(p.EndDate)
		if d.StartDate == "" {
			d.StartDate = releaseDate
		}
		d.EndDate = ""
		m.add(d)
	}
	return m.deals
}

// dealMerger collects deals, finding candidates to merge with by their
// terms, and each deal's territories in a set, so that adding a
// territory costs the same whatever the deal already holds.
type dealMerger struct {
	deals   []Deal
	terr    []map[string]bool // deals[i]'s territories
	byTerms map[string][]int
}

// add adds d: into an existing deal that differs only in included
// territories, or over a copy without the pre-order date, or as a new
// deal.
func (m *dealMerger) add(d Deal) {
	d.Territories = uniq(d.Territories)
	d.ExcludedTerritories = uniq(d.ExcludedTerritories)
	key := termsKey(d)
	for _, i := range m.byTerms[key] {
		e := &m.deals[i]
		if len(e.Territories) == len(d.Territories) && containsAll(m.terr[i], d.Territories) && slices.Equal(e.ExcludedTerritories, d.ExcludedTerritories) {
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
				if !m.terr[i][t] {
					m.terr[i][t] = true
					e.Territories = append(e.Territories, t)
				}
			}
			return
		}
	}
	set := make(map[string]bool, len(d.Territories))
	for _, t := range d.Territories {
		set[t] = true
	}
	m.byTerms[key] = append(m.byTerms[key], len(m.deals))
	m.deals = append(m.deals, d)
	m.terr = append(m.terr, set)
}

// termsKey is what deals merged by territory share: model, uses, window
// and prices.
func termsKey(d Deal) string {
	var b strings.Builder
	b.WriteString(d.CommercialModel)
	b.WriteByte(0)
	b.WriteString(strings.Join(d.UseTypes, ","))
	b.WriteByte(0)
	b.WriteString(d.StartDate)
	b.WriteByte(0)
	b.WriteString(d.EndDate)
	for _, p := range d.Prices {
		b.WriteByte(0)
		b.WriteString(strings.Join([]string{p.Type, p.Code, p.Wholesale.Value, p.Wholesale.Currency,
			p.BulkWholesale.Value, p.BulkWholesale.Currency, p.SuggestedRetail.Value, p.SuggestedRetail.Currency}, ","))
	}
	return b.String()
}

// offerKey is what and where, not when: a pre-order deal and the deal it
// opens differ only in their dates.
func offerKey(d Deal) string {
	return d.CommercialModel + "\x00" + strings.Join(d.UseTypes, ",") + "\x00" +
		strings.Join(d.Territories, ",") + "\x00" + strings.Join(d.ExcludedTerritories, ",")
}

func containsAll(set map[string]bool, list []string) bool {
	for _, t := range list {
		if !set[t] {
			return false
		}
	}
	return true
}

// uniq drops repeated values, keeping the first of each; it allocates
// only when there is a repeat.
func uniq(list []string) []string {
	if len(list) < 2 {
		return list
	}
	if len(list) <= 8 {
		for i := 1; i < len(list); i++ {
			if slices.Contains(list[:i], list[i]) {
				return uniqSet(list)
			}
		}
		return list
	}
	return uniqSet(list)
}

func uniqSet(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, t := range list {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// dayAfter returns the ISO date one day after date, or "".
func dayAfter(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}
