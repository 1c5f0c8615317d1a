package ern

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// ChoreographyNamespace is the namespace of ERN choreography (SFTP) 1.8
// messages: AcknowledgementMessage and ManifestMessage.
const ChoreographyNamespace = "http://ddex.net/xml/ern-c-sftp/18"

// choreographyAVSVersion is the AvsVersionId of the AVS file the
// choreography 1.8 schema imports.
const choreographyAVSVersion = "9"

// ReleaseStatus values a DSP reports for a release.
const (
	StatusIngested = "SuccessfullyIngestedByReleaseDistributor"
	StatusError    = "ProcessingErrorAtReleaseDistributor"
)

// Ack is a DSP's acknowledgement of one or more delivered messages.
type Ack struct {
	MessageID string // the acknowledgement's own id
	Sender    Party
	Recipient Party
	Created   time.Time
	Releases  []AckRelease
	// Legacy is true for a choreography ≤ 1.6 FtpAcknowledgementMessage.
	Legacy bool
}

// AckRelease is the status of one release in an acknowledgement.
type AckRelease struct {
	ReleaseID      string // ICPN, GRid or proprietary id, as the DSP wrote it
	Status         string // ReleaseStatus (or FileStatus in legacy ACKs)
	ErrorText      string
	ProposedAction string // ResendXmlOnly, ResendXmlAndResources, DoNotResendRelease…
	MessageType    string // of the acknowledged message
	AckedMessageID string // MessageId of the acknowledged message
	MessageStatus  string // FileOK, ResourceMissing, ResourceCorrupt…
	Information    string
}

// AckOutcome is what an acknowledgement means for a delivery.
type AckOutcome int

// Outcomes: the release was taken in, is still being processed, or was
// refused.
const (
	AckAccepted AckOutcome = iota
	AckPending
	AckRejected
)

// Outcome classifies the status. Unknown statuses count as rejections, so
// that a person reads them.
func (r AckRelease) Outcome() AckOutcome {
	switch r.Status {
	case StatusIngested, "ReleaseStagedForPublication", "ReleaseMadeAvailableToConsumers", "FileOK":
		return AckAccepted
	case "ReleaseReceivedByReleaseDistributor", "DeliveredToReleaseDistributor", "InDeliveryToReleaseDistributor",
		"InPreparationForDeliveryToReleaseDistributor", "OrderPlacedForReleaseDistributor":
		return AckPending
	}
	return AckRejected
}

// Find returns the status for the release with the given id, or for the
// acknowledged message id, whichever matches first.
func (a *Ack) Find(releaseID, messageID string) (AckRelease, bool) {
	for _, r := range a.Releases {
		if r.AckedMessageID == messageID && messageID != "" {
			return r, true
		}
	}
	for _, r := range a.Releases {
		if r.ReleaseID == releaseID && releaseID != "" {
			return r, true
		}
	}
	return AckRelease{}, false
}

// ReadAck parses an AcknowledgementMessage (choreography 1.8) or a legacy
// FtpAcknowledgementMessage. Malformed input is an error, never a panic.
func ReadAck(r io.Reader) (*Ack, error) {
	doc := etree.NewDocument()
	if _, err := doc.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("acknowledgement is not well-formed XML: %w", err)
	}
	root := doc.Root()
	if root == nil {
		return nil, errors.New("acknowledgement is empty")
	}
	a := &Ack{}
	if h := root.SelectElement("MessageHeader"); h != nil {
		a.MessageID = ackText(h, "MessageId")
		a.Sender = readAckParty(h.SelectElement("MessageSender"))
		a.Recipient = readAckParty(h.SelectElement("MessageRecipient"))
		if t, err := time.Parse(time.RFC3339, ackText(h, "MessageCreatedDateTime")); err == nil {
			a.Created = t
		}
	}
	switch root.Tag {
	case "AcknowledgementMessage":
		for _, rs := range root.SelectElements("ReleaseStatus") {
			ar := AckRelease{
				ReleaseID:      ackReleaseID(rs.SelectElement("ReleaseId")),
				Status:         ackText(rs, "ReleaseStatus"),
				ErrorText:      ackText(rs, "ErrorText"),
				ProposedAction: ackText(rs, "ProposedActionType"),
			}
			if ack := rs.SelectElement("Acknowledgement"); ack != nil {
				ar.MessageType = ackText(ack, "MessageType")
				ar.AckedMessageID = ackText(ack, "MessageId")
				if ms := ack.SelectElement("MessageStatus"); ms != nil {
					ar.MessageStatus = ackText(ms, "Status")
					ar.Information = ackText(ms, "Information")
				}
			}
			a.Releases = append(a.Releases, ar)
		}
	case "FtpAcknowledgementMessage":
		a.Legacy = true
		ar := AckRelease{
			AckedMessageID: ackFirstText(root, "AcknowledgedFile/MessageId", "MessageId", "FileName"),
			ReleaseID:      ackReleaseID(root.FindElement(".//ReleaseId")),
			Status:         ackFirstText(root, "FileStatus", ".//FileStatus"),
			ErrorText:      ackFirstText(root, "ErrorText", ".//ErrorText"),
		}
		ar.MessageStatus = ar.Status
		a.Releases = append(a.Releases, ar)
	default:
		return nil, fmt.Errorf("not an acknowledgement: root element is %s", root.Tag)
	}
	if len(a.Releases) == 0 {
		return nil, errors.New("acknowledgement names no release")
	}
	return a, nil
}

// WriteAck writes a choreography 1.8 AcknowledgementMessage, as the
// sandbox DSP sends it.
func WriteAck(w io.Writer, a *Ack) error {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("ernc:AcknowledgementMessage")
	root.CreateAttr("xmlns:ernc", ChoreographyNamespace)
	root.CreateAttr("AvsVersionId", choreographyAVSVersion)
	h := root.CreateElement("MessageHeader")
	h.CreateElement("MessageId").SetText(a.MessageID)
	writeAckParty(h.CreateElement("MessageSender"), a.Sender)
	writeAckParty(h.CreateElement("MessageRecipient"), a.Recipient)
	h.CreateElement("MessageCreatedDateTime").SetText(a.Created.UTC().Format(time.RFC3339))
	for _, r := range a.Releases {
		rs := root.CreateElement("ReleaseStatus")
		rs.CreateElement("ReleaseId").CreateElement(releaseIDTag(r.ReleaseID)).SetText(r.ReleaseID)
		rs.CreateElement("ReleaseStatus").SetText(r.Status)
		if r.ErrorText != "" {
			rs.CreateElement("ErrorText").SetText(r.ErrorText)
		}
		if r.ProposedAction != "" {
			rs.CreateElement("ProposedActionType").SetText(r.ProposedAction)
		}
		ack := rs.CreateElement("Acknowledgement")
		ack.CreateElement("MessageType").SetText(r.MessageType)
		ack.CreateElement("MessageId").SetText(r.AckedMessageID)
		ms := ack.CreateElement("MessageStatus")
		ms.CreateElement("Status").SetText(r.MessageStatus)
		if r.Information != "" {
			ms.CreateElement("Information").SetText(r.Information)
		}
	}
	doc.Indent(2)
	_, err := doc.WriteTo(w)
	return err
}

// releaseIDTag picks the identifier element for an id: an 18-character
// GRid starts with A1; anything else numeric is an ICPN.
func releaseIDTag(id string) string {
	if len(id) == 18 && strings.HasPrefix(id, "A1") {
		return "GRid"
	}
	return "ICPN"
}

func readAckParty(e *etree.Element) Party {
	if e == nil {
		return Party{}
	}
	return Party{DPID: ackText(e, "PartyId"), Name: ackText(e, "PartyName/FullName")}
}

func writeAckParty(e *etree.Element, p Party) {
	e.CreateElement("PartyId").SetText(p.DPID)
	e.CreateElement("PartyName").CreateElement("FullName").SetText(p.Name)
}

// ackReleaseID returns the first identifier inside a ReleaseId element.
func ackReleaseID(e *etree.Element) string {
	if e == nil {
		return ""
	}
	for _, tag := range []string{"GRid", "ICPN", "ProprietaryId", "CatalogNumber"} {
		if v := ackText(e, tag); v != "" {
			return v
		}
	}
	return strings.TrimSpace(e.Text())
}

func ackText(e *etree.Element, path string) string {
	if e == nil {
		return ""
	}
	if c := e.FindElement(path); c != nil {
		return strings.TrimSpace(c.Text())
	}
	return ""
}

func ackFirstText(e *etree.Element, paths ...string) string {
	for _, p := range paths {
		if v := ackText(e, p); v != "" {
			return v
		}
	}
	return ""
}
