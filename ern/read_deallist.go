package ern

import (
	"bytes"
	"fmt"
	"slices"
	"time"
)

// The DealList is read apart from the rest of the message: cut out of
// the document before the DOM is built and walked by scanXML, each
// DealTerms folded into the model's deals as soon as it is read
// (dealMerger), so that 50,000 deals cost a few megabytes. Both the 4.x
// and the 3.8.2 names are read (Usage/UseType, TakeDown,
// PreOrderReleaseDate, PriceType).

// splitDealList cuts the DealList element out of a (compacted, UTF-8)
// document: it returns the document without it and the element, nil
// when there is none.
func splitDealList(data []byte) (rest, dealList []byte, err error) {
	start := -1
	for from := 0; ; {
		i := bytes.Index(data[from:], []byte("<DealList"))
		if i < 0 {
			break
		}
		i += from
		if j := i + len("<DealList"); j < len(data) && (data[j] == '>' || data[j] == '/' || isSpace(data[j])) {
			start = i
			break
		}
		from = i + 1
	}
	if start < 0 {
		return data, nil, nil
	}
	end := -1
	if tail := data[start:]; bytes.HasPrefix(tail, []byte("<DealList/>")) || bytes.HasPrefix(tail, []byte("<DealList />")) {
		end = start + bytes.IndexByte(tail, '>') + 1
	} else if i := bytes.LastIndex(data, []byte("</DealList")); i > start {
		if j := bytes.IndexByte(data[i:], '>'); j >= 0 {
			end = i + j + 1
		}
	}
	if end < 0 {
		return nil, nil, fmt.Errorf("the DealList is not closed")
	}
	rest = make([]byte, 0, len(data)-(end-start))
	rest = append(append(rest, data[:start]...), data[end:]...)
	return rest, data[start:end], nil
}

// Element codes of the DealList parts the reader uses.
const (
	dlOther uint8 = iota
	dlDealList
	dlReleaseDeal
	dlDeal
	dlDealTerms
	dlTerritoryCode
	dlExcludedTerritoryCode
	dlUsage
	dlUseType
	dlCommercialModelType
	dlValidityPeriod
	dlStartDate
	dlEndDate
	dlStartDateTime
	dlEndDateTime
	dlPreOrderReleaseDate
	dlIsPreOrderDeal
	dlTakeDown
	dlInstantGratification
	dlDealResourceReference
	dlPriceInformation
	dlPriceCode
	dlPriceType
	dlWholesale
	dlBulkWholesale
	dlSuggestedRetail
)

func dealCode(name []byte) uint8 {
	switch string(localName(name)) {
	case "DealList":
		return dlDealList
	case "ReleaseDeal":
		return dlReleaseDeal
	case "Deal":
		return dlDeal
	case "DealTerms":
		return dlDealTerms
	case "TerritoryCode":
		return dlTerritoryCode
	case "ExcludedTerritoryCode":
		return dlExcludedTerritoryCode
	case "Usage":
		return dlUsage
	case "UseType":
		return dlUseType
	case "CommercialModelType":
		return dlCommercialModelType
	case "ValidityPeriod":
		return dlValidityPeriod
	case "StartDate":
		return dlStartDate
	case "EndDate":
		return dlEndDate
	case "StartDateTime":
		return dlStartDateTime
	case "EndDateTime":
		return dlEndDateTime
	case "PreOrderReleaseDate":
		return dlPreOrderReleaseDate
	case "IsPreOrderDeal":
		return dlIsPreOrderDeal
	case "TakeDown":
		return dlTakeDown
	case "InstantGratificationResourceList":
		return dlInstantGratification
	case "DealResourceReference":
		return dlDealResourceReference
	case "PriceInformation":
		return dlPriceInformation
	case "PriceCode":
		return dlPriceCode
	case "PriceType":
		return dlPriceType
	case "WholesalePricePerUnit":
		return dlWholesale
	case "BulkOrderWholesalePricePerUnit":
		return dlBulkWholesale
	case "SuggestedRetailPrice":
		return dlSuggestedRetail
	}
	return dlOther
}

// dealList is what the reader learns from a message's DealList.
type dealList struct {
	present  bool // the message has a DealList
	found    bool // it holds at least one Deal
	takedown bool // a 3.8.2 TakeDown deal
	// earliest is the earliest start of a deal that is neither a
	// pre-order nor a takedown.
	earliest string
	// open is true when some deal has no end date; maxEnd is the latest
	// end date otherwise.
	open   bool
	maxEnd string
	// offers is true when some deal names a commercial model or a use
	// type: it says what was on offer, not only that it ended.
	offers bool

	m   dealMerger
	pre []rawDeal
}

// withdrawn reports whether the DealList is a 4.x takedown as ferry
// writes it: deals that only say they ended before the day the message
// was created, offering nothing (no commercial model, no use type).
// Deals that offered something and have ended are read as they are (an
// update whose deals ended; the validator warns about each), so that
// they survive a round trip. Without a creation date nothing can be
// said.
func (dl *dealList) withdrawn(created time.Time) bool {
	return dl.found && !dl.open && !dl.offers && !created.IsZero() && dl.maxEnd < created.UTC().Format(time.DateOnly)
}

// add takes one deal as the message states it.
func (dl *dealList) add(d rawDeal) {
	if d.takedown {
		dl.takedown = true
		return
	}
	if d.CommercialModel != "" || len(d.UseTypes) > 0 {
		dl.offers = true
	}
	if d.EndDate == "" {
		dl.open = true
	} else if d.EndDate > dl.maxEnd {
		dl.maxEnd = d.EndDate
	}
	if d.preOrder {
		dl.pre = append(dl.pre, d)
		return
	}
	if d.StartDate != "" && (dl.earliest == "" || d.StartDate < dl.earliest) {
		dl.earliest = d.StartDate
	}
	dl.m.add(d.Deal)
}

// dealScan is the xmlHandler that reads a DealList into a dealList.
type dealScan struct {
	rd    *reader
	dl    *dealList
	path  [maxScanDepth]uint8
	depth int
	buf   []byte // text of the current element

	// The DealTerms being read.
	d        rawDeal
	models   []string
	usage    []string // UseTypes under Usage, which win over direct ones
	hasUsage bool
	validity int // ValidityPeriods seen: only the first counts
	words    map[string]string
	userDef  string // UserDefinedValue of the current element
	price    *Price
	amount   *Amount
}

func (s *dealScan) parent(n int) uint8 {
	if s.depth-1-n < 0 {
		return dlOther
	}
	return s.path[s.depth-1-n]
}

// intern keeps one copy of each short word (territory codes, models,
// dates), so 50,000 deals do not hold 50,000 copies of "GB".
func (s *dealScan) intern(b []byte) string {
	if w, ok := s.words[string(b)]; ok {
		return w
	}
	w := string(b)
	if len(s.words) < 1<<16 {
		s.words[w] = w
	}
	return w
}

func (s *dealScan) start(name []byte, attrs []xmlAttr) {
	code := dealCode(name)
	s.path[s.depth] = code
	s.depth++
	s.buf = s.buf[:0]
	s.userDef = ""
	for _, a := range attrs {
		if string(localName(a.name)) == "UserDefinedValue" {
			s.userDef = s.intern(a.value)
		}
	}
	switch {
	case s.depth == 1 && code == dlDealList:
		s.dl.present = true
	case s.depth == 3 && code == dlDeal && s.parent(1) == dlReleaseDeal:
		s.dl.found = true
	case s.depth == 4 && code == dlDealTerms && s.parent(1) == dlDeal:
		s.d = rawDeal{}
		s.models, s.usage, s.hasUsage, s.validity = s.models[:0], s.usage[:0], false, 0
	case s.depth == 5 && code == dlUsage:
		s.hasUsage = true
	case s.depth == 5 && code == dlValidityPeriod:
		s.validity++
	case s.depth == 5 && code == dlPriceInformation:
		p := Price{}
		for _, a := range attrs {
			if string(localName(a.name)) == "PriceType" {
				p.Type = s.intern(a.value)
			}
		}
		if p.Type == "UserDefined" {
			p.Type = s.userDef
		}
		s.d.Prices = append(s.d.Prices, p)
		s.price = &s.d.Prices[len(s.d.Prices)-1]
	case s.depth == 6 && s.parent(1) == dlPriceInformation && s.price != nil:
		s.amount = nil
		switch code {
		case dlWholesale:
			s.amount = &s.price.Wholesale
		case dlBulkWholesale:
			s.amount = &s.price.BulkWholesale
		case dlSuggestedRetail:
			s.amount = &s.price.SuggestedRetail
		}
		if s.amount != nil {
			for _, a := range attrs {
				if string(localName(a.name)) == "CurrencyCode" {
					s.amount.Currency = s.intern(a.value)
				}
			}
		}
	}
}

func (s *dealScan) text(t []byte) { s.buf = append(s.buf, t...) }

func (s *dealScan) end([]byte) {
	code := s.path[s.depth-1]
	v := bytes.TrimSpace(s.buf)
	inTerms := s.depth >= 5 && s.path[3] == dlDealTerms && s.path[2] == dlDeal && s.path[1] == dlReleaseDeal
	if inTerms {
		switch s.depth {
		case 5:
			switch code {
			case dlTerritoryCode:
				s.d.Territories = append(s.d.Territories, s.intern(v))
			case dlExcludedTerritoryCode:
				s.d.ExcludedTerritories = append(s.d.ExcludedTerritories, s.intern(v))
			case dlUseType:
				s.d.UseTypes = append(s.d.UseTypes, s.word(v))
			case dlCommercialModelType:
				s.models = append(s.models, s.word(v))
			case dlPreOrderReleaseDate:
				s.d.PreOrderDate = s.intern(v)
			case dlIsPreOrderDeal:
				s.d.preOrder = string(v) == "true"
			case dlTakeDown:
				s.d.takedown = string(v) == "true"
			case dlPriceInformation:
				s.price = nil
			}
		case 6:
			switch {
			case s.parent(1) == dlUsage && code == dlUseType:
				s.usage = append(s.usage, s.word(v))
			case s.parent(1) == dlValidityPeriod && s.validity == 1:
				switch code {
				case dlStartDate:
					s.d.StartDate = s.intern(v)
				case dlEndDate:
					s.d.EndDate = s.intern(v)
				case dlStartDateTime:
					if s.d.StartDate == "" {
						s.d.StartDate = s.intern([]byte(dateOf(string(v))))
					}
				case dlEndDateTime:
					if s.d.EndDate == "" {
						s.d.EndDate = s.intern([]byte(dateOf(string(v))))
					}
				}
			case s.parent(1) == dlInstantGratification && code == dlDealResourceReference:
				s.rd.instant[string(v)] = true
			case s.parent(1) == dlPriceInformation && s.price != nil:
				switch code {
				case dlPriceCode, dlPriceType:
					if s.price.Code == "" {
						s.price.Code = s.intern(v)
					}
				case dlWholesale, dlBulkWholesale, dlSuggestedRetail:
					if s.amount != nil {
						s.amount.Value = s.intern(v)
					}
				}
			}
		}
	}
	if s.depth == 4 && code == dlDealTerms && s.path[2] == dlDeal && s.path[1] == dlReleaseDeal {
		s.finishTerms()
	}
	s.depth--
	s.buf = s.buf[:0]
}

// word reads an allowed-value word, as readWord does for an element.
func (s *dealScan) word(v []byte) string {
	if string(v) == "UserDefined" && s.userDef != "" {
		return s.userDef
	}
	w := s.intern(v)
	for model, spelled := range s.rd.f.vocab.alias {
		if spelled == w {
			return model
		}
	}
	return w
}

// finishTerms turns the DealTerms read into raw deals, one per
// commercial model.
func (s *dealScan) finishTerms() {
	d := s.d
	if s.hasUsage {
		d.UseTypes = append([]string(nil), s.usage...)
	}
	if d.preOrder && d.PreOrderDate != "" {
		d.preOrder = false // 3.8.2: the date says when pre-orders open
	}
	if len(d.Territories) == 0 {
		// No territories, or exclusions only: the deal is worldwide.
		d.Territories = []string{"Worldwide"}
	}
	// One DealTerms gives a deal per model: they must not share spare
	// capacity, which merging appends to.
	d.Territories, d.ExcludedTerritories = slices.Clip(d.Territories), slices.Clip(d.ExcludedTerritories)
	d.UseTypes, d.Prices = slices.Clip(d.UseTypes), slices.Clip(d.Prices)
	if len(s.models) == 0 {
		s.dl.add(d)
		return
	}
	for _, m := range s.models {
		c := d
		c.CommercialModel = m
		s.dl.add(c)
	}
}

// readDeals reads the DealList cut out of the message (nil: there was
// none).
func (rd *reader) readDeals(data []byte) (*dealList, error) {
	dl := &dealList{m: dealMerger{byTerms: map[string][]int{}}}
	if data == nil {
		return dl, nil
	}
	s := &dealScan{rd: rd, dl: dl, words: map[string]string{}}
	if err := scanXML(data, s); err != nil {
		return nil, fmt.Errorf("DealList: %w", err)
	}
	return dl, nil
}

// deals folds the deals read into the model's (see mergeDeals).
func (dl *dealList) deals(releaseDate string) []Deal {
	return finishMerge(&dl.m, dl.pre, releaseDate)
}
