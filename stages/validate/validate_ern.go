package validate

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ferrydelivery/ferry/ern"
)

// A release read from an ERN message is checked like one described by
// release.toml; this file adds what only a message can raise (parts
// ferry leaves out, values it worked out, deals sent separately) and
// words the fix hints for the message instead of release.toml.

// checkERN reports the reader's notes and a release date the message did
// not give.
func (c *checker) checkERN() {
	src := c.rf.ern
	if src == nil {
		return
	}
	r := src.msg.Release
	for _, n := range r.Notes {
		if n.Unsupported {
			c.add(ruleERNUnsupported, n.Where, n.What,
				"deliver this release another way: ferry delivers audio releases (sound recordings and a cover) only")
			continue
		}
		c.add(ruleERNLeftOut, n.Where, n.What,
			"nothing, if that part is not meant for the DSPs; else deliver it as a release of its own")
	}
	switch r.ReleaseDateFrom {
	case ern.DateFromDeals:
		c.add(ruleERNDerived, "release_date",
			fmt.Sprintf("the message gives no ReleaseDate; ferry uses %s, the earliest deal start (ValidityPeriod/StartDate), and writes it as the release date", r.ReleaseDate),
			"nothing, if that is the release date; else add a ReleaseDate to the message's Release")
	case ern.DateFromOriginal:
		c.add(ruleERNDerived, "release_date",
			fmt.Sprintf("the message gives no ReleaseDate and no deal start; ferry uses its OriginalReleaseDate %s as the release date", r.ReleaseDate),
			"nothing, if that is the release date; else add a ReleaseDate to the message's Release")
	}
}

// unsupportedType reports whether the reader found the release's type
// to be one ferry does not deliver (already reported by checkERN).
func (rf *ReleaseFile) unsupportedType() bool {
	if rf.ern == nil {
		return false
	}
	for _, n := range rf.ern.msg.Release.Notes {
		if n.Unsupported && strings.HasSuffix(n.Where, "/ReleaseType") {
			return true
		}
	}
	return false
}

// dealsOmitted reports whether the release came from a message without
// a DealList.
func (rf *ReleaseFile) dealsOmitted() bool {
	return rf.ern != nil && rf.ern.msg.Release.DealsOmitted
}

// ernElements names, per release.toml field (indexes dropped), what a
// message gives it.
var ernElements = map[string]string{
	"upc":                      "the Release's ReleaseId/ICPN",
	"title":                    "the Release's DisplayTitle (3.8.2: a Title of TitleType DisplayTitle)",
	"label":                    "a ReleaseLabelReference to a PartyList label (3.8.2: LabelName)",
	"release_date":             "a ReleaseDate to the Release, or a deal with a ValidityPeriod/StartDate",
	"genre":                    "a Genre (4.3.1 and later: DisplayGenre) with its GenreText to the Release",
	"cover":                    "an Image resource of Type FrontCoverImage (3.8.2: ImageType) with its File",
	"artists.name":             "the PartyName/FullName of the release's display artist",
	"tracks.isrc":              "the SoundRecording's ISRC (ResourceId; 3.8.2: SoundRecordingId)",
	"tracks.title":             "the SoundRecording's DisplayTitle",
	"tracks.file":              "the SoundRecording's File (URI; 3.8.2: FileName and FilePath)",
	"tracks.artists.name":      "the PartyName/FullName of the track's display artist",
	"tracks.contributors.name": "the PartyName/FullName of the contributor",
	"deals.commercial_model":   "a CommercialModelType to the deal's DealTerms",
	"deals.use_types":          "a UseType to the deal's DealTerms",
}

var (
	setInTOML = regexp.MustCompile(`^set ([a-z_.\[\]0-9]+) in release\.toml$`)
	indexes   = regexp.MustCompile(`\[[0-9]+\]`)
	// tomlWords are release.toml's words in fix hints and the message's
	// for them.
	tomlWords = strings.NewReplacer(
		`add confirm = ["`+ruleWindowOverlap+`"] to release.toml`, `put confirm = ["`+ruleWindowOverlap+`"] into `+ConfirmFileName+` beside the message`,
		"release.toml", "the ERN message",
		`set display_artist, or add an [[artists]] table (name = "…", roles = ["MainArtist"])`, "add a DisplayArtist (a party with its DisplayArtistRole) to the Release",
		"add a [[tracks]] table per track (isrc, title, file)", "add the SoundRecordings and list them in the Release's ResourceGroup",
		"add a [[tracks]] entry for it", "list it as a SoundRecording of the Release",
		"list the [[tracks]] in release order", "number the ResourceGroupContentItems in release order",
		`use action = "takedown"`, "send the deals with an EndDate in the past",
		"original_release_date", "OriginalReleaseDate",
		"release_date", "ReleaseDate",
		"preorder_date", "pre-order date (a pre-order deal's StartDate; 3.8.2: PreOrderReleaseDate)",
		"excluded_territories", "ExcludedTerritoryCode",
		"territories", "TerritoryCode",
		"start_date", "ValidityPeriod/StartDate",
		"end_date", "ValidityPeriod/EndDate",
		"p_line", "PLine",
		"c_line", "CLine",
		"instant_gratification", "IsInstantGratificationResource",
	)
)

// hints rewords the fix hints of problems for a release read from the
// message: a field of release.toml becomes the element that gives it,
// and "release.toml" the message's name.
func (s *ernSource) hints(ps Problems) {
	for i := range ps {
		ps[i].Fix = s.hint(ps[i].Fix)
	}
}

func (s *ernSource) hint(fix string) string {
	if m := setInTOML.FindStringSubmatch(fix); m != nil {
		if el, ok := ernElements[indexes.ReplaceAllString(m[1], "")]; ok {
			return "add " + el + " in " + s.name
		}
	}
	return strings.ReplaceAll(tomlWords.Replace(fix), "the ERN message", s.name)
}

// versionChecks checks the deals against the value lists of the ERN
// version a DSP gets: AsPerContract exists in 3.8.2 to 4.1.1 only. Deals
// that name other DSPs are not the DSP's.
func (rel *Release) versionChecks(dsp, version string) Problems {
	v, err := ern.ParseVersion(version)
	if version == "" || err != nil || v.HasDealWord(asPerContract) {
		return nil
	}
	var ps Problems
	for _, ref := range rel.file.dealRefs() {
		where, d := ref.where, ref.entry
		if len(d.DSP) > 0 && !slices.Contains(d.DSP, dsp) {
			continue
		}
		what := fmt.Sprintf("AsPerContract is a value of the ERN 3.8.2, 4.1 and 4.1.1 lists only; this DSP gets ERN %s, where it would go out as UserDefined", v)
		if d.CommercialModel == asPerContract {
			ps = append(ps, Problem{Rule: ruleCommercialModel, Where: where + ".commercial_model", What: what,
				Fix: "give the deal's commercial model (SubscriptionModel, AdvertisementSupportedModel, PayAsYouGoModel), or deliver this DSP ERN 4.1.1"})
		}
		if slices.Contains(d.UseTypes, asPerContract) {
			ps = append(ps, Problem{Rule: ruleUseType, Where: where + ".use_types", What: what,
				Fix: "give the deal's use types (OnDemandStream, PermanentDownload…), or deliver this DSP ERN 4.1.1"})
		}
	}
	return ps
}
