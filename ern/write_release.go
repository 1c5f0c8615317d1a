package ern

import (
	"time"

	"github.com/beevik/etree"
)

// Release references: the main release is R0, track i's TrackRelease is
// R<i+1>.
const mainReleaseRef = "R0"

func trackReleaseRef(i int) string { return "R" + itoa(i+1) }

// releaseList writes the 4.x ReleaseList: the main release, then one
// TrackRelease per track (which carries the track's genre and lets deals
// cover single tracks).
func (w *writer) releaseList(root *etree.Element) {
	rl := root.CreateElement("ReleaseList")
	w.mainRelease(rl)
	for i := range w.r.Tracks {
		w.trackRelease(rl, i)
	}
}

func (w *writer) mainRelease(rl *etree.Element) {
	r := w.r
	re := rl.CreateElement("Release")
	add(re, "ReleaseReference", mainReleaseRef)
	w.enumValue(re, "ReleaseType", w.releaseType(), w.f.vocab.release)
	w.releaseID(re)
	w.displayTitles(re, r.Title, r.VersionTitle, r.Titles)
	w.displayArtists(re, w.releaseDisplayArtist(), w.releaseArtists())
	add(re, "ReleaseLabelReference", w.parties.ref(Artist{Name: w.label()}))
	w.line(re, "PLine", r.PLine)
	w.line(re, "CLine", r.CLine)
	add(re, "Duration", formatDuration(w.totalDuration()))
	w.genre(re, w.genreTag(), w.releaseGenre(), r.SubGenre)
	addOpt(re, "ReleaseDate", w.givenReleaseDate())
	addOpt(re, "OriginalReleaseDate", r.OriginalReleaseDate)
	add(re, "ParentalWarningType", w.releaseParental())
	if r.Type == "Compilation" {
		add(re, "IsMultiArtistCompilation", "true")
	}
	w.resourceGroup(re)
}

// releaseType maps the model's type to the version's ReleaseType:
// Compilation is an Album flagged IsMultiArtistCompilation, EP is an
// Album where the version has no EP (4.1, 4.1.1), an untyped release is
// a Single when it has one track and an Album otherwise.
func (w *writer) releaseType() string {
	switch w.r.Type {
	case "":
		if len(w.r.Tracks) == 1 {
			return "Single"
		}
		return "Album"
	case "Compilation":
		return "Album"
	case "EP":
		if !w.f.vocab.release["EP"] {
			return "Album"
		}
	}
	return w.r.Type
}

// releaseID writes the main release's ReleaseId: GRid when set, ICPN,
// catalogue number.
func (w *writer) releaseID(parent *etree.Element) {
	id := parent.CreateElement("ReleaseId")
	addOpt(id, "GRid", w.r.GRid)
	addOpt(id, "ICPN", w.r.UPC)
	if w.r.CatalogNumber != "" {
		add(id, "CatalogNumber", w.r.CatalogNumber).CreateAttr("Namespace", w.namespace())
	}
}

// genreTag is Genre, or DisplayGenre from 4.3.1 on.
func (w *writer) genreTag() string {
	if w.f.displayGenre {
		return "DisplayGenre"
	}
	return "Genre"
}

func (w *writer) genre(parent *etree.Element, tag, genre, sub string) {
	g := parent.CreateElement(tag)
	add(g, "GenreText", genre)
	addOpt(g, "SubGenre", sub)
}

func (w *writer) totalDuration() time.Duration {
	var d time.Duration
	for i := range w.r.Tracks {
		d += w.r.Tracks[i].Duration
	}
	return d
}

// resourceGroup writes the release's tracks in order: one group for a
// single disc, one sub-group (ResourceGroupType Component) per disc
// otherwise. The cover is linked from the top group.
func (w *writer) resourceGroup(re *etree.Element) {
	rg := re.CreateElement("ResourceGroup")
	numbers, tracks := w.discs()
	if w.multiDisc() {
		for _, d := range numbers {
			sub := rg.CreateElement("ResourceGroup")
			sub.CreateAttr("ResourceGroupType", "Component")
			add(sub, "SequenceNumber", itoa(d))
			w.contentItems(sub, tracks[d])
		}
	} else {
		add(rg, "SequenceNumber", itoa(1))
		if len(numbers) > 0 {
			w.contentItems(rg, tracks[numbers[0]])
		}
	}
	if w.r.Cover != nil {
		add(rg, "LinkedReleaseResourceReference", trackRef(w.coverIndex()))
	}
}

func (w *writer) contentItems(group *etree.Element, indexes []int) {
	for pos, i := range indexes {
		t := &w.r.Tracks[i]
		item := group.CreateElement("ResourceGroupContentItem")
		add(item, "SequenceNumber", itoa(trackNumber(t, pos+1)))
		add(item, "ReleaseResourceReference", trackRef(i))
		if t.InstantGratification {
			add(item, "IsInstantGratificationResource", "true")
		}
	}
}

// trackRelease writes track i as a TrackRelease of its own.
func (w *writer) trackRelease(rl *etree.Element, i int) {
	t := &w.r.Tracks[i]
	tr := rl.CreateElement("TrackRelease")
	add(tr, "ReleaseReference", trackReleaseRef(i))
	pid := add(tr.CreateElement("ReleaseId"), "ProprietaryId", w.releaseKey()+"_"+t.ISRC)
	pid.CreateAttr("Namespace", w.namespace())
	add(tr, "ReleaseResourceReference", trackRef(i))
	add(tr, "ReleaseLabelReference", w.parties.ref(Artist{Name: w.label()}))
	w.genre(tr, w.genreTag(), w.trackGenre(t), "")
}
