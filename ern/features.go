package ern

// features is what sets one ERN version apart from the others. The writer
// and reader are one code path; every place where versions differ asks
// this table instead of switching on the version number, so a new version
// is one more row, not another writer.
type features struct {
	// ern3 selects the 3.8.2 layout: artists inline (no PartyList),
	// *DetailsByTerritory blocks, MessageSchemaVersionId, UpdateIndicator
	// and TakeDown deals.
	ern3 bool
	// avsVersionID is the root AvsVersionId attribute (4.3 and later):
	// the version of the allowed-value-set file the schema imports, read
	// from its header <xs:documentation source="AvsVersionId">.
	avsVersionID string
	// providedFlag writes IsProvidedInDelivery (4.2 and later).
	providedFlag bool
	// editions puts ResourceId, PLine and the audio file under
	// SoundRecordingEdition (4.3 and later) instead of directly under
	// SoundRecording.
	editions bool
	// roleValue wraps contributor roles in a <Value> child (4.3.1 and
	// later), instead of carrying the role as the element text.
	roleValue bool
	// displayGenre names the Release and TrackRelease genre DisplayGenre
	// (4.3.1 and later) instead of Genre.
	displayGenre bool
	// containerFormat writes ContainerFormat (WAV, AIFF) beside the
	// codec: 3.8.2 and 4.3 on. 4.1 and 4.2 only have AudioCodecType.
	containerFormat bool
	// vocab holds the version's allowed words: roles, release types
	// (an EP is an Album where the list has no EP), deal terms, codecs.
	vocab *vocabulary
}

// featureTable holds one row per supported version.
//
// AvsVersionId values, read once from the headers of the official AVS
// files under ../shared/ddex/xsd (hard-coded so ferry reads no files at
// run time): ern/43/allowed-value-sets.xsd says 3; ern/431 and ern/432
// (allowed-value-sets.xsd) say 9. A DSP that expects another AVS version
// can be given one with Options.AvsVersionID.
var featureTable = map[Version]features{
	V382: {ern3: true, containerFormat: true, vocab: vocab382},
	V41:  {vocab: vocab41},
	V411: {vocab: vocab411},
	V42:  {providedFlag: true, vocab: vocab42},
	V43: {avsVersionID: "3", providedFlag: true, editions: true,
		containerFormat: true, vocab: vocab42},
	V431: {avsVersionID: "9", providedFlag: true, editions: true,
		containerFormat: true, roleValue: true, displayGenre: true, vocab: vocab42},
	V432: {avsVersionID: "9", providedFlag: true, editions: true,
		containerFormat: true, roleValue: true, displayGenre: true, vocab: vocab42},
}
