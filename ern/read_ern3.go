package ern

import (
	"errors"
	"fmt"
	"slices"

	"github.com/beevik/etree"
)

// ern3Release reads a 3.8.2 NewReleaseMessage: UpdateIndicator tells an
// update, TakeDown deals a takedown.
func (rd *reader) ern3Release() (*Release, Kind, error) {
	rl := rd.root.SelectElement("ReleaseList")
	if rl == nil {
		return nil, 0, errors.New("no ReleaseList")
	}
	main := ern3MainRelease(rl)
	if main == nil {
		return nil, 0, errors.New("ReleaseList has no main Release")
	}
	r := &Release{}
	readReleaseID(r, main)
	for _, other := range rl.SelectElements("Release") {
		if other != main && text(other, "ReleaseType") != "TrackRelease" {
			rd.note(false, "ReleaseList/Release["+text(other, "ReleaseReference")+"]",
				fmt.Sprintf("%s %q is not the main release: not delivered", text(other, "ReleaseType"), text(other, "ReferenceTitle", "TitleText")))
		}
	}
	d := ern3Details(main.SelectElements("ReleaseDetailsByTerritory"))
	if d == nil {
		d = main
	}
	r.Title, r.VersionTitle, r.Titles = rd.ern3Title(d, main)
	r.DisplayArtist = text(d, "DisplayArtistName")
	r.Artists = rd.ern3Artists(d)
	if r.DisplayArtist == "" {
		r.DisplayArtist = joinNames(r.Artists)
	}
	r.Label = text(d, "LabelName")
	r.PLine = readLine(firstOf(main, d, "PLine"), "PLine")
	r.CLine = readLine(firstOf(main, d, "CLine"), "CLine")
	r.Genre, r.SubGenre = readGenre(d.SelectElement("Genre"))
	r.ReleaseDate = text(d, "ReleaseDate")
	if r.ReleaseDate == "" {
		r.ReleaseDate = text(main, "GlobalReleaseDate")
	}
	r.OriginalReleaseDate = text(d, "OriginalReleaseDate")
	if r.OriginalReleaseDate == "" {
		r.OriginalReleaseDate = text(main, "GlobalOriginalReleaseDate")
	}
	r.ParentalWarning = text(d, "ParentalWarningType")
	types := main.SelectElements("ReleaseType")
	if len(types) == 0 {
		types = d.SelectElements("ReleaseType")
	}
	r.Type = readReleaseType(types, text(d, "IsMultiArtistCompilation") == "true")
	rd.checkReleaseType(r, "ReleaseList/Release["+text(main, "ReleaseReference")+"]")

	resources, cover := rd.ern3Resources()
	r.Cover = cover
	order := rd.groupOrder(d.SelectElement("ResourceGroup"), resources)
	if len(order) == 0 {
		for i, ref := range texts(child(main, "ReleaseResourceReferenceList"), "ReleaseResourceReference") {
			order = append(order, placed{ref: ref, disc: 1, number: i + 1})
		}
	}
	var refs []string
	r.Tracks, refs = rd.placeTracks(resources, order)

	rd.dateFromDeals(r)
	r.Deals = rd.deals.deals(r.ReleaseDate)
	r.DealsOmitted = !rd.deals.present
	for i, ref := range refs {
		r.Tracks[i].InstantGratification = rd.instant[ref]
	}
	inherit(r)

	kind := NewRelease
	if text(rd.root, "UpdateIndicator") == "UpdateMessage" {
		kind = Update
	}
	if rd.deals.takedown {
		kind = Takedown
		r.DealsOmitted = false
	}
	return r, kind, nil
}

// ern3MainRelease is the release marked IsMainRelease, else the first
// that is not a TrackRelease.
func ern3MainRelease(rl *etree.Element) *etree.Element {
	releases := rl.SelectElements("Release")
	for _, r := range releases {
		if r.SelectAttrValue("IsMainRelease", "") == "true" {
			return r
		}
	}
	for _, r := range releases {
		if text(r, "ReleaseType") != "TrackRelease" {
			return r
		}
	}
	return nil
}

// ern3Details picks the worldwide *DetailsByTerritory block, else the
// first.
func ern3Details(blocks []*etree.Element) *etree.Element {
	for _, b := range blocks {
		if slices.Contains(texts(b, "TerritoryCode"), "Worldwide") {
			return b
		}
	}
	if len(blocks) > 0 {
		return blocks[0]
	}
	return nil
}

func firstOf(a, b *etree.Element, tag string) *etree.Element {
	if e := a.SelectElement(tag); e != nil {
		return e
	}
	return b.SelectElement(tag)
}

// ern3Title reads the DisplayTitle of a details block (the one without
// a language, else the first), else the resource's or release's
// ReferenceTitle, and the titles in other languages. The version is the
// chosen title's SubTitle, else the ReferenceTitle's, else that of any
// other Title in the same language (FormalTitle, GroupingTitle…).
func (rd *reader) ern3Title(details, owner *etree.Element) (title, version string, local []LocalTitle) {
	var display, others []*etree.Element
	for _, e := range details.SelectElements("Title") {
		if e.SelectAttrValue("TitleType", "") == "DisplayTitle" {
			display = append(display, e)
		} else {
			others = append(others, e)
		}
	}
	ref := owner.SelectElement("ReferenceTitle")
	t := preferred(display)
	if t == nil {
		t = ref
	}
	if t == nil {
		return "", "", nil
	}
	title, version = text(t, "TitleText"), subTitle(t)
	lang := t.SelectAttrValue("LanguageAndScriptCode", "")
	for _, o := range append([]*etree.Element{ref}, others...) {
		if version != "" || o == nil || o == t {
			continue
		}
		if l := o.SelectAttrValue("LanguageAndScriptCode", ""); l == "" || l == lang || l == rd.lang {
			version = subTitle(o)
		}
	}
	return title, version, localTitles(display, t, rd.lang)
}

// ern3Artists reads inline DisplayArtists with their ArtistRoles.
func (rd *reader) ern3Artists(d *etree.Element) []Artist {
	var out []Artist
	for _, e := range d.SelectElements("DisplayArtist") {
		a := rd.inlineParty(e)
		for _, r := range e.SelectElements("ArtistRole") {
			a.Roles = append(a.Roles, readWord(r, rd.f.vocab))
		}
		out = append(out, a)
	}
	return out
}

// ern3Contributors reads ResourceContributors and
// IndirectResourceContributors, putting back together a person the
// writer split in two (same SequenceNumber and name).
func (rd *reader) ern3Contributors(d *etree.Element) []Artist {
	type entry struct {
		seq int
		a   Artist
	}
	var entries []entry
	add := func(tag, roleTag string) {
		for _, e := range d.SelectElements(tag) {
			a := rd.inlineParty(e)
			for _, r := range e.SelectElements(roleTag) {
				a.Roles = append(a.Roles, readWord(r, rd.f.vocab))
			}
			seq := atoi(e.SelectAttrValue("SequenceNumber", ""))
			merged := false
			for i := range entries {
				if seq != 0 && entries[i].seq == seq && entries[i].a.Name == a.Name {
					entries[i].a.Roles = append(entries[i].a.Roles, a.Roles...)
					merged = true
					break
				}
			}
			if !merged {
				entries = append(entries, entry{seq: seq, a: a})
			}
		}
	}
	add("ResourceContributor", "ResourceContributorRole")
	add("IndirectResourceContributor", "IndirectResourceContributorRole")
	slices.SortStableFunc(entries, func(x, y entry) int { return x.seq - y.seq })
	out := make([]Artist, len(entries))
	for i, e := range entries {
		out[i] = e.a
	}
	return out
}

// ern3Resources reads the 3.8.2 ResourceList.
func (rd *reader) ern3Resources() (*resourceSet, *Image) {
	rs := &resourceSet{index: map[string]int{}, others: map[string]otherResource{}}
	rl := rd.root.SelectElement("ResourceList")
	if rl == nil {
		return rs, nil
	}
	for _, e := range rl.ChildElements() {
		if e.Tag != "SoundRecording" {
			rs.others[text(e, "ResourceReference")] = otherResource{kind: e.Tag, title: text(e, "ReferenceTitle", "TitleText")}
		}
	}
	for _, sr := range rl.SelectElements("SoundRecording") {
		t := Track{ISRC: text(sr, "SoundRecordingId", "ISRC")}
		d := ern3Details(sr.SelectElements("SoundRecordingDetailsByTerritory"))
		if d == nil {
			d = sr
		}
		t.Title, t.VersionTitle, t.Titles = rd.ern3Title(d, sr)
		t.DisplayArtist = text(d, "DisplayArtistName")
		t.Artists = rd.ern3Artists(d)
		if t.DisplayArtist == "" {
			t.DisplayArtist = joinNames(t.Artists) // what the writer writes for it
		}
		t.Contributors = rd.ern3Contributors(d)
		if dur, err := parseDuration(text(sr, "Duration")); err == nil {
			t.Duration = dur
		}
		t.ParentalWarning = text(d, "ParentalWarningType")
		t.Genre, _ = readGenre(d.SelectElement("Genre"))
		if td := d.SelectElement("TechnicalSoundRecordingDetails"); td != nil {
			t.Audio = rd.readAudio(td)
		}
		rs.add(text(sr, "ResourceReference"), t)
	}
	var cover *Image
	if im := frontCover(rl.SelectElements("Image"), "ImageType"); im != nil {
		var td *etree.Element
		if d := ern3Details(im.SelectElements("ImageDetailsByTerritory")); d != nil {
			td = d.SelectElement("TechnicalImageDetails")
		}
		cover = rd.readImage(td)
	}
	return rs, cover
}
