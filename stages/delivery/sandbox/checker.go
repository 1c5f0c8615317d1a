package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/digest"
)

// checkLoop looks for complete deliveries every interval and acknowledges
// each once. A delivery is complete when its message XML is present under
// its final name (ferry uploads it after the resources) or, for a batch,
// when BatchComplete_*.xml is.
func (s *Server) checkLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		s.checkAll()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Server) checkAll() {
	entries, err := os.ReadDir(s.Received)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "acknowledgements" || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		folder := filepath.Join(s.Received, e.Name())
		for _, msg := range completeMessages(folder) {
			if !acknowledged(msg.path) {
				s.acknowledge(msg)
			}
		}
	}
}

// ackMarker records, beside a message, that it was acknowledged.
func ackMarker(msg string) string {
	return filepath.Join(filepath.Dir(msg), "."+filepath.Base(msg)+".acknowledged")
}

// acknowledged reports whether msg was acknowledged since it last
// changed: a message uploaded again (a retry into the same folder) is
// checked again.
func acknowledged(msg string) bool {
	m, err := os.Stat(ackMarker(msg))
	if err != nil {
		return false
	}
	f, err := os.Stat(msg)
	return err == nil && !f.ModTime().After(m.ModTime())
}

// completeMessages returns the message files ready to be checked in one
// delivery folder, each with the hash its batch manifest gives it (zero
// for release-by-release deliveries). A batch is ready once its
// BatchComplete manifest is there; the messages are the ones it lists.
func completeMessages(folder string) []message {
	manifests, _ := filepath.Glob(filepath.Join(folder, "BatchComplete_*.xml"))
	if len(manifests) > 0 {
		return batchMessages(manifests[0])
	}
	if isBatchName(filepath.Base(folder)) {
		return nil // a batch without its manifest yet
	}
	paths, _ := filepath.Glob(filepath.Join(folder, "*.xml"))
	msgs := make([]message, len(paths))
	for i, p := range paths {
		msgs[i] = message{path: p}
	}
	return msgs
}

// message is a delivered message file and, in a batch, what the manifest
// says of it.
type message struct {
	path          string
	algorithm     string
	hash          string
	manifestError string
}

// batchMessages reads a batch manifest. An unreadable manifest is
// reported against every message file of the batch.
func batchMessages(manifest string) []message {
	root := filepath.Dir(manifest)
	f, err := os.Open(manifest)
	if err != nil {
		return nil
	}
	defer f.Close()
	m, err := ern.ReadManifest(f)
	if err != nil {
		paths, _ := filepath.Glob(filepath.Join(root, "*", "*.xml"))
		var msgs []message
		for _, p := range paths {
			msgs = append(msgs, message{path: p, manifestError: "the batch manifest is invalid: " + err.Error()})
		}
		return msgs
	}
	var msgs []message
	for _, bm := range m.Messages {
		msgs = append(msgs, message{path: filepath.Join(root, filepath.FromSlash(bm.URL)), algorithm: bm.HashAlgorithm, hash: bm.Hash})
	}
	return msgs
}

// isBatchName tells <P|M|N>_<17 digits> batch folders from release folders
// (<P|N|L>_<ReleaseId>_<timestamp>).
func isBatchName(name string) bool {
	parts := strings.Split(name, "_")
	return len(parts) == 2 && len(parts[1]) == 17
}

// acknowledge checks one message and writes its acknowledgement.
func (s *Server) acknowledge(msg message) {
	msgPath := msg.path
	res := checkMessage(msg)
	now := time.Now().UTC()
	stamp := now.Format("20060102150405") + fmt.Sprintf("%03d", now.Nanosecond()/1e6)
	ack := &ern.Ack{
		MessageID: "SANDBOX-ACK-" + stamp,
		Sender:    s.identity,
		Recipient: res.sender,
		Created:   now,
		Releases:  []ern.AckRelease{res.status},
	}
	var buf bytes.Buffer
	if err := ern.WriteAck(&buf, ack); err != nil {
		s.log.Error("sandbox: write acknowledgement", "err", err)
		return
	}
	id := res.status.AckedMessageID
	if id == "" {
		id = "UNKNOWN"
	}
	name := fmt.Sprintf("ACK_%s_%s.xml", id, stamp)
	ackDir := filepath.Join(s.Received, "acknowledgements")
	tmp := filepath.Join(ackDir, "."+name+".tmp")
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		s.log.Error("sandbox: write acknowledgement", "err", err)
		return
	}
	if err := os.Rename(tmp, filepath.Join(ackDir, name)); err != nil {
		s.log.Error("sandbox: write acknowledgement", "err", err)
		return
	}
	os.WriteFile(ackMarker(msgPath), []byte(name+"\n"), 0o644)
	s.log.Info("sandbox: acknowledged", "message", id, "status", res.status.Status, "error_text", res.status.ErrorText)
}

type checkResult struct {
	sender ern.Party
	status ern.AckRelease
}

// checkMessage reads a delivered message in any ERN version without
// knowing its schema: it looks for the header, the release id and every
// File element, and checks each provided file's presence and hash.
func checkMessage(msg message) checkResult {
	msgPath := msg.path
	res := checkResult{status: ern.AckRelease{
		Status:         ern.StatusIngested,
		MessageStatus:  "FileOK",
		MessageType:    "NewReleaseMessage",
		AckedMessageID: "",
	}}
	fail := func(msgStatus, action, text string) checkResult {
		res.status.Status = ern.StatusError
		res.status.MessageStatus = msgStatus
		res.status.ProposedAction = action
		res.status.ErrorText = text
		return res
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromFile(msgPath); err != nil || doc.Root() == nil {
		return fail("NewReleaseMessageInvalid", "ResendXmlOnly", fmt.Sprintf("%s is not well-formed XML", filepath.Base(msgPath)))
	}
	root := doc.Root()
	res.status.MessageType = root.Tag
	if h := root.SelectElement("MessageHeader"); h != nil {
		res.status.AckedMessageID = childText(h, "MessageId")
		res.sender = ern.Party{DPID: childText(h, "MessageSender/PartyId"), Name: childText(h, "MessageSender/PartyName/FullName")}
	}
	if res.status.AckedMessageID == "" {
		return fail("NewReleaseMessageInvalid", "ResendXmlOnly", "the message has no MessageHeader/MessageId")
	}
	if msg.manifestError != "" {
		return fail("NewReleaseMessageInvalid", "ResendXmlOnly", msg.manifestError)
	}
	if msg.hash != "" {
		if got, err := fileHash(msgPath, msg.algorithm); err != nil || !strings.EqualFold(got, msg.hash) {
			return fail("SignatureOrHashSumWrongOrMissing", "ResendXmlOnly",
				fmt.Sprintf("%s does not match the hash in the batch manifest", filepath.Base(msgPath)))
		}
	}
	for _, tag := range []string{"GRid", "ICPN"} {
		if e := root.FindElement(".//ReleaseList/Release/ReleaseId/" + tag); e != nil {
			res.status.ReleaseID = strings.TrimSpace(e.Text())
			break
		}
	}
	base := filepath.Dir(msgPath)
	for _, f := range root.FindElements(".//File") {
		if notProvided(f) {
			continue
		}
		rel := childText(f, "URI")
		if rel == "" {
			rel = strings.TrimSuffix(childText(f, "FilePath"), "/") + "/" + childText(f, "FileName")
			rel = strings.TrimPrefix(rel, "/")
		}
		if rel == "" || strings.Contains(rel, "..") {
			return fail("NewReleaseMessageInvalid", "ResendXmlOnly", "a File element has no usable URI or FileName")
		}
		p := filepath.Join(base, filepath.FromSlash(rel))
		algo, want := childText(f, "HashSum/Algorithm"), childText(f, "HashSum/HashSumValue")
		if want == "" {
			algo, want = childText(f, "HashSum/HashSumAlgorithmType"), childText(f, "HashSum/HashSum")
		}
		got, err := fileHash(p, algo)
		if err != nil {
			res.status.Information = rel
			return fail("ResourceMissing", "ResendXmlAndResources", fmt.Sprintf("resource %s was not received", rel))
		}
		if want != "" && !strings.EqualFold(got, want) {
			res.status.Information = rel
			return fail("SignatureOrHashSumWrongOrMissing", "ResendXmlAndResources",
				fmt.Sprintf("resource %s: hash sum does not match the file received", rel))
		}
	}
	return res
}

// notProvided reports whether an IsProvidedInDelivery=false sibling or
// near ancestor's child marks the file as not sent in this delivery.
func notProvided(f *etree.Element) bool {
	for e := f; e != nil; e = e.Parent() {
		if c := e.SelectElement("IsProvidedInDelivery"); c != nil {
			return strings.TrimSpace(c.Text()) == "false"
		}
	}
	return false
}

func childText(e *etree.Element, path string) string {
	if c := e.FindElement(path); c != nil {
		return strings.TrimSpace(c.Text())
	}
	return ""
}

// fileHash is the HashSum of the file at path in a DDEX algorithm as the
// message names it.
func fileHash(path, algorithm string) (string, error) {
	switch algorithm {
	case "", "MD5":
		algorithm = digest.MD5
	case "SHA", "SHA1":
		algorithm = digest.SHA1 // ERN 3.8.2 also says SHA
	}
	s, err := digest.File(path, algorithm)
	return s.HashSum, err
}
