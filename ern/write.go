package ern

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// Write writes the ERN document for m in version v: a NewReleaseMessage
// for a new release, an update or a takedown, a PurgeReleaseMessage for a
// purge. The same message always gives the same bytes.
func Write(w io.Writer, v Version, m *Message) error {
	return WriteWith(w, v, m, Options{})
}

// Options adjusts a message for one recipient beyond what the version
// fixes.
type Options struct {
	// AvsVersionID overrides the AvsVersionId attribute of 4.3 and later,
	// for a DSP that validates against another allowed-value-set version
	// than the one its schema ships with. Empty: the version's own (3 for
	// 4.3, 9 for 4.3.1 and 4.3.2). Ignored before 4.3.
	AvsVersionID string
}

// WriteWith is Write with recipient-specific options.
func WriteWith(w io.Writer, v Version, m *Message, o Options) error {
	doc, err := build(v, m, o)
	if err != nil {
		return err
	}
	if _, err := doc.WriteTo(w); err != nil {
		return fmt.Errorf("write ERN %s message %s: %w", v, m.Header.MessageID, err)
	}
	return nil
}

// Marshal returns the ERN document for m in version v (see Write).
func Marshal(v Version, m *Message) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if err := Write(&buf, v, m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writer builds one message. Element names and order follow each
// version's XSD; version differences are read from f.
type writer struct {
	v       Version
	f       features
	m       *Message
	r       *Release
	parties *parties
}

// build turns m into an etree document for version v.
func build(v Version, m *Message, o Options) (*etree.Document, error) {
	f, ok := featureTable[v]
	if !ok {
		return nil, fmt.Errorf("write ERN: unknown version %q", v)
	}
	if o.AvsVersionID != "" && f.avsVersionID != "" {
		f.avsVersionID = o.AvsVersionID
	}
	if m == nil || m.Release == nil {
		return nil, errors.New("write ERN: message has no release")
	}
	w := &writer{v: v, f: f, m: m, r: m.Release, parties: newParties()}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.WriteSettings.CanonicalAttrVal = true
	if m.Kind == Purge {
		w.purgeMessage(doc)
	} else {
		w.releaseMessage(doc)
	}
	doc.Indent(2)
	return doc, nil
}

// root creates the message root with the attributes its version needs.
func (w *writer) root(doc *etree.Document, name string) *etree.Element {
	root := doc.CreateElement("ern:" + name)
	root.CreateAttr("xmlns:ern", w.v.Namespace())
	root.CreateAttr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
	root.CreateAttr("xsi:schemaLocation", w.v.Namespace()+" http://ddex.net/xml/ern/"+w.v.Dir()+"/release-notification.xsd")
	if w.f.ern3 {
		root.CreateAttr("MessageSchemaVersionId", "ern/"+w.v.Dir())
		root.CreateAttr("LanguageAndScriptCode", w.language())
		return root
	}
	if w.f.avsVersionID != "" {
		root.CreateAttr("AvsVersionId", w.f.avsVersionID)
	}
	root.CreateAttr("LanguageAndScriptCode", w.language())
	return root
}

// releaseMessage writes a NewReleaseMessage (new release, update or
// takedown).
func (w *writer) releaseMessage(doc *etree.Document) {
	root := w.root(doc, "NewReleaseMessage")
	w.header(root)
	if w.f.ern3 {
		w.ern3UpdateIndicator(root)
		w.resourceList(root, w.ern3SoundRecording, w.ern3Image)
		w.ern3Releases(root)
		w.ern3Deals(root)
		return
	}
	w.collectParties()
	w.partyList(root)
	w.resourceList(root, w.soundRecording, w.image)
	w.releaseList(root)
	if w.m.Kind == Takedown {
		w.takedownDealList(root)
	} else {
		w.dealList(root)
	}
}

// purgeMessage writes a PurgeReleaseMessage: the release's identifiers,
// title and display artist, nothing else.
func (w *writer) purgeMessage(doc *etree.Document) {
	root := w.root(doc, "PurgeReleaseMessage")
	w.header(root)
	if w.f.ern3 {
		w.ern3PurgedRelease(root)
		return
	}
	pr := root.CreateElement("PurgedRelease")
	w.releaseID(pr)
	t := pr.CreateElement("Title")
	add(t, "TitleText", w.r.Title)
	addOpt(t, "SubTitle", w.r.VersionTitle)
	for _, a := range w.releaseArtists() {
		c := pr.CreateElement("Contributor")
		pn := c.CreateElement("PartyName")
		add(pn, "FullName", a.Name)
		if id := w.partyID(a); id != nil {
			c.AddChild(id)
		}
	}
}

// header writes the MessageHeader: its elements and their order are the
// same in every version (only 4.x restricts PartyId to a DPID).
func (w *writer) header(root *etree.Element) {
	h := w.m.Header
	mh := root.CreateElement("MessageHeader")
	addOpt(mh, "MessageThreadId", h.ThreadID)
	add(mh, "MessageId", h.MessageID)
	w.messagingParty(mh, "MessageSender", h.Sender)
	w.messagingParty(mh, "MessageRecipient", h.Recipient)
	add(mh, "MessageCreatedDateTime", formatDateTime(h.Created))
	control := "LiveMessage"
	if h.Test {
		control = "TestMessage"
	}
	add(mh, "MessageControlType", control)
}

func (w *writer) messagingParty(mh *etree.Element, tag string, p Party) {
	e := mh.CreateElement(tag)
	add(e, "PartyId", p.DPID)
	if p.Name != "" {
		add(e.CreateElement("PartyName"), "FullName", p.Name)
	}
}

// formatDateTime writes t as xs:dateTime, keeping its zone, to the
// millisecond when it has sub-second precision.
func formatDateTime(t time.Time) string {
	if t.Nanosecond() != 0 {
		return t.Format("2006-01-02T15:04:05.000Z07:00")
	}
	return t.Format(time.RFC3339)
}

// language is the message's LanguageAndScriptCode: the release's, "en"
// by default.
func (w *writer) language() string {
	if w.r.Language != "" {
		return w.r.Language
	}
	return "en"
}

// namespace is the Namespace attribute for proprietary ids and catalogue
// numbers: the sender's DPID, which is who defines them.
func (w *writer) namespace() string {
	if w.m.Header.Sender.DPID != "" {
		return w.m.Header.Sender.DPID
	}
	return "ferry"
}

// add appends <tag>text</tag> to parent.
func add(parent *etree.Element, tag, text string) *etree.Element {
	e := parent.CreateElement(tag)
	e.SetText(text)
	return e
}

// addOpt is add, skipped when text is empty (an optional element).
func addOpt(parent *etree.Element, tag, text string) {
	if text != "" {
		add(parent, tag, text)
	}
}

// displayTitleText is a title as shown to users: "Title (Version)".
func displayTitleText(title, version string) string {
	if version == "" {
		return title
	}
	return title + " (" + version + ")"
}

// joinNames is the display artist string when none was given: names
// joined as DSPs show them.
func joinNames(artists []Artist) string {
	names := make([]string, 0, len(artists))
	for _, a := range artists {
		names = append(names, a.Name)
	}
	return strings.Join(names, ", ")
}
