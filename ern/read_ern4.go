package ern

import (
	"errors"
	"strings"

	"github.com/beevik/etree"
)

// release4 reads a 4.x NewReleaseMessage. 4.x has no update flag and no
// TakeDown: a message without any deal is a takedown, one that holds
// back files already delivered (IsProvidedInDelivery=false) is an
// update.
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
	r.Title, r.VersionTitle = rd.displayTitle(main)
	r.DisplayArtist = preferredText(main, "DisplayArtistName")
	r.Artists = rd.displayArtists(main)
	if l := preferred(main.SelectElements("ReleaseLabelReference")); l != nil {
		r.Label = rd.parties[strings.TrimSpace(l.Text())].Name
	}
	r.PLine = readLine(main.SelectElement("PLine"), "PLine")
	r.CLine = readLine(main.SelectElement("CLine"), "CLine")
	r.Genre, r.SubGenre = readGenre(preferred(main.SelectElements(rd.genreTag())))
	r.ReleaseDate = preferredText(main, "ReleaseDate")
	r.OriginalReleaseDate = preferredText(main, "OriginalReleaseDate")
	r.ParentalWarning = preferredText(main, "ParentalWarningType")
	r.Type = readReleaseType(main.SelectElements("ReleaseType"),
		text(main, "IsMultiArtistCompilation") == "true" || text(main, "IsCompilation") == "true")

	resources, cover := rd.resources4()
	r.Cover = cover
	rd.instant = map[string]bool{}
	order := rd.groupOrder(main.SelectElement("ResourceGroup"))
	genres := rd.trackGenres(rl)
	var refs []string
	r.Tracks, refs = placeTracks(resources, order)
	for i, ref := range refs {
		r.Tracks[i].Genre = genres[ref]
	}
	raw, dealsFound := rd.readDealList()
	r.Deals = mergeDeals(raw, r.ReleaseDate)
	for i, ref := range refs {
		r.Tracks[i].InstantGratification = rd.instant[ref]
	}
	inherit(r)

	kind := NewRelease
	switch {
	case !dealsFound:
		kind = Takedown
	case notProvided(r):
		kind = Update
	}
	return r, kind, nil
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

// displayTitle reads a resource's or release's title and version
// (DisplayTitle with a Version sub-title), else DisplayTitleText.
func (rd *reader) displayTitle(e *etree.Element) (title, version string) {
	dt := preferred(e.SelectElements("DisplayTitle"))
	if dt == nil {
		return preferredText(e, "DisplayTitleText"), ""
	}
	title = text(dt, "TitleText")
	for _, st := range dt.SelectElements("SubTitle") {
		if st.SelectAttrValue("SubTitleType", "") == "Version" {
			version = strings.TrimSpace(st.Text())
		}
	}
	return title, version
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
	rs := &resourceSet{index: map[string]int{}}
	rl := rd.root.SelectElement("ResourceList")
	if rl == nil {
		return rs, nil
	}
	for _, sr := range rl.SelectElements("SoundRecording") {
		t := Track{}
		holder := sr
		if ed := sr.SelectElement("SoundRecordingEdition"); ed != nil {
			holder = ed
		}
		t.ISRC = text(holder, "ResourceId", "ISRC")
		t.Title, t.VersionTitle = rd.displayTitle(sr)
		t.DisplayArtist = preferredText(sr, "DisplayArtistName")
		t.Artists = rd.displayArtists(sr)
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

// placed is a track's position as the release's ResourceGroup gives it.
type placed struct {
	ref          string
	disc, number int
}

// groupOrder walks the release's ResourceGroup: a group with sub-groups
// is a multi-disc release (a sub-group's SequenceNumber is its disc), a
// group with items is one disc. Items also mark instant-gratification
// tracks.
func (rd *reader) groupOrder(rg *etree.Element) []placed {
	if rg == nil {
		return nil
	}
	var out []placed
	subs := rg.SelectElements("ResourceGroup")
	if len(subs) == 0 {
		subs = []*etree.Element{rg}
	}
	for di, sub := range subs {
		d := atoi(text(sub, "SequenceNumber"))
		if d == 0 || len(subs) == 1 && sub == rg {
			d = di + 1
		}
		for pos, item := range sub.SelectElements("ResourceGroupContentItem") {
			ref := text(item, "ReleaseResourceReference")
			n := atoi(text(item, "SequenceNumber"))
			if n == 0 {
				n = pos + 1
			}
			if text(item, "IsInstantGratificationResource") == "true" {
				rd.instant[ref] = true
			}
			out = append(out, placed{ref: ref, disc: d, number: n})
		}
	}
	return out
}

// placeTracks orders the sound recordings as the resource group lists
// them, with their disc and number; recordings the group does not list
// follow in document order. refs[i] is the resource reference of
// tracks[i], by which deals and track releases point at it.
func placeTracks(rs *resourceSet, order []placed) (tracks []Track, refs []string) {
	used := map[int]bool{}
	for _, p := range order {
		i, ok := rs.index[p.ref]
		if !ok || used[i] {
			continue
		}
		used[i] = true
		t := rs.tracks[i]
		t.Disc, t.Number = p.disc, p.number
		tracks = append(tracks, t)
		refs = append(refs, p.ref)
	}
	for i, t := range rs.tracks {
		if !used[i] {
			t.Disc, t.Number = 1, len(tracks)+1
			tracks = append(tracks, t)
			refs = append(refs, rs.refOf[i])
		}
	}
	return tracks, refs
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

// readDealList reads every deal in the DealList, 3.8.2 or 4.x (deals
// of track releases included: the model's deals are for the whole
// product), and reports whether there was any deal at all: a 4.x message
// without one is a takedown. (A message with deals for its track releases
// only is not.)
func (rd *reader) readDealList() ([]rawDeal, bool) {
	dl := rd.root.SelectElement("DealList")
	if dl == nil {
		return nil, false
	}
	var out []rawDeal
	found := false
	for _, rdl := range dl.SelectElements("ReleaseDeal") {
		for _, d := range rdl.SelectElements("Deal") {
			found = true
			dt := d.SelectElement("DealTerms")
			if dt == nil {
				continue
			}
			out = append(out, rd.dealTerms(dt)...)
		}
	}
	return out, found
}

// dealTerms reads one DealTerms (4.x and 3.8.2 names) into raw deals, one
// per commercial model.
func (rd *reader) dealTerms(dt *etree.Element) []rawDeal {
	base := rawDeal{
		Deal: Deal{
			Territories:         texts(dt, "TerritoryCode"),
			ExcludedTerritories: texts(dt, "ExcludedTerritoryCode"),
			UseTypes:            rd.words(dt, "UseType"),
			PreOrderDate:        text(dt, "PreOrderReleaseDate"),
		},
		preOrder: text(dt, "IsPreOrderDeal") == "true" && text(dt, "PreOrderReleaseDate") == "",
		takedown: text(dt, "TakeDown") == "true",
	}
	if len(base.Territories) == 0 {
		// No territories, or exclusions only: the deal is worldwide.
		base.Territories = []string{"Worldwide"}
	}
	if u := dt.SelectElement("Usage"); u != nil {
		base.UseTypes = rd.words(u, "UseType")
	}
	if vp := dt.SelectElement("ValidityPeriod"); vp != nil {
		base.StartDate = text(vp, "StartDate")
		base.EndDate = text(vp, "EndDate")
		if base.StartDate == "" {
			base.StartDate = dateOf(text(vp, "StartDateTime"))
			base.EndDate = dateOf(text(vp, "EndDateTime"))
		}
	}
	if ig := dt.SelectElement("InstantGratificationResourceList"); ig != nil {
		for _, ref := range texts(ig, "DealResourceReference") {
			rd.instant[ref] = true
		}
	}
	models := rd.words(dt, "CommercialModelType")
	if len(models) == 0 {
		return []rawDeal{base}
	}
	out := make([]rawDeal, 0, len(models))
	for _, m := range models {
		d := base
		d.CommercialModel = m
		out = append(out, d)
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

// words reads the allowed-value words of e's children named name.
func (rd *reader) words(e *etree.Element, name string) []string {
	var out []string
	for _, c := range e.SelectElements(name) {
		out = append(out, readWord(c, rd.f.vocab))
	}
	return out
}
