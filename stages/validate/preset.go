package validate

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/currency"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
)

// A release's deals for one DSP are, from the first of these that has
// any (each layer replaces the ones below it for that DSP, never merges
// with them):
//
//  1. release.toml's [[deals]] whose dsp names the DSP;
//  2. release.toml's [[deals]] without dsp;
//  3. the preset's deals whose dsp names the DSP;
//  4. the preset's deals without dsp.
//
// DealsFor answers it; every stage that needs a DSP's deals (packaging,
// planning, lead time, conflict checks) asks it.

// DealsFor returns the deals of the release for dsp, by the rule above.
// A release loaded without resolution (built by hand in a test) gives
// its model's deals.
func (r *Release) DealsFor(dsp string) []ern.Deal {
	if d := r.dealsByDSP[dsp]; len(d) > 0 {
		return d
	}
	return r.Model.Deals
}

// FromPreset reports whether dsp is one of the release's destinations
// because its preset names it (release.toml has no deliver_to).
func (r *Release) FromPreset(dsp string) bool {
	return r.Preset != "" && r.file != nil && len(r.file.DeliverTo) == 0 && slices.Contains(r.DeliverTo, dsp)
}

// appliedPreset is what a release took from its preset: the preset's
// deals the release uses, each with where it is written in the
// configuration.
type appliedPreset struct {
	name  string
	deals []dealRef
}

// dealRef is a deal the checks look at, and where it is written:
// "deals[2]" in release.toml, or "preset.majors.deals[1]" in the
// configuration.
type dealRef struct {
	where string
	entry DealEntry
}

// dealRefs lists the deals in use: release.toml's, then the preset's
// that apply to some DSP the release goes to.
func (rf *ReleaseFile) dealRefs() []dealRef {
	refs := make([]dealRef, 0, len(rf.Deals))
	for i, d := range rf.Deals {
		refs = append(refs, dealRef{fmt.Sprintf("deals[%d]", i+1), d})
	}
	if rf.preset != nil {
		refs = append(refs, rf.preset.deals...)
	}
	return refs
}

// applyPreset applies the release's preset: its DSPs become the
// release's destinations when release.toml has no deliver_to (a
// deliver_to replaces them), and its deal templates, dated from the
// release date, fill in the deals release.toml does not give (see
// DealsFor). presets nil: presets are not checked (no configuration).
// It returns the problems of an unknown preset.
func (v *Validator) applyPreset(rel *Release) Problems {
	rf := rel.file
	rf.preset = nil
	name := strings.TrimSpace(rf.Preset)
	if name == "" || rf.ern != nil {
		rel.resolveDeals()
		return nil
	}
	rel.Preset = name
	p := v.Presets[name]
	if p == nil {
		if v.Presets == nil && v.DSPs == nil {
			rel.resolveDeals()
			return nil // no configuration to check it against
		}
		have := strings.Join(sortedNames(v.Presets), ", ")
		if have == "" {
			have = "none"
		}
		fix := "use a preset of ferry's configuration, or ask whoever runs ferry to add [preset." + name + "]"
		if s := closest(name, sortedNames(v.Presets)); s != "" {
			fix = fmt.Sprintf("write %q", s)
		}
		rel.resolveDeals()
		return Problems{{Severity: Error, Rule: rulePreset, Where: "preset",
			What: fmt.Sprintf("%q is not a preset in ferry's configuration (configured: %s)", name, have), Fix: fix}}
	}
	if len(rf.DeliverTo) == 0 && len(p.DSPs) > 0 {
		rel.DeliverTo = slices.Clone(p.DSPs)
	}
	ap := &appliedPreset{name: name}
	if !slices.ContainsFunc(rf.Deals, func(d DealEntry) bool { return len(d.DSP) == 0 }) {
		// release.toml gives no deals for every DSP: the preset's apply
		// where release.toml has none for the DSP.
		targets := v.Targets(rel)
		own := map[string]bool{}
		for _, d := range rf.Deals {
			for _, n := range d.DSP {
				own[n] = true
			}
		}
		left := slices.DeleteFunc(slices.Clone(targets), func(t string) bool { return own[t] })
		prefix := config.Path("preset", name) + ".deals"
		for i, t := range p.Deals {
			if len(left) == 0 || len(t.DSP) > 0 && !slices.ContainsFunc(t.DSP, func(n string) bool { return slices.Contains(left, n) }) {
				continue // no DSP of this release takes it
			}
			ap.deals = append(ap.deals, dealRef{config.Element(prefix, i+1), fromTemplate(t, string(rf.ReleaseDate))})
		}
	}
	rf.preset = ap
	rel.resolveDeals()
	return nil
}

// fromTemplate is a preset's deal as release.toml would write it for a
// release dated release: relative dates counted from it (left empty
// when it is not a date; release_date's own problem says why).
func fromTemplate(t config.DealTemplate, release string) DealEntry {
	date := func(d config.DealDate) Date {
		s, _ := d.Resolve(release)
		return Date(s)
	}
	return DealEntry{
		DSP:                 t.DSP,
		Territories:         t.Territories,
		ExcludedTerritories: t.ExcludedTerritories,
		CommercialModel:     t.CommercialModel,
		UseTypes:            t.UseTypes,
		StartDate:           date(t.StartDate),
		EndDate:             date(t.EndDate),
		PreOrderDate:        date(t.PreOrderDate),
		PriceTier:           t.PriceTier,
		WholesalePrice:      t.WholesalePrice,
	}
}

// resolveDeals works out, by DealsFor's rule, the release's deals for
// every DSP: Model.Deals is what a DSP without deals of its own gets,
// dealsByDSP what the others get. A release read from an ERN message
// keeps the message's deals.
func (rel *Release) resolveDeals() {
	rf := rel.file
	rel.dealsByDSP = nil
	if rf == nil || rf.ern != nil {
		return
	}
	general, byDSP := splitDeals(rf.Deals)
	if len(general) == 0 && rf.preset != nil {
		var entries []DealEntry
		for _, r := range rf.preset.deals {
			entries = append(entries, r.entry)
		}
		pGeneral, pByDSP := splitDeals(entries)
		general = pGeneral
		for dsp, deals := range pByDSP {
			if len(byDSP[dsp]) == 0 {
				if byDSP == nil {
					byDSP = map[string][]ern.Deal{}
				}
				byDSP[dsp] = deals
			}
		}
	}
	rel.Model.Deals = general
	rel.dealsByDSP = byDSP
}

// splitDeals converts deal entries into the model: those without dsp,
// and those with, by DSP.
func splitDeals(entries []DealEntry) (general []ern.Deal, byDSP map[string][]ern.Deal) {
	for _, e := range entries {
		d := e.model()
		if len(e.DSP) == 0 {
			general = append(general, d)
			continue
		}
		if byDSP == nil {
			byDSP = map[string][]ern.Deal{}
		}
		seen := map[string]bool{}
		for _, n := range e.DSP {
			if !seen[n] {
				seen[n] = true
				byDSP[n] = append(byDSP[n], d)
			}
		}
	}
	return general, byDSP
}

// model is the deal as ferry's release model holds it. A price tier and
// a wholesale price become a PriceInformation each: DDEX advises that
// PriceCode (the tier) is not combined with WholesalePricePerUnit in one
// (ERN 4.x PriceInformationWithType), and every version allows several.
func (d DealEntry) model() ern.Deal {
	territories, _ := unique(d.Territories)
	excluded, _ := unique(d.ExcludedTerritories)
	deal := ern.Deal{
		Territories:         territories,
		ExcludedTerritories: excluded,
		CommercialModel:     d.CommercialModel,
		UseTypes:            d.UseTypes,
		StartDate:           string(d.StartDate),
		EndDate:             string(d.EndDate),
		PreOrderDate:        string(d.PreOrderDate),
	}
	if tier := strings.TrimSpace(d.PriceTier); tier != "" {
		deal.Prices = append(deal.Prices, ern.Price{Code: tier})
	}
	if w := d.WholesalePrice; w != nil {
		deal.Prices = append(deal.Prices, ern.Price{Wholesale: ern.Amount{Value: string(w.Amount), Currency: w.Currency}})
	}
	return deal
}

// checkDealDSPs reports deals whose dsp names a DSP the release does not
// go to (targets), and DSPs the release goes to that get no deal while
// others do.
func (rel *Release) checkDealDSPs(targets []string) Problems {
	rf := rel.file
	if rf == nil || rf.ern != nil || !NeedsFiles(rf.Action) {
		return nil
	}
	var ps Problems
	for i, d := range rf.Deals {
		for _, n := range d.DSP {
			if slices.Contains(targets, n) {
				continue
			}
			fix := "name only DSPs the release goes to (" + strings.Join(targets, ", ") + "), or add " + n + " to deliver_to"
			if s := closest(n, targets); s != "" {
				fix = fmt.Sprintf("write %q", s)
			}
			ps = append(ps, Problem{Severity: Error, Rule: ruleDealDSP, Where: fmt.Sprintf("deals[%d].dsp", i+1),
				What: fmt.Sprintf("%q is not a DSP this release is delivered to (%s), so this deal would go nowhere", n, strings.Join(targets, ", ")), Fix: fix})
		}
	}
	if len(rf.dealRefs()) == 0 {
		return ps // "the release has no deals" says it
	}
	for _, t := range targets {
		if t != "" && len(rel.DealsFor(t)) == 0 {
			ps = append(ps, Problem{Severity: Error, Rule: ruleDealDSP, Where: "deals",
				What: fmt.Sprintf("every deal names its DSPs with dsp, and none names %s: it would get the release with no deal", t),
				Fix:  fmt.Sprintf("add a [[deals]] without dsp (for every DSP), or one with dsp = [%q]", t)})
		}
	}
	return ps
}

// checkPrice checks a deal's price: a plain amount and an ISO 4217
// currency.
func (c *checker) checkPrice(where string, d DealEntry) {
	if d.PriceTier != "" && strings.TrimSpace(d.PriceTier) == "" {
		c.add(rulePrice, where+".price_tier", "price_tier is blank", "write the DSP's price tier code, e.g. \"FRONT\", or leave price_tier out")
	}
	if d.WholesalePrice == nil {
		return
	}
	if msgs := d.WholesalePrice.Check(); len(msgs) > 0 {
		for _, m := range msgs {
			c.add(rulePrice, where+".wholesale_price", m, priceFormatFix)
		}
		return
	}
	if _, err := currency.ParseISO(d.WholesalePrice.Currency); err != nil {
		c.add(rulePrice, where+".wholesale_price", fmt.Sprintf("currency: %q is not an ISO 4217 currency code", d.WholesalePrice.Currency),
			"use the three-letter code of the currency, e.g. EUR, USD, GBP, JPY")
	}
}

const priceFormatFix = `write wholesale_price = { amount = "0.70", currency = "EUR" }`

// PresetIssues checks the deal templates of every configured preset as
// the validator checks a release's deals (territories, commercial
// models, use types, prices), each issue with its line in the
// configuration. config.Lint checks the rest (DSP names, dates,
// required fields).
func PresetIssues(cfg *config.Config) config.Issues {
	var is config.Issues
	for _, name := range cfg.PresetNames() {
		p := cfg.Preset[name]
		if p == nil {
			continue
		}
		rf := &ReleaseFile{preset: &appliedPreset{name: name}}
		for i, t := range p.Deals {
			rf.preset.deals = append(rf.preset.deals, dealRef{config.Element(config.Path("preset", name)+".deals", i+1), fromTemplate(t, "")})
		}
		c := &checker{rf: rf}
		c.checkDeals()
		for _, pr := range c.ps {
			if pr.Fix == priceFormatFix {
				continue // config.Lint says it
			}
			is = append(is, config.Issue{Kind: config.BadValue, Line: cfg.Line(pr.Where), Key: pr.Where, Msg: pr.What + " (" + pr.Fix + ")"})
		}
	}
	return is
}

func sortedNames(m map[string]*config.Preset) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
