package ern

import (
	"time"

	"github.com/beevik/etree"
)

// dealList writes the 4.x DealList: every deal for the main release and
// its track releases, then the pre-order deals (main release only). A
// release without deals (or whose deals come separately, DealsOmitted)
// gets no DealList.
func (w *writer) dealList(root *etree.Element) {
	if len(w.r.Deals) == 0 || w.r.DealsOmitted {
		return
	}
	dl := root.CreateElement("DealList")
	rd := dl.CreateElement("ReleaseDeal")
	add(rd, "DealReleaseReference", mainReleaseRef)
	for i := range w.r.Tracks {
		add(rd, "DealReleaseReference", trackReleaseRef(i))
	}
	for _, d := range w.r.Deals {
		w.deal(rd, d, false)
	}
	var pre *etree.Element
	for _, d := range w.r.Deals {
		if d.PreOrderDate == "" {
			continue
		}
		if pre == nil {
			pre = dl.CreateElement("ReleaseDeal")
			add(pre, "DealReleaseReference", mainReleaseRef)
		}
		w.deal(pre, d, true)
	}
}

// deal writes one 4.x Deal. The pre-order form runs from the pre-order
// date to the day before the deal's start, flagged IsPreOrderDeal, with
// the instant-gratification tracks.
func (w *writer) deal(rd *etree.Element, d Deal, preOrder bool) {
	dt := rd.CreateElement("Deal").CreateElement("DealTerms")
	writeTerritories(dt, d)
	vp := dt.CreateElement("ValidityPeriod")
	start := w.dealStart(d)
	if preOrder {
		add(vp, "StartDate", d.PreOrderDate)
		addOpt(vp, "EndDate", dayBefore(start))
	} else {
		add(vp, "StartDate", start)
		addOpt(vp, "EndDate", d.EndDate)
	}
	if d.CommercialModel != "" {
		w.enumValue(dt, "CommercialModelType", d.CommercialModel, w.f.vocab.commercial)
	}
	for _, u := range d.UseTypes {
		w.enumValue(dt, "UseType", u, w.f.vocab.use)
	}
	w.prices(dt, d.Prices)
	if !preOrder {
		return
	}
	add(dt, "IsPreOrderDeal", "true")
	w.instantGratification(dt)
}

// instantGratification writes the InstantGratificationResourceList of a
// pre-order deal's terms (3.8.2 and 4.x alike): the tracks flagged
// InstantGratification, none when no track is.
func (w *writer) instantGratification(dt *etree.Element) {
	var ig *etree.Element
	for i := range w.r.Tracks {
		if !w.r.Tracks[i].InstantGratification {
			continue
		}
		if ig == nil {
			ig = dt.CreateElement("InstantGratificationResourceList")
		}
		add(ig, "DealResourceReference", trackRef(i))
	}
}

// writeTerritories writes the deal's TerritoryCodes, then its
// ExcludedTerritoryCodes, as territories picks them (3.8.2 and 4.x
// alike).
func writeTerritories(dt *etree.Element, d Deal) {
	included, excluded := territories(d)
	for _, t := range included {
		add(dt, "TerritoryCode", t)
	}
	for _, t := range excluded {
		add(dt, "ExcludedTerritoryCode", t)
	}
}

// territories returns the deal's territory codes for 4.x, where a deal
// lists either included or excluded territories: exclusions apply to
// Worldwide, so they are written alone when the deal is worldwide.
func territories(d Deal) (included, excluded []string) {
	worldwide := len(d.Territories) == 0 || (len(d.Territories) == 1 && d.Territories[0] == "Worldwide")
	if worldwide && len(d.ExcludedTerritories) > 0 {
		return nil, d.ExcludedTerritories
	}
	if len(d.Territories) == 0 {
		return []string{"Worldwide"}, nil
	}
	return d.Territories, nil
}

// dealStart is the deal's start date: its own, else the release date,
// else the day the message was created (the schema needs one).
func (w *writer) dealStart(d Deal) string {
	if d.StartDate != "" {
		return d.StartDate
	}
	if w.r.ReleaseDate != "" {
		return w.r.ReleaseDate
	}
	return w.m.Header.Created.UTC().Format(time.DateOnly)
}

// takedownDealList writes a 4.x takedown: one worldwide deal for the
// release and its tracks that ended the day before the message was
// created. DDEX ERN 4 (clause 6.19.4) allows a takedown to omit the deals
// or send them end-dated; ferry sends the end-dated form so that a
// message without a DealList (deals sent separately) is never read as a
// takedown.
func (w *writer) takedownDealList(root *etree.Element) {
	rd := root.CreateElement("DealList").CreateElement("ReleaseDeal")
	add(rd, "DealReleaseReference", mainReleaseRef)
	for i := range w.r.Tracks {
		add(rd, "DealReleaseReference", trackReleaseRef(i))
	}
	dt := rd.CreateElement("Deal").CreateElement("DealTerms")
	add(dt, "TerritoryCode", "Worldwide")
	ended := dayBefore(w.m.Header.Created.UTC().Format(time.DateOnly))
	vp := dt.CreateElement("ValidityPeriod")
	add(vp, "StartDate", ended)
	add(vp, "EndDate", ended)
}

// prices writes a deal's PriceInformation (the same elements in 3.8.2,
// where the tier is PriceType, and 4.x, where it is PriceCode).
func (w *writer) prices(dt *etree.Element, prices []Price) {
	for _, p := range prices {
		pi := dt.CreateElement("PriceInformation")
		switch {
		case p.Type == "":
		case priceTypes[p.Type]:
			pi.CreateAttr("PriceType", p.Type)
		case w.f.providedFlag: // 4.2 and later: UserDefined
			pi.CreateAttr("PriceType", "UserDefined")
			pi.CreateAttr("UserDefinedValue", p.Type)
		}
		if p.Code != "" {
			tag := "PriceCode"
			if w.f.ern3 {
				tag = "PriceType"
			}
			add(pi, tag, p.Code).CreateAttr("Namespace", w.namespace())
		}
		amount(pi, "WholesalePricePerUnit", p.Wholesale)
		amount(pi, "BulkOrderWholesalePricePerUnit", p.BulkWholesale)
		amount(pi, "SuggestedRetailPrice", p.SuggestedRetail)
	}
}

// priceTypes are the PriceInformationType values of every version; 4.2
// and later take another word as UserDefined, earlier versions cannot
// say it (Losses lists it).
var priceTypes = newSet("StandardRetailPrice", "PreOrderPrice")

func amount(parent *etree.Element, tag string, a Amount) {
	if a.Value == "" {
		return
	}
	e := add(parent, tag, a.Value)
	if a.Currency != "" {
		e.CreateAttr("CurrencyCode", a.Currency)
	}
}
