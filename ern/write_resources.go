package ern

import (
	"strconv"

	"github.com/beevik/etree"
)

// Resource references are fixed by position so that releases and deals
// can point at them: track i is A<i+1> with technical details T<i+1>, the
// cover comes after the last track.
func trackRef(i int) string       { return "A" + itoa(i+1) }
func technicalRef(i int) string   { return "T" + itoa(i+1) }
func (w *writer) coverIndex() int { return len(w.r.Tracks) }

// resourceList writes the ResourceList: one SoundRecording per track,
// then the cover Image, in the order trackRef and coverIndex number them.
// sound and image write one resource in the version's layout (3.8.2 or
// 4.x); the order is the same in every version.
func (w *writer) resourceList(root *etree.Element, sound, image func(rl *etree.Element, i int)) {
	rl := root.CreateElement("ResourceList")
	for i := range w.r.Tracks {
		sound(rl, i)
	}
	if w.r.Cover != nil {
		image(rl, w.coverIndex())
	}
}

// soundRecording writes track i. From 4.3 on its ISRC, P line and file
// sit in a SoundRecordingEdition; before, ResourceId comes first, the P
// line after the contributors and TechnicalDetails last.
func (w *writer) soundRecording(rl *etree.Element, i int) {
	t := &w.r.Tracks[i]
	sr := rl.CreateElement("SoundRecording")
	add(sr, "ResourceReference", trackRef(i))
	add(sr, "Type", "MusicalWorkSoundRecording")
	if w.f.editions {
		ed := sr.CreateElement("SoundRecordingEdition")
		add(ed.CreateElement("ResourceId"), "ISRC", t.ISRC)
		w.line(ed, "PLine", w.r.PLine)
		w.audioTechnicalDetails(ed, i)
	} else {
		add(sr.CreateElement("ResourceId"), "ISRC", t.ISRC)
	}
	w.displayTitles(sr, t.Title, t.VersionTitle, t.Titles)
	w.displayArtists(sr, w.trackDisplayArtist(t), w.trackArtists(t))
	w.contributors(sr, t.Contributors)
	if !w.f.editions {
		w.line(sr, "PLine", w.r.PLine)
	}
	add(sr, "Duration", formatDuration(t.Duration))
	add(sr, "ParentalWarningType", w.trackParental(t))
	if !w.f.editions {
		w.audioTechnicalDetails(sr, i)
	}
}

// audioTechnicalDetails writes track i's TechnicalDetails: in 4.3 and
// later the file is a DeliveryFile of Type AudioFile, before it sits in
// TechnicalDetails directly.
func (w *writer) audioTechnicalDetails(parent *etree.Element, i int) {
	a := &w.r.Tracks[i].Audio
	td := parent.CreateElement("TechnicalDetails")
	add(td, "TechnicalResourceDetailsReference", technicalRef(i))
	if w.f.editions {
		td = td.CreateElement("DeliveryFile")
		add(td, "Type", "AudioFile")
	}
	w.audioDetails(td, a)
	w.file(td, a.File)
	w.provided(td, a.File)
}

// audioDetails writes codec, container and sampling figures of an audio
// file (4.x names).
func (w *writer) audioDetails(parent *etree.Element, a *Audio) {
	container, codec := audioCodec(a.Codec)
	if w.f.containerFormat {
		addOpt(parent, "ContainerFormat", container)
	}
	if codec != "" {
		w.enumValue(parent, "AudioCodecType", codec, w.f.vocab.audio)
	}
	if a.Channels > 0 {
		add(parent, "NumberOfChannels", itoa(a.Channels))
	}
	if a.SampleRate > 0 {
		add(parent, "SamplingRate", itoa(a.SampleRate)).CreateAttr("UnitOfMeasure", "Hz")
	}
	if a.BitsPerSample > 0 {
		add(parent, "BitsPerSample", itoa(a.BitsPerSample))
	}
}

// audioCodec splits the model's codec word into a container format and
// an audio codec: WAV and AIFF are PCM in a container.
func audioCodec(c string) (container, codec string) {
	switch c {
	case "":
		return "", ""
	case "WAV", "AIFF":
		return c, "PCM"
	}
	return "", c
}

// file writes the 4.x File element: URI, hash and size.
func (w *writer) file(parent *etree.Element, f File) {
	if f.Name == "" {
		return
	}
	fe := parent.CreateElement("File")
	add(fe, "URI", f.URI())
	if f.Hash != "" {
		hs := fe.CreateElement("HashSum")
		w.enumValue(hs, "Algorithm", hashAlgorithm(f), w.f.vocab.hash)
		add(hs, "HashSumValue", f.Hash)
	}
	if f.Size > 0 {
		add(fe, "FileSize", strconv.FormatInt(f.Size, 10))
	}
}

// hashAlgorithm is the file's DDEX HashSumAlgorithmType, MD5 by default.
func hashAlgorithm(f File) string {
	if f.HashAlgorithm != "" {
		return f.HashAlgorithm
	}
	return "MD5"
}

// provided writes IsProvidedInDelivery in the versions that have it.
func (w *writer) provided(parent *etree.Element, f File) {
	if w.f.providedFlag && f.Name != "" {
		add(parent, "IsProvidedInDelivery", strconv.FormatBool(f.Provided))
	}
}

// image writes the cover as a 4.x Image resource.
func (w *writer) image(rl *etree.Element, i int) {
	c := w.r.Cover
	im := rl.CreateElement("Image")
	add(im, "ResourceReference", trackRef(i))
	add(im, "Type", "FrontCoverImage")
	pid := add(im.CreateElement("ResourceId"), "ProprietaryId", w.releaseKey()+"_FrontCoverImage")
	pid.CreateAttr("Namespace", w.namespace())
	add(im, "ParentalWarningType", w.releaseParental())
	td := im.CreateElement("TechnicalDetails")
	add(td, "TechnicalResourceDetailsReference", technicalRef(i))
	w.imageDetails(td, c)
	w.file(td, c.File)
	w.provided(td, c.File)
}

// imageDetails writes codec and pixel size of the cover, the figures
// 3.8.2 and 4.x name alike (the image counterpart of audioDetails).
func (w *writer) imageDetails(parent *etree.Element, c *Image) {
	if c.Codec != "" {
		w.enumValue(parent, "ImageCodecType", c.Codec, w.f.vocab.image)
	}
	if c.Height > 0 {
		add(parent, "ImageHeight", itoa(c.Height)).CreateAttr("UnitOfMeasure", "Pixel")
	}
	if c.Width > 0 {
		add(parent, "ImageWidth", itoa(c.Width)).CreateAttr("UnitOfMeasure", "Pixel")
	}
}

// displayTitles writes a 4.x title: DisplayTitleText ("Title
// (Version)") and DisplayTitle (the version as a sub-title), each first
// in the message's language, then once per other language.
func (w *writer) displayTitles(parent *etree.Element, title, version string, local []LocalTitle) {
	add(parent, "DisplayTitleText", displayTitleText(title, version))
	for _, l := range local {
		add(parent, "DisplayTitleText", displayTitleText(l.Title, l.VersionTitle)).CreateAttr("LanguageAndScriptCode", l.Language)
	}
	w.displayTitle(parent, title, version, "")
	for _, l := range local {
		w.displayTitle(parent, l.Title, l.VersionTitle, l.Language)
	}
}

// displayTitle writes one 4.x DisplayTitle, the version as a sub-title.
func (w *writer) displayTitle(parent *etree.Element, title, version, lang string) {
	dt := parent.CreateElement("DisplayTitle")
	if lang != "" {
		dt.CreateAttr("LanguageAndScriptCode", lang)
	}
	add(dt, "TitleText", title)
	if version != "" {
		add(dt, "SubTitle", version).CreateAttr("SubTitleType", "Version")
	}
}

// line writes a P or C line (PLine/CLine) when it has text.
func (w *writer) line(parent *etree.Element, tag string, l Line) {
	if l.Text == "" {
		return
	}
	e := parent.CreateElement(tag)
	if l.Year > 0 {
		add(e, "Year", itoa(l.Year))
	}
	add(e, tag+"Text", l.Text)
}
