package ern

import "fmt"

// Losses lists what of m the version v cannot hold, so that the message
// written in v and read back differs from m in exactly these ways
// (`ferry ern -report` prints them). Words written as UserDefined are
// kept, and so not listed; a purge carries only the release's
// identifiers, title and artists by design.
func Losses(v Version, m *Message) []string {
	f, ok := featureTable[v]
	if !ok || m == nil || m.Release == nil || m.Kind == Purge {
		return nil
	}
	r := m.Release
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if m.Kind == Update && !f.ern3 && !f.providedFlag {
		add("kind: %s cannot tell an update from a new release; the update is written as a new release", v)
	}
	if r.Type == "EP" && !f.vocab.release["EP"] {
		add("type: %s has no EP release type; written as Album", v)
	}
	if !parentalWarnings[r.ParentalWarning] && r.ParentalWarning != "" {
		add("parental warning %q: not a DDEX value; written as %s", r.ParentalWarning, defaultParentalWarning)
	}
	files := 0
	sizes := 0
	for i := range r.Tracks {
		t := &r.Tracks[i]
		if t.ParentalWarning != "" && !parentalWarnings[t.ParentalWarning] {
			add("tracks[%d].parental_warning %q: not a DDEX value; written as %s", i+1, t.ParentalWarning, defaultParentalWarning)
		}
		if f := t.Audio.File; f.Name != "" && !f.Provided {
			files++
		}
		if t.Audio.File.Size > 0 {
			sizes++
		}
	}
	if r.Cover != nil && r.Cover.File.Name != "" && !r.Cover.File.Provided {
		files++
	}
	if files > 0 && !f.providedFlag {
		add("files: %s cannot say that a file is not sent again (IsProvidedInDelivery, 4.2 and later); %d file(s) held back are described as sent", v, files)
	}
	if sizes > 0 && f.ern3 {
		add("file sizes: 3.8.2 has no FileSize; %d size(s) left out", sizes)
	}
	if m.Kind == Takedown {
		if len(r.Deals) > 0 {
			add("deals: a takedown withdraws every deal; the %d deal(s) are not written", len(r.Deals))
		}
		return out
	}
	for i, d := range r.Deals {
		_, exc := territories(d)
		if len(d.ExcludedTerritories) > 0 && len(exc) == 0 {
			add("deals[%d].excluded_territories: a deal lists included or excluded territories, not both; %v left out", i+1, d.ExcludedTerritories)
		}
		for _, p := range d.Prices {
			if p.Type != "" && !priceTypes[p.Type] && !f.providedFlag {
				add("deals[%d] price type %q: %s has only StandardRetailPrice and PreOrderPrice; left out", i+1, p.Type, v)
			}
		}
	}
	return out
}
