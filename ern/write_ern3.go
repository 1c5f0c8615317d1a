package ern

import (
	"strconv"
	"time"

	"github.com/beevik/etree"
)

// ERN 3.8.2 differs from 4.x in shape rather than detail: no PartyList
// (artists are written inline with their roles), descriptive data sits
// in *DetailsByTerritory blocks, track releases are Releases of type
// TrackRelease, an update says so in UpdateIndicator and a takedown is a
// deal with TakeDown=true. The hooks below write that shape; header,
// lines, genres, codecs and vocabularies are shared with 4.x.

// ern3UpdateIndicator tells a first delivery (OriginalMessage) from an
// update or takedown (UpdateMessage).
func (w *writer) ern3UpdateIndicator(root *etree.Element) {
	if w.m.Kind == NewRelease {
		add(root, "UpdateIndicator", "OriginalMessage")
		return
	}
	add(root, "UpdateIndicator", "UpdateMessage")
}

// ern3SoundRecording writes track i as a 3.8.2 SoundRecording.
func (w *writer) ern3SoundRecording(rl *etree.Element, i int) {
	t := &w.r.Tracks[i]
	sr := rl.CreateElement("SoundRecording")
	add(sr, "SoundRecordingType", "MusicalWorkSoundRecording")
	add(sr.CreateElement("SoundRecordingId"), "ISRC", t.ISRC)
	add(sr, "ResourceReference", trackRef(i))
	w.ern3Title(sr, "ReferenceTitle", "", t.Title, t.VersionTitle)
	add(sr, "Duration", formatDuration(t.Duration))
	d := sr.CreateElement("SoundRecordingDetailsByTerritory")
	add(d, "TerritoryCode", "Worldwide")
	w.ern3Title(d, "Title", "DisplayTitle", t.Title, t.VersionTitle)
	w.ern3LocalTitles(d, t.Titles)
	w.ern3Artists(d, "DisplayArtist", w.trackArtists(t))
	w.ern3Contributors(d, t.Contributors)
	add(d, "DisplayArtistName", w.trackDisplayArtist(t))
	add(d, "LabelName", w.label())
	w.line(d, "PLine", w.r.PLine)
	w.genre(d, "Genre", w.trackGenre(t), "")
	add(d, "ParentalWarningType", w.trackParental(t))
	td := d.CreateElement("TechnicalSoundRecordingDetails")
	add(td, "TechnicalResourceDetailsReference", technicalRef(i))
	w.audioDetails(td, &t.Audio)
	w.ern3File(td, t.Audio.File)
}

// ern3Image writes the cover as a 3.8.2 Image resource.
func (w *writer) ern3Image(rl *etree.Element, i int) {
	c := w.r.Cover
	im := rl.CreateElement("Image")
	add(im, "ImageType", "FrontCoverImage")
	pid := add(im.CreateElement("ImageId"), "ProprietaryId", w.releaseKey()+"_FrontCoverImage")
	pid.CreateAttr("Namespace", w.namespace())
	add(im, "ResourceReference", trackRef(i))
	d := im.CreateElement("ImageDetailsByTerritory")
	add(d, "TerritoryCode", "Worldwide")
	add(d, "ParentalWarningType", w.releaseParental())
	td := d.CreateElement("TechnicalImageDetails")
	add(td, "TechnicalResourceDetailsReference", technicalRef(i))
	w.imageDetails(td, c)
	w.ern3File(td, c.File)
}

// ern3File writes the 3.8.2 File: FileName, FilePath and HashSum. 3.8.2
// has no file size and no IsProvidedInDelivery.
func (w *writer) ern3File(parent *etree.Element, f File) {
	if f.Name == "" {
		return
	}
	fe := parent.CreateElement("File")
	add(fe, "FileName", f.Name)
	addOpt(fe, "FilePath", f.Path)
	if f.Hash != "" {
		hs := fe.CreateElement("HashSum")
		add(hs, "HashSum", f.Hash)
		w.enumValue(hs, "HashSumAlgorithmType", hashAlgorithm(f), w.f.vocab.hash)
	}
}

// ern3Title writes a 3.8.2 title (ReferenceTitle or a typed Title), the
// version as a sub-title.
func (w *writer) ern3Title(parent *etree.Element, tag, titleType, title, version string) {
	e := parent.CreateElement(tag)
	if titleType != "" {
		e.CreateAttr("TitleType", titleType)
	}
	add(e, "TitleText", title)
	if version != "" {
		st := add(e, "SubTitle", version)
		if titleType != "" {
			st.CreateAttr("SubTitleType", "Version")
		}
	}
}

// ern3LocalTitles writes the titles in other languages as DisplayTitles
// with their LanguageAndScriptCode.
func (w *writer) ern3LocalTitles(d *etree.Element, local []LocalTitle) {
	for _, l := range local {
		e := d.CreateElement("Title")
		e.CreateAttr("LanguageAndScriptCode", l.Language)
		e.CreateAttr("TitleType", "DisplayTitle")
		add(e, "TitleText", l.Title)
		if l.VersionTitle != "" {
			add(e, "SubTitle", l.VersionTitle).CreateAttr("SubTitleType", "Version")
		}
	}
}

// ern3Party writes a party inline: its name, then its ISNI and IPI as
// PartyIds.
func (w *writer) ern3Party(e *etree.Element, a Artist) {
	add(e.CreateElement("PartyName"), "FullName", a.Name)
	if a.ISNI != "" {
		add(e, "PartyId", a.ISNI).CreateAttr("IsISNI", "true")
	}
	if a.IPI != "" {
		add(e, "PartyId", a.IPI).CreateAttr("Namespace", ipiNamespace)
	}
}

// ipiNamespace marks an IPI name number among 3.8.2 PartyIds, which have
// no IPI element.
const ipiNamespace = "IPI"

// ern3Artists writes display artists with all their roles as ArtistRole.
func (w *writer) ern3Artists(parent *etree.Element, tag string, artists []Artist) {
	for i, a := range artists {
		e := parent.CreateElement(tag)
		e.CreateAttr("SequenceNumber", itoa(i+1))
		w.ern3Party(e, a)
		roles := a.Roles
		if len(roles) == 0 {
			roles = []string{mainArtist}
		}
		for _, r := range roles {
			w.role(e, "ArtistRole", r, w.f.vocab.display, false)
		}
	}
}

// ern3Contributors writes credits: roles on the musical work (composer,
// lyricist…) as IndirectResourceContributor, the rest as
// ResourceContributor. A person with both kinds appears in both, under
// the same SequenceNumber, so the reader can put them back together in
// the original order.
func (w *writer) ern3Contributors(parent *etree.Element, people []Artist) {
	v := w.f.vocab
	for i, a := range people {
		var resource []string
		for _, r := range a.Roles {
			if !v.work[r] {
				resource = append(resource, r)
			}
		}
		if len(resource) == 0 && hasWorkRole(a, v) {
			continue
		}
		c := parent.CreateElement("ResourceContributor")
		c.CreateAttr("SequenceNumber", itoa(i+1))
		w.ern3Party(c, a)
		for _, r := range resource {
			w.role(c, "ResourceContributorRole", r, v.contributor, false)
		}
	}
	for i, a := range people {
		if !hasWorkRole(a, v) {
			continue
		}
		c := parent.CreateElement("IndirectResourceContributor")
		c.CreateAttr("SequenceNumber", itoa(i+1))
		w.ern3Party(c, a)
		for _, r := range a.Roles {
			if v.work[r] {
				add(c, "IndirectResourceContributorRole", r)
			}
		}
	}
}

func hasWorkRole(a Artist, v *vocabulary) bool {
	for _, r := range a.Roles {
		if v.work[r] {
			return true
		}
	}
	return false
}

// ern3Releases writes the main release and one TrackRelease-typed
// Release per track.
func (w *writer) ern3Releases(root *etree.Element) {
	r := w.r
	rl := root.CreateElement("ReleaseList")
	re := rl.CreateElement("Release")
	re.CreateAttr("IsMainRelease", "true")
	w.ern3ReleaseID(re)
	add(re, "ReleaseReference", mainReleaseRef)
	w.ern3Title(re, "ReferenceTitle", "", r.Title, r.VersionTitle)
	refs := re.CreateElement("ReleaseResourceReferenceList")
	for i := range r.Tracks {
		add(refs, "ReleaseResourceReference", trackRef(i)).CreateAttr("ReleaseResourceType", "PrimaryResource")
	}
	if r.Cover != nil {
		add(refs, "ReleaseResourceReference", trackRef(w.coverIndex())).CreateAttr("ReleaseResourceType", "SecondaryResource")
	}
	w.enumValue(re, "ReleaseType", w.releaseType(), w.f.vocab.release)
	d := re.CreateElement("ReleaseDetailsByTerritory")
	add(d, "TerritoryCode", "Worldwide")
	add(d, "DisplayArtistName", w.releaseDisplayArtist())
	add(d, "LabelName", w.label())
	w.ern3Title(d, "Title", "DisplayTitle", r.Title, r.VersionTitle)
	w.ern3LocalTitles(d, r.Titles)
	w.ern3Artists(d, "DisplayArtist", w.releaseArtists())
	if r.Type == "Compilation" {
		add(d, "IsMultiArtistCompilation", "true")
	}
	add(d, "ParentalWarningType", w.releaseParental())
	w.ern3ResourceGroup(d)
	w.genre(d, "Genre", w.releaseGenre(), r.SubGenre)
	addOpt(d, "ReleaseDate", w.givenReleaseDate())
	addOpt(d, "OriginalReleaseDate", r.OriginalReleaseDate)
	add(re, "Duration", formatDuration(w.totalDuration()))
	w.line(re, "PLine", r.PLine)
	w.line(re, "CLine", r.CLine)
	for i := range r.Tracks {
		w.ern3TrackRelease(rl, i)
	}
}

func (w *writer) ern3ReleaseID(re *etree.Element) {
	id := re.CreateElement("ReleaseId")
	addOpt(id, "GRid", w.r.GRid)
	if w.r.UPC != "" {
		add(id, "ICPN", w.r.UPC).CreateAttr("IsEan", strconv.FormatBool(len(w.r.UPC) == 13))
	}
	if w.r.CatalogNumber != "" {
		add(id, "CatalogNumber", w.r.CatalogNumber).CreateAttr("Namespace", w.namespace())
	}
}

// ern3ResourceGroup lists the tracks per disc (one sub-group per disc,
// as in the DDEX 3.8.2 album profile) and then the cover.
func (w *writer) ern3ResourceGroup(d *etree.Element) {
	rg := d.CreateElement("ResourceGroup")
	numbers, tracks := w.discs()
	for _, n := range numbers {
		sub := rg.CreateElement("ResourceGroup")
		add(sub, "SequenceNumber", itoa(n))
		for pos, i := range tracks[n] {
			t := &w.r.Tracks[i]
			item := sub.CreateElement("ResourceGroupContentItem")
			add(item, "SequenceNumber", itoa(trackNumber(t, pos+1)))
			add(item, "ResourceType", "SoundRecording")
			add(item, "ReleaseResourceReference", trackRef(i)).CreateAttr("ReleaseResourceType", "PrimaryResource")
			if t.InstantGratification {
				add(item, "IsInstantGratificationResource", "true")
			}
		}
	}
	if w.r.Cover != nil {
		item := rg.CreateElement("ResourceGroupContentItem")
		add(item, "ResourceType", "Image")
		add(item, "ReleaseResourceReference", trackRef(w.coverIndex())).CreateAttr("ReleaseResourceType", "SecondaryResource")
	}
}

func (w *writer) ern3TrackRelease(rl *etree.Element, i int) {
	t := &w.r.Tracks[i]
	re := rl.CreateElement("Release")
	add(re.CreateElement("ReleaseId"), "ISRC", t.ISRC)
	add(re, "ReleaseReference", trackReleaseRef(i))
	w.ern3Title(re, "ReferenceTitle", "", t.Title, t.VersionTitle)
	add(re.CreateElement("ReleaseResourceReferenceList"), "ReleaseResourceReference", trackRef(i)).
		CreateAttr("ReleaseResourceType", "PrimaryResource")
	add(re, "ReleaseType", "TrackRelease")
	d := re.CreateElement("ReleaseDetailsByTerritory")
	add(d, "TerritoryCode", "Worldwide")
	add(d, "DisplayArtistName", w.trackDisplayArtist(t))
	add(d, "LabelName", w.label())
	w.ern3Title(d, "Title", "DisplayTitle", t.Title, t.VersionTitle)
	w.ern3Artists(d, "DisplayArtist", w.trackArtists(t))
	add(d, "ParentalWarningType", w.trackParental(t))
	w.genre(d, "Genre", w.trackGenre(t), "")
}

// ern3Deals writes the DealList: the main release's deals (with
// pre-order date and instant-gratification tracks), then the same deals
// for the track releases without the pre-order part (3.8.2 does not
// allow it on track releases). A takedown is one worldwide deal with
// TakeDown=true for every release.
func (w *writer) ern3Deals(root *etree.Element) {
	if w.m.Kind != Takedown && w.r.DealsOmitted {
		return
	}
	dl := root.CreateElement("DealList")
	if w.m.Kind == Takedown {
		rd := dl.CreateElement("ReleaseDeal")
		w.ern3DealRefs(rd, true)
		dt := rd.CreateElement("Deal").CreateElement("DealTerms")
		add(dt, "TakeDown", "true")
		add(dt, "TerritoryCode", "Worldwide")
		add(dt.CreateElement("ValidityPeriod"), "StartDate", w.m.Header.Created.UTC().Format(time.DateOnly))
		return
	}
	if len(w.r.Deals) == 0 {
		return
	}
	rd := dl.CreateElement("ReleaseDeal")
	w.ern3DealRefs(rd, false)
	for _, d := range w.r.Deals {
		w.ern3Deal(rd, d, true)
	}
	if len(w.r.Tracks) == 0 {
		return
	}
	rd = dl.CreateElement("ReleaseDeal")
	for i := range w.r.Tracks {
		add(rd, "DealReleaseReference", trackReleaseRef(i))
	}
	for _, d := range w.r.Deals {
		w.ern3Deal(rd, d, false)
	}
}

func (w *writer) ern3DealRefs(rd *etree.Element, tracks bool) {
	add(rd, "DealReleaseReference", mainReleaseRef)
	if tracks {
		for i := range w.r.Tracks {
			add(rd, "DealReleaseReference", trackReleaseRef(i))
		}
	}
}

func (w *writer) ern3Deal(rd *etree.Element, d Deal, main bool) {
	dt := rd.CreateElement("Deal").CreateElement("DealTerms")
	if d.CommercialModel != "" {
		w.enumValue(dt, "CommercialModelType", d.CommercialModel, w.f.vocab.commercial)
	}
	u := dt.CreateElement("Usage")
	for _, t := range d.UseTypes {
		w.enumValue(u, "UseType", t, w.f.vocab.use)
	}
	if len(d.UseTypes) == 0 {
		// 3.8.2 needs a use type; a deal without one is as agreed.
		add(u, "UseType", "AsPerContract")
	}
	writeTerritories(dt, d)
	w.prices(dt, d.Prices)
	vp := dt.CreateElement("ValidityPeriod")
	add(vp, "StartDate", w.dealStart(d))
	addOpt(vp, "EndDate", d.EndDate)
	if !main || d.PreOrderDate == "" {
		return
	}
	add(dt, "PreOrderReleaseDate", d.PreOrderDate)
	w.instantGratification(dt)
}

// ern3PurgedRelease identifies the release to purge.
func (w *writer) ern3PurgedRelease(root *etree.Element) {
	pr := root.CreateElement("PurgedRelease")
	id := pr.CreateElement("ReleaseId")
	addOpt(id, "GRid", w.r.GRid)
	addOpt(id, "ICPN", w.r.UPC)
	w.ern3Title(pr, "Title", "DisplayTitle", w.r.Title, w.r.VersionTitle)
	for i, a := range w.releaseArtists() {
		c := pr.CreateElement("ResourceContributor")
		c.CreateAttr("SequenceNumber", itoa(i+1))
		w.ern3Party(c, a)
	}
}
