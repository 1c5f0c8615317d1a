package ern

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// Read parses an ERN NewReleaseMessage or PurgeReleaseMessage of any of
// the seven versions into the release model, and says which version it
// was. What the model cannot hold (prices, clips, alternative-language
// titles…) is skipped; what a version cannot say is left at the model's
// zero value (see NOTES for the list).
func Read(r io.Reader) (*Message, Version, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, "", fmt.Errorf("read ERN: %w", err)
	}
	return ReadBytes(data)
}

// ReadBytes is Read of a message held in memory. It works in data's own
// memory (a 16 MB message is not copied again): the caller must not use
// data afterwards.
func ReadBytes(data []byte) (*Message, Version, error) {
	data, err := toUTF8(data)
	if err != nil {
		return nil, "", fmt.Errorf("read ERN: %w", err)
	}
	rest, dealList, err := splitDealList(compactWhitespace(data, data[:0]))
	if err != nil {
		return nil, "", fmt.Errorf("read ERN: %w", err)
	}
	doc, err := parseDoc(rest)
	if err != nil {
		return nil, "", fmt.Errorf("read ERN: %w", err)
	}
	root := doc.Root()
	if root == nil {
		return nil, "", errors.New("read ERN: empty document")
	}
	v, err := versionOf(root)
	if err != nil {
		return nil, "", err
	}
	rd := &reader{v: v, f: featureTable[v], root: root, instant: map[string]bool{}}
	if rd.deals, err = rd.readDeals(dealList); err != nil {
		return nil, v, fmt.Errorf("read ERN %s %s: %w", v, root.Tag, err)
	}
	m, err := rd.message()
	if err != nil {
		return nil, v, fmt.Errorf("read ERN %s %s: %w", v, root.Tag, err)
	}
	return m, v, nil
}

// versionOf tells the version from the root element's namespace.
func versionOf(root *etree.Element) (Version, error) {
	ns := root.NamespaceURI()
	for _, v := range Versions {
		if ns == v.Namespace() {
			return v, nil
		}
	}
	if ns == "" {
		return "", fmt.Errorf("read ERN: root element %s has no namespace (want http://ddex.net/xml/ern/…)", root.Tag)
	}
	return "", fmt.Errorf("read ERN: namespace %q is not a supported ERN version (3.8.2, 4.1, 4.1.1, 4.2, 4.3, 4.3.1, 4.3.2)", ns)
}

// reader reads one message; like the writer it asks f where versions
// differ.
type reader struct {
	v    Version
	f    features
	root *etree.Element
	// parties maps 4.x party references to the parties.
	parties map[string]Artist
	// instant marks resource references of instant-gratification tracks.
	instant map[string]bool
	// lang is the message's LanguageAndScriptCode; created its
	// MessageCreatedDateTime.
	lang    string
	created time.Time
	// notes collect what the model leaves out (Release.Notes).
	notes []Note
	// deals is the DealList, read apart from the DOM.
	deals *dealList
}

func (rd *reader) message() (*Message, error) {
	m := &Message{}
	mh := rd.root.SelectElement("MessageHeader")
	if mh == nil {
		return nil, errors.New("no MessageHeader")
	}
	h, err := readHeader(mh)
	if err != nil {
		return nil, err
	}
	m.Header = h
	lang := rd.root.SelectAttrValue("LanguageAndScriptCode", "")
	rd.lang, rd.created = lang, h.Created
	switch rd.root.Tag {
	case "PurgeReleaseMessage":
		m.Kind = Purge
		m.Release = rd.purgedRelease()
	case "NewReleaseMessage":
		var err error
		if rd.f.ern3 {
			m.Release, m.Kind, err = rd.ern3Release()
		} else {
			m.Release, m.Kind, err = rd.release4()
		}
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("root element %s is not a NewReleaseMessage or PurgeReleaseMessage", rd.root.Tag)
	}
	m.Release.Language = lang
	m.Release.Notes = rd.notes
	return m, nil
}

func readHeader(mh *etree.Element) (Header, error) {
	h := Header{
		ThreadID:  text(mh, "MessageThreadId"),
		MessageID: text(mh, "MessageId"),
		Sender:    readParty(mh.SelectElement("MessageSender")),
		Recipient: readParty(mh.SelectElement("MessageRecipient")),
		Test:      text(mh, "MessageControlType") == "TestMessage",
	}
	if s := text(mh, "MessageCreatedDateTime"); s != "" {
		t, err := parseDateTime(s)
		if err != nil {
			return h, fmt.Errorf("MessageCreatedDateTime: %w", err)
		}
		h.Created = t
	}
	return h, nil
}

func readParty(e *etree.Element) Party {
	if e == nil {
		return Party{}
	}
	return Party{DPID: text(e, "PartyId"), Name: text(e, "PartyName", "FullName")}
}

// parseDateTime reads an xs:dateTime, with or without zone and fraction.
func parseDateTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an xs:dateTime", s)
}

// text returns the trimmed text of the element at the path of child
// names below e, or "" when it is missing.
func text(e *etree.Element, path ...string) string {
	c := child(e, path...)
	if c == nil {
		return ""
	}
	return strings.TrimSpace(c.Text())
}

// child returns the element at the path of child names below e, or nil.
func child(e *etree.Element, path ...string) *etree.Element {
	for _, name := range path {
		if e == nil {
			return nil
		}
		e = e.SelectElement(name)
	}
	return e
}

// texts returns the trimmed texts of e's children named name.
func texts(e *etree.Element, name string) []string {
	if e == nil {
		return nil
	}
	var out []string
	for _, c := range e.SelectElements(name) {
		out = append(out, strings.TrimSpace(c.Text()))
	}
	return out
}

// preferred picks among repeated elements (titles, names in several
// languages) the one marked IsDefault, else the first without a
// language, else the first.
func preferred(els []*etree.Element) *etree.Element {
	if len(els) == 0 {
		return nil
	}
	for _, e := range els {
		if e.SelectAttrValue("IsDefault", "") == "true" {
			return e
		}
	}
	for _, e := range els {
		if e.SelectAttr("LanguageAndScriptCode") == nil {
			return e
		}
	}
	return els[0]
}

func preferredText(e *etree.Element, name string) string {
	if c := preferred(e.SelectElements(name)); c != nil {
		return strings.TrimSpace(c.Text())
	}
	return ""
}

// atoi reads a non-negative integer, 0 when s is not one.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// splitURI splits a 4.x file URI into the model's folder and name.
func splitURI(uri string) (path, name string) {
	i := strings.LastIndexByte(uri, '/')
	return uri[:i+1], uri[i+1:]
}

// samplingRateHz reads a SamplingRate element in Hz whatever its unit.
func samplingRateHz(e *etree.Element) int {
	if e == nil {
		return 0
	}
	var v float64
	if _, err := fmt.Sscanf(strings.TrimSpace(e.Text()), "%g", &v); err != nil {
		return 0
	}
	switch e.SelectAttrValue("UnitOfMeasure", "Hz") {
	case "kHz":
		v *= 1e3
	case "MHz":
		v *= 1e6
	case "GHz":
		v *= 1e9
	}
	return int(v + 0.5)
}

// readAudio reads the technical details of an audio file (the element
// holding ContainerFormat, AudioCodecType… and File).
func (rd *reader) readAudio(e *etree.Element) Audio {
	var a Audio
	if e == nil {
		return a
	}
	if c := e.SelectElement("AudioCodecType"); c != nil {
		a.Codec = readWord(c, rd.f.vocab)
	}
	if c := text(e, "ContainerFormat"); c != "" {
		a.Codec = c
	} else if a.Codec == "PCM" {
		a.Codec = "WAV"
	}
	a.Channels = atoi(text(e, "NumberOfChannels"))
	a.SampleRate = samplingRateHz(e.SelectElement("SamplingRate"))
	a.BitsPerSample = atoi(text(e, "BitsPerSample"))
	a.File = rd.readFile(e)
	if a.Codec == "WAV" && isAIFF(a.File.Name) {
		// 4.1 and 4.2 have no container: PCM in a .aif file is AIFF.
		a.Codec = "AIFF"
	}
	return a
}

func isAIFF(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".aif") || strings.HasSuffix(n, ".aiff")
}

// readFile reads the File below e (both the 3.8.2 and the 4.x form) and
// IsProvidedInDelivery beside it. A file is provided unless the message
// says otherwise.
func (rd *reader) readFile(e *etree.Element) File {
	fe := e.SelectElement("File")
	if fe == nil {
		return File{}
	}
	f := File{Provided: text(e, "IsProvidedInDelivery") != "false"}
	if uri := text(fe, "URI"); uri != "" {
		f.Path, f.Name = splitURI(uri)
	} else if url := text(fe, "URL"); url != "" {
		f.Path, f.Name = splitURI(url)
	} else {
		// 3.8.2: a folder and a name, the folder written with or
		// without its final separator ("resources" or "resources/"),
		// Windows-style separators turned into URI ones.
		f.Name = text(fe, "FileName")
		f.Path = strings.ReplaceAll(text(fe, "FilePath"), "\\", "/")
		if f.Path != "" && !strings.HasSuffix(f.Path, "/") {
			f.Path += "/"
		}
	}
	if hs := fe.SelectElement("HashSum"); hs != nil {
		if v := hs.SelectElement("HashSumValue"); v != nil {
			f.Hash = strings.TrimSpace(v.Text())
			if a := hs.SelectElement("Algorithm"); a != nil {
				f.HashAlgorithm = readWord(a, rd.f.vocab)
			}
		} else {
			f.Hash = text(hs, "HashSum")
			if a := hs.SelectElement("HashSumAlgorithmType"); a != nil {
				f.HashAlgorithm = readWord(a, rd.f.vocab)
			}
		}
	}
	if s := text(fe, "FileSize"); s != "" {
		var n int64
		if _, err := fmt.Sscanf(s, "%d", &n); err == nil {
			f.Size = n
		}
	}
	return f
}

// readImage reads the image technical details below e into the cover.
func (rd *reader) readImage(td *etree.Element) *Image {
	im := &Image{}
	if td == nil {
		return im
	}
	if c := td.SelectElement("ImageCodecType"); c != nil {
		im.Codec = readWord(c, rd.f.vocab)
	}
	im.Height = atoi(strings.SplitN(text(td, "ImageHeight"), ".", 2)[0])
	im.Width = atoi(strings.SplitN(text(td, "ImageWidth"), ".", 2)[0])
	im.File = rd.readFile(td)
	return im
}

// readLine reads a PLine or CLine.
func readLine(e *etree.Element, tag string) Line {
	if e == nil {
		return Line{}
	}
	return Line{Year: atoi(text(e, "Year")), Text: text(e, tag+"Text")}
}

// readGenre reads a Genre (or DisplayGenre) element.
func readGenre(e *etree.Element) (genre, sub string) {
	if e == nil {
		return "", ""
	}
	return text(e, "GenreText"), text(e, "SubGenre")
}

// readReleaseType maps the version's ReleaseType to the model's word:
// the first standard type (SingleResourceRelease counts as a Single),
// else a user-defined one; an Album flagged as a multi-artist compilation
// is a Compilation.
func readReleaseType(types []*etree.Element, compilation bool) string {
	t := ""
	for _, e := range types {
		word := strings.TrimSpace(e.Text())
		if word != "UserDefined" {
			t = word
			break
		}
		if t == "" {
			t = e.SelectAttrValue("UserDefinedValue", "")
		}
	}
	if t == "SingleResourceRelease" {
		t = "Single"
	}
	if compilation && t == "Album" {
		t = "Compilation"
	}
	return t
}

// inherit clears the track fields equal to the release's, which the
// model means by an empty field ("empty: the release's …"), so a read
// release looks like one written by hand and a round trip is exact.
func inherit(r *Release) {
	for i := range r.Tracks {
		t := &r.Tracks[i]
		if (t.DisplayArtist == "" || t.DisplayArtist == r.DisplayArtist) && (len(t.Artists) == 0 || sameArtists(t.Artists, r.Artists)) {
			t.DisplayArtist = ""
			t.Artists = nil
		}
		if t.ParentalWarning == r.ParentalWarning {
			t.ParentalWarning = ""
		}
		if t.Genre == r.Genre {
			t.Genre = ""
		}
	}
}

func sameArtists(a, b []Artist) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].ISNI != b[i].ISNI || a[i].IPI != b[i].IPI || strings.Join(a[i].Roles, "\x00") != strings.Join(b[i].Roles, "\x00") {
			return false
		}
	}
	return true
}

// purgedRelease reads the release identified by a PurgeReleaseMessage.
func (rd *reader) purgedRelease() *Release {
	r := &Release{}
	pr := rd.root.SelectElement("PurgedRelease")
	if pr == nil {
		return r
	}
	if id := pr.SelectElement("ReleaseId"); id != nil {
		r.GRid = text(id, "GRid")
		r.UPC = text(id, "ICPN")
	}
	if t := pr.SelectElement("Title"); t != nil {
		r.Title = text(t, "TitleText")
		r.VersionTitle = text(t, "SubTitle")
	}
	for _, tag := range []string{"Contributor", "ResourceContributor"} {
		for _, c := range pr.SelectElements(tag) {
			r.Artists = append(r.Artists, rd.inlineParty(c))
		}
	}
	r.DisplayArtist = joinNames(r.Artists)
	return r
}

// inlineParty reads a party written inline (3.8.2 artists, purge
// contributors): name, ISNI and IPI, no roles.
func (rd *reader) inlineParty(e *etree.Element) Artist {
	a := Artist{Name: text(e, "PartyName", "FullName")}
	for _, id := range e.SelectElements("PartyId") {
		if isni := text(id, "ISNI"); isni != "" {
			a.ISNI = isni
		}
		if ipi := text(id, "IpiNameNumber"); ipi != "" {
			a.IPI = ipi
		}
		v := strings.TrimSpace(id.Text())
		switch {
		case v == "":
		case id.SelectAttrValue("IsISNI", "") == "true":
			a.ISNI = v
		case id.SelectAttrValue("Namespace", "") == ipiNamespace:
			a.IPI = v
		}
	}
	return a
}
