package ern

import (
	"errors"
	"strings"

	"github.com/beevik/etree"
)

// release4 reads a 4.x NewReleaseMessage. 4.x has no update flag and no
// TakeDown: a DealList of deals that ended before the message was created
// and offer nothing is a takedown (DDEX's "a Deal with an EndDate set in
// the past", as ferry writes it); a message without a DealList is not
// one (its deals come separately: DealsOmitted); one that holds back
// files already delivered (IsProvidedInDelivery=false) is an update.
func (rd *reader) release4() (*Release, Kind, error) {
	rd.readParties()
	rl := rd.root.SelectElement("ReleaseList")
	if rl == nil {
		return nil, 0, errors.New("no ReleaseList")
	}
	main := rl.SelectElement("Release")
	if main == nil {
		return nil, 0, errors.New("ReleaseList has no Release")
	}
	r := &Release{}
	readReleaseID(r, main)
	r.Title, r.VersionTitle, r.Titles = rd.titles4(main)
	r.DisplayArtist = preferredText(main, "DisplayArtistName")
	r.Artists = rd.displayArtists(main)
	if l := preferred(main.SelectElements("ReleaseLabelReference")); l != nil {
		r.Label = rd.parties[strings.TrimSpace(l.Text())].Name
	}
	r.PLine = readLine(main.SelectElement("PLine"), "PLine")
	r.CLine = readLine(main.SelectElement("CLine"), "CLine")
	r.Genre, r.SubGenre = readGenre(preferred(main.SelectElements(rd.genreTag())))
	r.ReleaseDate = releaseDate4(main.SelectElements("ReleaseDate"))
	r.OriginalReleaseDate = releaseDate4(main.SelectElements("OriginalReleaseDate"))
	r.ParentalWarning = preferredText(main, "ParentalWarningType")
	r.Type = readReleaseType(main.SelectElements("ReleaseType"),
		text(main, "IsMultiArtistCompilation") == "true" || text(main, "IsCompilation") == "true")
	rd.checkReleaseType(r, "ReleaseList/Release["+text(main, "ReleaseReference")+"]")

	resources, cover := rd.resources4()
	r.Cover = cover
	order := rd.groupOrder(main.SelectElement("ResourceGroup"), resources)
	genres := rd.trackGenres(rl)
	var refs []string
	r.Tracks, refs = rd.placeTracks(resources, order)
	for i, ref := range refs {
		r.Tracks[i].Genre = genres[ref]
	}
	rd.dateFromDeals(r)
	r.Deals = rd.deals.deals(r.ReleaseDate)
	for i, ref := range refs {
		r.Tracks[i].InstantGratification = rd.instant[ref]
	}
	inherit(r)

	kind := NewRelease
	switch {
	case !rd.deals.present:
		r.DealsOmitted = true
	case rd.deals.withdrawn(rd.created):
		kind = Takedown
		r.Deals = nil
	}
	if kind == NewRelease && notProvided(r) {
		kind = Update
	}
	return r, kind, nil
}

// releaseDate4 picks among a 4.x release's ReleaseDate (or
// OriginalReleaseDate) elements the worldwide one (no
// ApplicableTerritoryCode, or Worldwide), else the earliest.
func releaseDate4(els []*etree.Element) string {
	earliest := ""
	for _, e := range els {
		d := strings.TrimSpace(e.Text())
		if t := e.SelectAttrValue("ApplicableTerritoryCode", ""); t == "" || t == "Worldwide" {
			return d
		}
		if earliest == "" || d < earliest {
			earliest = d
		}
	}
	return earliest
}

// dateFromDeals gives a release without a ReleaseDate (optional in 4.x,
// and missing from most real 4.x messages) the earliest start of its
// deals, where the release first goes on sale (pre-order windows do not
// count), else its OriginalReleaseDate; ReleaseDateFrom says which.
func (rd *reader) dateFromDeals(r *Release) {
	if r.ReleaseDate != "" {
		return
	}
	earliest := rd.deals.earliest
	switch {
	case earliest != "":
		r.ReleaseDate, r.ReleaseDateFrom = earliest, DateFromDeals
	case r.OriginalReleaseDate != "":
		r.ReleaseDate, r.ReleaseDateFrom = r.OriginalReleaseDate, DateFromOriginal
	}
}

// readReleaseID reads the main release's ReleaseId (the same in 3.8.2
// and 4.x): GRid, ICPN and catalogue number.
func readReleaseID(r *Release, main *etree.Element) {
	if id := main.SelectElement("ReleaseId"); id != nil {
		r.GRid = text(id, "GRid")
		r.UPC = text(id, "ICPN")
		r.CatalogNumber = text(id, "CatalogNumber")
	}
}

// notProvided reports whether any file is marked as not delivered again.
func notProvided(r *Release) bool {
	for i := range r.Tracks {
		if f := r.Tracks[i].Audio.File; f.Name != "" && !f.Provided {
			return true
		}
	}
	return r.Cover != nil && r.Cover.File.Name != "" && !r.Cover.File.Provided
}

func (rd *reader) genreTag() string {
	if rd.f.displayGenre {
		return "DisplayGenre"
	}
	return "Genre"
}

// readParties indexes the PartyList by reference.
func (rd *reader) readParties() {
	rd.parties = map[string]Artist{}
	pl := rd.root.SelectElement("PartyList")
	if pl == nil {
		return
	}
	for _, p := range pl.SelectElements("Party") {
		a := Artist{Name: text(preferred(p.SelectElements("PartyName")), "FullName")}
		for _, id := range p.SelectElements("PartyId") {
			if isni := text(id, "ISNI"); isni != "" && a.ISNI == "" {
				a.ISNI = isni
			}
			if ipi := text(id, "IpiNameNumber"); ipi != "" && a.IPI == "" {
				a.IPI = ipi
			}
		}
		rd.parties[text(p, "PartyReference")] = a
	}
}

// displayArtists reads DisplayArtist entries: the party and its roles
// (DisplayArtistRole first, then the ArtisticRoles).
func (rd *reader) displayArtists(e *etree.Element) []Artist {
	var out []Artist
	for _, da := range e.SelectElements("DisplayArtist") {
		a := rd.parties[text(da, "ArtistPartyReference")]
		if a.Name == "" {
			a.Name = text(da, "SpecialDisplayArtist")
		}
		a.Roles = nil
		if r := da.SelectElement("DisplayArtistRole"); r != nil {
			a.Roles = append(a.Roles, readWord(r, rd.f.vocab))
		}
		for _, r := range da.SelectElements("ArtisticRole") {
			a.Roles = append(a.Roles, rd.roleWord(r))
		}
		out = append(out, a)
	}
	return out
}

// roleWord reads a 4.x role element, with or without its Value child.
func (rd *reader) roleWord(e *etree.Element) string {
	if v := e.SelectElement("Value"); v != nil {
		e = v
	}
	return readWord(e, rd.f.vocab)
}

func (rd *reader) contributors(e *etree.Element) []Artist {
	var out []Artist
	for _, c := range e.SelectElements("Contributor") {
		a := rd.parties[text(c, "ContributorPartyReference")]
		if a.Name == "" {
			a.Name = text(c, "SpecialContributor")
		}
		a.Roles = nil
		for _, r := range c.SelectElements("Role") {
			a.Roles = append(a.Roles, rd.roleWord(r))
		}
		out = append(out, a)
	}
	return out
}

// resourceSet holds the sound recordings of a message in document order
// with their references.
type resourceSet struct {
	tracks []Track
	refOf  []string
	index  map[string]int
	// others are the resources that are not sound recordings, by
	// reference.
	others map[string]otherResource
}

// add appends track t, found under resource reference ref.
func (rs *resourceSet) add(ref string, t Track) {
	rs.index[ref] = len(rs.tracks)
	rs.tracks = append(rs.tracks, t)
	rs.refOf = append(rs.refOf, ref)
}

// frontCover picks the image a release's cover is read from: the first
// whose typeTag (Type in 4.x, ImageType in 3.8.2) says FrontCoverImage,
// else the first image; nil when there is none.
func frontCover(images []*etree.Element, typeTag string) *etree.Element {
	for _, im := range images {
		if text(im, typeTag) == "FrontCoverImage" {
			return im
		}
	}
	if len(images) > 0 {
		return images[0]
	}
	return nil
}

// resources4 reads the 4.x ResourceList: sound recordings and the front
// cover (or the first image when none is marked as the front cover).
func (rd *reader) resources4() (*resourceSet, *Image) {
	rs := &resourceSet{index: map[string]int{}, others: map[string]otherResource{}}
	rl := rd.root.SelectElement("ResourceList")
	if rl == nil {
		return rs, nil
	}
	for _, e := range rl.ChildElements() {
		if e.Tag != "SoundRecording" {
			title, _, _ := rd.titles4(e)
			rs.others[text(e, "ResourceReference")] = otherResource{kind: e.Tag, title: title}
		}
	}
	for _, sr := range rl.SelectElements("SoundRecording") {
		t := Track{}
		holder := sr
		if ed := sr.SelectElement("SoundRecordingEdition"); ed != nil {
			holder = ed
		}
		t.ISRC = text(holder, "ResourceId", "ISRC")
		t.Title, t.VersionTitle, t.Titles = rd.titles4(sr)
		t.DisplayArtist = preferredText(sr, "DisplayArtistName")
		t.Artists = rd.displayArtists(sr)
		if t.DisplayArtist == "" {
			t.DisplayArtist = joinNames(t.Artists) // what the writer writes for it
		}
		t.Contributors = rd.contributors(sr)
		if d, err := parseDuration(text(sr, "Duration")); err == nil {
			t.Duration = d
		}
		t.ParentalWarning = preferredText(sr, "ParentalWarningType")
		if td := holder.SelectElement("TechnicalDetails"); td != nil {
			if df := td.SelectElement("DeliveryFile"); df != nil {
				td = df
			}
			t.Audio = rd.readAudio(td)
		}
		rs.add(text(sr, "ResourceReference"), t)
	}
	var cover *Image
	if im := frontCover(rl.SelectElements("Image"), "Type"); im != nil {
		cover = rd.readImage(im.SelectElement("TechnicalDetails"))
	}
	return rs, cover
}

// trackGenres reads each TrackRelease's genre by resource reference (4.x
// sound recordings carry no genre of their own).
func (rd *reader) trackGenres(rl *etree.Element) map[string]string {
	out := map[string]string{}
	for _, tr := range rl.SelectElements("TrackRelease") {
		g, _ := readGenre(preferred(tr.SelectElements(rd.genreTag())))
		out[text(tr, "ReleaseResourceReference")] = g
	}
	return out
}

// dateOf is the date part of an xs:dateTime.
func dateOf(dt string) string {
	if len(dt) >= 10 {
		return dt[:10]
	}
	return dt
}
