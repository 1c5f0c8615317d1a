package ern

import "github.com/beevik/etree"

// The model uses the words labels use (MainArtist, Producer, MD5, WAV…).
// Each ERN version has its own allowed-value sets; a vocabulary lists,
// per version, the words written as they are. A word outside the
// version's list is written as UserDefined with the word in
// UserDefinedValue, which every version accepts and the reader turns back
// into the word. TestVocabulariesMatchAVS checks every listed word
// against the official allowed-value-set files.
type vocabulary struct {
	// display: DisplayArtistRole (4.x) or ArtistRole (3.8.2).
	display set
	// contributor: ContributorRole (4.x) or ResourceContributorRole (3.8.2).
	contributor set
	// work: MusicalWorkContributorRole, 3.8.2 only: credits on the
	// musical work (composer, lyricist…) go to IndirectResourceContributor.
	work set
	// release: ReleaseType.
	release set
	// alias maps model words to the version's spelling; the reader maps
	// them back.
	alias      map[string]string
	commercial set // CommercialModelType
	use        set // UseType
	hash       set // HashSumAlgorithmType
	audio      set // AudioCodecType
	image      set // ImageCodecType
}

// set is a list of allowed words.
type set map[string]bool

func newSet(words ...string) set {
	s := make(set, len(words))
	for _, w := range words {
		s[w] = true
	}
	return s
}

func (s set) with(words ...string) set {
	out := make(set, len(s)+len(words))
	for w := range s {
		out[w] = true
	}
	for _, w := range words {
		out[w] = true
	}
	return out
}

var (
	// Deal words: AsPerContract is gone from the ERN deal lists in 4.2.
	commercialModels = newSet("AdvertisementSupportedModel", "FreeOfChargeModel", "PayAsYouGoModel", "SubscriptionModel")
	useTypes         = newSet("ConditionalDownload", "Download", "NonInteractiveStream", "OnDemandStream",
		"PermanentDownload", "Stream", "TetheredDownload")

	releaseTypes = newSet("Album", "AudioBookRelease", "Bundle", "ClassicalAlbum", "KaraokeRelease",
		"MultimediaAlbum", "MultimediaSingle", "RingtoneRelease", "Single", "SingleResourceRelease",
		"VideoAlbum", "VideoSingle")

	audioCodecs = newSet("PCM", "FLAC", "MP3", "AAC", "WMA", "Vorbis")
	imageCodecs = newSet("JPEG", "PNG", "GIF", "TIFF", "JPEG2000")

	vocab382 = &vocabulary{
		display:     newSet("MainArtist", "FeaturedArtist", "Artist", "Composer", "Lyricist", "ComposerLyricist", "Arranger", "Conductor", "Producer"),
		contributor: newSet("MainArtist", "FeaturedArtist", "Artist", "Conductor", "Producer", "Orchestra", "Soloist", "Choir", "Ensemble"),
		work:        newSet("Composer", "Lyricist", "ComposerLyricist", "Arranger"),
		release:     releaseTypes.with("EP"),
		commercial:  commercialModels.with("AsPerContract"),
		use:         useTypes.with("AsPerContract"),
		hash:        newSet("MD4", "MD5", "SHA", "SHA1"),
		audio:       audioCodecs, image: imageCodecs,
	}
	vocab41 = &vocabulary{
		display: newSet("MainArtist", "FeaturedArtist", "Artist"),
		contributor: newSet("Arranger", "Composer", "ComposerLyricist", "Lyricist", "Artist",
			"Mixer", "MixingEngineer", "RecordingEngineer", "Remixer", "StudioProducer"),
		alias:      map[string]string{"Producer": "StudioProducer"},
		release:    releaseTypes.with("DjMix"),
		commercial: commercialModels.with("AsPerContract"),
		use:        useTypes.with("AsPerContract"),
		hash:       newSet("MD5", "SHA1", "SHA-256", "SHA-512"),
		audio:      audioCodecs, image: imageCodecs,
	}
	// 4.1.1 added Performer to the contributor roles.
	vocab411 = &vocabulary{
		display: vocab41.display, contributor: vocab41.contributor.with("Performer"),
		alias: vocab41.alias, release: vocab41.release, commercial: vocab41.commercial, use: vocab41.use,
		hash: vocab41.hash, audio: audioCodecs, image: imageCodecs,
	}
	// 4.2 and later: EP, and no AsPerContract in deals.
	vocab42 = &vocabulary{
		display: vocab411.display, contributor: vocab411.contributor, alias: vocab411.alias,
		release:    releaseTypes.with("DjMix", "EP"),
		commercial: commercialModels, use: useTypes,
		hash: vocab411.hash, audio: audioCodecs, image: imageCodecs,
	}
)

// displayRole is the DisplayArtistRole of a 4.x display artist: the
// first of its roles the version allows, else MainArtist.
func (w *writer) displayRole(a Artist) string {
	for _, r := range a.Roles {
		if w.f.vocab.display[r] {
			return r
		}
	}
	return mainArtist
}

// otherRoles are a 4.x display artist's roles beyond its
// DisplayArtistRole, written as ArtisticRole.
func (w *writer) otherRoles(a Artist) []string {
	display := w.displayRole(a)
	var out []string
	seen := false
	for _, r := range a.Roles {
		if r == display && !seen {
			seen = true
			continue
		}
		out = append(out, r)
	}
	return out
}

// role writes one role element (Role, ArtisticRole, ArtistRole…) in the
// version's spelling; from 4.3.1 on contributor roles wrap it in Value.
func (w *writer) role(parent *etree.Element, tag, word string, allowed set, wrap bool) {
	e := parent.CreateElement(tag)
	if wrap {
		e = e.CreateElement("Value")
	}
	if alias, ok := w.f.vocab.alias[word]; ok {
		word = alias
	}
	setWord(e, word, allowed)
}

// enumValue writes <tag>word</tag> for a word of an allowed-value set.
func (w *writer) enumValue(parent *etree.Element, tag, word string, allowed set) {
	setWord(parent.CreateElement(tag), word, allowed)
}

// setWord sets e to word when allowed, else to UserDefined with the word
// in UserDefinedValue.
func setWord(e *etree.Element, word string, allowed set) {
	if allowed[word] {
		e.SetText(word)
		return
	}
	e.SetText("UserDefined")
	e.CreateAttr("UserDefinedValue", word)
}

// readWord is setWord in reverse: the model word of a role or codec
// element, undoing the version's aliases.
func readWord(e *etree.Element, v *vocabulary) string {
	word := e.Text()
	if word == "UserDefined" {
		if u := e.SelectAttrValue("UserDefinedValue", ""); u != "" {
			return u
		}
	}
	for model, spelled := range v.alias {
		if spelled == word {
			return model
		}
	}
	return word
}
