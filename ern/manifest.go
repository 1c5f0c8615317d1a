package ern

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"time"

	"github.com/beevik/etree"
)

// manifestVersionID is written as the ManifestMessage's required
// MessageVersionId attribute. The schema types it as a plain string and
// DDEX publishes no fixed value, so ferry names the schema, the way ERN
// 3.8.2 names its own in MessageSchemaVersionId ("ern/382").
const manifestVersionID = "ern-c-sftp/18"

// DeliveryType values (MessageActionType in the choreography AVS): what the
// sender does with one message of a batch.
const (
	DeliveryNewRelease  = "NewReleaseDelivery"
	DeliveryRedelivery  = "ReDelivery"
	DeliveryTakedown    = "TakeDown"
	DeliveryPriority    = "HighPriorityDelivery"
	DeliveryBackCatalog = "BackCatalogDelivery"
)

// Defaults the writer uses for fields left empty: the only message type
// the choreography 1.8 AVS allows in a batch, and the only kind of product
// ferry delivers.
const (
	defaultBatchMessageType = "NewReleaseMessage"
	defaultProductType      = "AudioProduct"
)

// Manifest is a choreography 1.8 ManifestMessage: the file a batch
// delivery ends with (BatchComplete_<BatchId>.xml at the batch root),
// listing every release message in the batch. Its arrival tells the DSP
// that the whole batch is on the server.
type Manifest struct {
	Sender    Party // MessageHeader/MessageSender (PartyId, PartyName/FullName)
	Recipient Party // MessageHeader/MessageRecipient
	Created   time.Time
	Test      bool // IsTestFlag: a test batch, not for publication
	// RootDirectory is the batch folder the message URLs are relative to;
	// ferry writes the folder's name, <P|M|N>_<BatchId>.
	RootDirectory string
	// ProductType is the one kind of product in the batch (AudioProduct,
	// VideoProduct…). The schema repeats it in every MessageInBatch and
	// says a batch holds a single type, so the model keeps one. Written as
	// AudioProduct when empty.
	ProductType string
	Messages    []BatchMessage // MessageInBatch; NumberOfMessages is their count
}

// BatchMessage is one release notification message of a batch
// (MessageInBatch).
type BatchMessage struct {
	MessageType string // NewReleaseMessage, the only value 1.8 allows; written when empty
	MessageID   string // the MessageId inside the message file
	// URL is the message file's path relative to the batch root, slash
	// separated, e.g. "5901234123457/5901234123457.xml".
	URL          string
	Releases     []ReleaseRef // IncludedReleaseId, at least one
	DeliveryType string       // NewReleaseDelivery, ReDelivery, TakeDown…
	// HashAlgorithm (DDEX HashSumAlgorithmType: MD5, SHA1, SHA-256) and
	// Hash (hex) are the message file's HashSum; both empty when none.
	HashAlgorithm string
	Hash          string
}

// ReleaseRef identifies a release in a manifest: a GRid, an ICPN, or
// both.
type ReleaseRef struct {
	GRid string
	ICPN string
}

// ID is the identifier acknowledgements use for the release: the GRid
// when there is one, the ICPN otherwise.
func (r ReleaseRef) ID() string {
	if r.GRid != "" {
		return r.GRid
	}
	return r.ICPN
}

// ManifestFileName is the name of a batch's manifest at the batch root.
func ManifestFileName(batchID string) string {
	return "BatchComplete_" + batchID + ".xml"
}

// WriteManifest writes m as a choreography 1.8 ManifestMessage. The
// output depends on m alone (Created is written in UTC, to the second), so
// the same batch always gives the same bytes. A manifest missing what the
// schema requires is an error, and nothing is written.
func WriteManifest(w io.Writer, m *Manifest) error {
	out := *m
	if out.ProductType == "" {
		out.ProductType = defaultProductType
	}
	out.Messages = make([]BatchMessage, len(m.Messages))
	for i, msg := range m.Messages {
		if msg.MessageType == "" {
			msg.MessageType = defaultBatchMessageType
		}
		out.Messages[i] = msg
	}
	if err := out.check(); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}

	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("ernc:ManifestMessage")
	root.CreateAttr("xmlns:ernc", ChoreographyNamespace)
	root.CreateAttr("MessageVersionId", manifestVersionID)
	root.CreateAttr("AvsVersionId", choreographyAVSVersion)
	h := root.CreateElement("MessageHeader")
	writeManifestParty(h.CreateElement("MessageSender"), out.Sender)
	writeManifestParty(h.CreateElement("MessageRecipient"), out.Recipient)
	h.CreateElement("MessageCreatedDateTime").SetText(out.Created.UTC().Format(time.RFC3339))
	root.CreateElement("IsTestFlag").SetText(strconv.FormatBool(out.Test))
	root.CreateElement("RootDirectory").SetText(out.RootDirectory)
	root.CreateElement("NumberOfMessages").SetText(strconv.Itoa(len(out.Messages)))
	for _, msg := range out.Messages {
		e := root.CreateElement("MessageInBatch")
		e.CreateElement("MessageType").SetText(msg.MessageType)
		e.CreateElement("MessageId").SetText(msg.MessageID)
		e.CreateElement("URL").SetText(msg.URL)
		for _, r := range msg.Releases {
			id := e.CreateElement("IncludedReleaseId")
			if r.GRid != "" {
				id.CreateElement("GRid").SetText(r.GRid)
			}
			if r.ICPN != "" {
				id.CreateElement("ICPN").SetText(r.ICPN)
			}
		}
		e.CreateElement("DeliveryType").SetText(msg.DeliveryType)
		e.CreateElement("ProductType").SetText(out.ProductType)
		if msg.Hash != "" {
			hs := e.CreateElement("HashSum")
			hs.CreateElement("HashSumValue").SetText(msg.Hash)
			hs.CreateElement("HashSumAlgorithmType").SetText(msg.HashAlgorithm)
		}
	}
	doc.Indent(2)
	if _, err := doc.WriteTo(w); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

// ReadManifest parses a choreography 1.8 ManifestMessage, as a DSP does
// to check a batch. It returns an error, never panics, for input that is
// not a manifest, lacks what the schema requires, counts its messages
// wrongly, mixes product types, or points a URL outside the batch folder.
func ReadManifest(r io.Reader) (*Manifest, error) {
	doc := etree.NewDocument()
	if _, err := doc.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("manifest is not well-formed XML: %w", err)
	}
	root := doc.Root()
	if root == nil {
		return nil, errors.New("manifest is empty")
	}
	if root.Tag != "ManifestMessage" {
		return nil, fmt.Errorf("not a manifest: root element is %s", root.Tag)
	}
	m := &Manifest{RootDirectory: ackText(root, "RootDirectory")}
	h := root.SelectElement("MessageHeader")
	if h == nil {
		return nil, errors.New("manifest has no MessageHeader")
	}
	m.Sender = readAckParty(h.SelectElement("MessageSender"))
	m.Recipient = readAckParty(h.SelectElement("MessageRecipient"))
	created, err := parseDateTime(ackText(h, "MessageCreatedDateTime"))
	if err != nil {
		return nil, fmt.Errorf("manifest MessageCreatedDateTime: %w", err)
	}
	m.Created = created
	if m.Test, err = parseXSBool(ackText(root, "IsTestFlag")); err != nil {
		return nil, fmt.Errorf("manifest IsTestFlag: %w", err)
	}
	count, err := strconv.Atoi(ackText(root, "NumberOfMessages"))
	if err != nil {
		return nil, fmt.Errorf("manifest NumberOfMessages: %w", err)
	}
	for i, e := range root.SelectElements("MessageInBatch") {
		msg := BatchMessage{
			MessageType:   ackText(e, "MessageType"),
			MessageID:     ackText(e, "MessageId"),
			URL:           ackText(e, "URL"),
			DeliveryType:  ackText(e, "DeliveryType"),
			HashAlgorithm: ackText(e, "HashSum/HashSumAlgorithmType"),
			Hash:          ackText(e, "HashSum/HashSumValue"),
		}
		for _, id := range e.SelectElements("IncludedReleaseId") {
			msg.Releases = append(msg.Releases, ReleaseRef{GRid: ackText(id, "GRid"), ICPN: ackText(id, "ICPN")})
		}
		product := ackText(e, "ProductType")
		if i == 0 {
			m.ProductType = product
		} else if product != m.ProductType {
			return nil, fmt.Errorf("manifest mixes product types %s and %s", m.ProductType, product)
		}
		m.Messages = append(m.Messages, msg)
	}
	if count != len(m.Messages) {
		return nil, fmt.Errorf("manifest NumberOfMessages is %d but it lists %d", count, len(m.Messages))
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	return m, nil
}

// check reports the first thing the schema requires that m lacks, and
// URLs that would lead outside the batch folder.
func (m *Manifest) check() error {
	switch {
	case m.Sender.DPID == "":
		return errors.New("no sender PartyId")
	case m.Recipient.DPID == "":
		return errors.New("no recipient PartyId")
	case m.Created.IsZero():
		return errors.New("no creation time")
	case m.RootDirectory == "":
		return errors.New("no RootDirectory")
	case m.ProductType == "":
		return errors.New("no ProductType")
	case len(m.Messages) == 0:
		return errors.New("no MessageInBatch")
	}
	for i, msg := range m.Messages {
		if err := msg.check(); err != nil {
			return fmt.Errorf("message %d (%s): %w", i+1, msg.MessageID, err)
		}
	}
	return nil
}

func (b BatchMessage) check() error {
	switch {
	case b.MessageType == "":
		return errors.New("no MessageType")
	case b.MessageID == "":
		return errors.New("no MessageId")
	case b.URL == "":
		return errors.New("no URL")
	case !fs.ValidPath(b.URL):
		return fmt.Errorf("URL %q is not a path inside the batch folder", b.URL)
	case len(b.Releases) == 0:
		return errors.New("no IncludedReleaseId")
	case b.DeliveryType == "":
		return errors.New("no DeliveryType")
	case (b.Hash == "") != (b.HashAlgorithm == ""):
		return errors.New("HashSum needs both a value and an algorithm")
	}
	for _, r := range b.Releases {
		if r.ID() == "" {
			return errors.New("IncludedReleaseId has neither GRid nor ICPN")
		}
	}
	return nil
}

func writeManifestParty(e *etree.Element, p Party) {
	e.CreateElement("PartyId").SetText(p.DPID)
	if p.Name != "" {
		e.CreateElement("PartyName").CreateElement("FullName").SetText(p.Name)
	}
}

// parseXSBool reads an xs:boolean: true, false, 1 or 0.
func parseXSBool(s string) (bool, error) {
	switch s {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not an xs:boolean", s)
}
