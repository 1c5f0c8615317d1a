package ern

import "github.com/beevik/etree"

// collectParties numbers every party before the PartyList is written,
// in a fixed order: release artists, each track's artists and
// contributors, the label.
func (w *writer) collectParties() {
	for _, a := range w.releaseArtists() {
		w.parties.ref(a)
	}
	for i := range w.r.Tracks {
		t := &w.r.Tracks[i]
		for _, a := range w.trackArtists(t) {
			w.parties.ref(a)
		}
		for _, a := range t.Contributors {
			w.parties.ref(a)
		}
	}
	w.parties.ref(Artist{Name: w.label()})
}

// partyList writes the 4.x PartyList: every party with its name and,
// where known, its ISNI and IPI.
func (w *writer) partyList(root *etree.Element) {
	pl := root.CreateElement("PartyList")
	for _, p := range w.parties.list {
		e := pl.CreateElement("Party")
		add(e, "PartyReference", p.ref)
		add(e.CreateElement("PartyName"), "FullName", p.name)
		if id := w.partyID(Artist{Name: p.name, ISNI: p.isni, IPI: p.ipi}); id != nil {
			e.AddChild(id)
		}
	}
}

// partyID is a 4.x PartyId element with the party's ISNI and IPI, or nil
// when it has neither.
func (w *writer) partyID(a Artist) *etree.Element {
	ipi := ipiNameNumber(a.IPI)
	if a.ISNI == "" && ipi == "" {
		return nil
	}
	id := etree.NewElement("PartyId")
	addOpt(id, "ISNI", a.ISNI)
	addOpt(id, "IpiNameNumber", ipi)
	return id
}

// displayArtists writes DisplayArtistName and the DisplayArtist entries
// of a resource or release.
func (w *writer) displayArtists(parent *etree.Element, name string, artists []Artist) {
	add(parent, "DisplayArtistName", name)
	for i, a := range artists {
		da := parent.CreateElement("DisplayArtist")
		da.CreateAttr("SequenceNumber", itoa(i+1))
		add(da, "ArtistPartyReference", w.parties.ref(a))
		add(da, "DisplayArtistRole", w.displayRole(a))
		for _, r := range w.otherRoles(a) {
			w.role(da, "ArtisticRole", r, w.f.vocab.contributor, w.f.roleValue)
		}
	}
}

// contributors writes a sound recording's non-display credits.
func (w *writer) contributors(parent *etree.Element, people []Artist) {
	for i, a := range people {
		c := parent.CreateElement("Contributor")
		c.CreateAttr("SequenceNumber", itoa(i+1))
		add(c, "ContributorPartyReference", w.parties.ref(a))
		for _, r := range a.Roles {
			w.role(c, "Role", r, w.f.vocab.contributor, w.f.roleValue)
		}
	}
}
