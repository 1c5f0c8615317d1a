package ern

import "strings"

// parties numbers every party a 4.x message mentions (artists,
// contributors, the label) so resources and releases can refer to them
// by PartyReference. References are P1, P2… in order of first mention,
// which keeps the output deterministic.
type parties struct {
	byKey map[string]string
	list  []party
}

// party is one PartyList entry.
type party struct {
	ref  string
	name string
	isni string
	ipi  string
}

func newParties() *parties { return &parties{byKey: map[string]string{}} }

// ref returns the party reference for a, adding it on first use. The same
// name with the same identifiers is one party.
func (p *parties) ref(a Artist) string {
	key := a.Name + "\x00" + a.ISNI + "\x00" + a.IPI
	if r, ok := p.byKey[key]; ok {
		return r
	}
	r := "P" + itoa(len(p.list)+1)
	p.byKey[key] = r
	p.list = append(p.list, party{ref: r, name: a.Name, isni: a.ISNI, ipi: a.IPI})
	return r
}

// ipiNameNumber returns the IPI as the 11-digit IpiNameNumber the 4.x
// schemas want (IPI name numbers are written zero-padded), or "" when ipi
// is not a number of at most 11 digits.
func ipiNameNumber(ipi string) string {
	ipi = strings.TrimSpace(ipi)
	if ipi == "" || len(ipi) > 11 {
		return ""
	}
	for i := 0; i < len(ipi); i++ {
		if ipi[i] < '0' || ipi[i] > '9' {
			return ""
		}
	}
	return strings.Repeat("0", 11-len(ipi)) + ipi
}
