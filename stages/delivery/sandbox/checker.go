package sandbox

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/files"
)

// checkMessage reads a delivered message in any ERN version: the header
// and every File element without knowing the schema (each provided
// file's presence and hash is checked), then the release and its deals
// with ern.Read, to apply the message to the sandbox's view of the
// release (see lifecycle.go).
func (s *Server) checkMessage(msg message, now time.Time) checkResult {
	msgPath := msg.path
	res := checkResult{status: ern.AckRelease{
		Status:        ern.StatusIngested,
		MessageStatus: "FileOK",
		MessageType:   "NewReleaseMessage",
	}}
	fail := func(msgStatus, action, text string) checkResult {
		res.status.Status = ern.StatusError
		res.status.MessageStatus = msgStatus
		res.status.ProposedAction = action
		res.status.ErrorText = text
		return res
	}
	data, err := os.ReadFile(msgPath)
	doc := etree.NewDocument()
	if err != nil || doc.ReadFromBytes(data) != nil || doc.Root() == nil {
		return fail("NewReleaseMessageInvalid", "ResendXmlOnly", fmt.Sprintf("%s is not well-formed XML", filepath.Base(msgPath)))
	}
	root := doc.Root()
	res.status.MessageType = root.Tag
	if h := root.SelectElement("MessageHeader"); h != nil {
		res.status.AckedMessageID = childText(h, "MessageId")
		res.sender = ern.Party{DPID: childText(h, "MessageSender/PartyId"), Name: childText(h, "MessageSender/PartyName/FullName")}
	}
	for _, tag := range []string{"GRid", "ICPN"} {
		if e := root.FindElement(".//ReleaseId/" + tag); e != nil {
			res.status.ReleaseID = strings.TrimSpace(e.Text())
			break
		}
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
	m, _, err := ern.Read(bytes.NewReader(data))
	if err != nil {
		return fail("NewReleaseMessageInvalid", "ResendXmlOnly", "the message cannot be read: "+err.Error())
	}
	id := m.Release.GRid
	if id == "" {
		id = m.Release.UPC
	}
	if id == "" {
		return fail("IdentifierInvalid", "ResendXmlOnly", "the message names no release (no GRid or ICPN in its ReleaseId)")
	}
	res.status.ReleaseID = id
	prev, known, err := loadState(s.dir, id)
	if err != nil {
		s.log.Error("sandbox: read release state", "release", id, "err", err)
		return fail("InternalError", "ResendXmlOnly", "the sandbox could not read its state of release "+id)
	}
	if _, _, err := transition(prev, known, m, nil, now); err != nil {
		res.status.Status = "ReleaseNotAvailable"
		res.status.ProposedAction = "DoNotResendRelease"
		res.status.ErrorText = err.Error()
		res.status.Information = m.Kind.String() + ": refused"
		return res
	}
	var hashes []string
	if m.Kind != ern.Takedown && m.Kind != ern.Purge {
		// A takedown or purge delivers no files, whatever it describes.
		var bad *fileProblem
		if hashes, bad = checkFiles(root, filepath.Dir(msgPath), prev.Hashes); bad != nil {
			res.status.Information = bad.file
			return fail(bad.status, bad.action, bad.text)
		}
	}
	action, next, err := transition(prev, known, m, hashes, now)
	if err != nil {
		return fail("InternalError", "ResendXmlOnly", err.Error()) // refused above already
	}
	if err := saveState(s.dir, next); err != nil {
		s.log.Error("sandbox: write release state", "release", id, "err", err)
		return fail("InternalError", "ResendXmlOnly", "the sandbox could not record release "+id)
	}
	res.status.Information = fmt.Sprintf("%s: release %s is %s", action, id, describe(next))
	return res
}

// fileProblem is why a delivered file was not accepted.
type fileProblem struct {
	file, status, action, text string
}

// checkFiles checks every File element of a message whose file is
// provided: present under base and matching its HashSum. A missing file
// whose hash the sandbox already holds for the release (held) is
// accepted, as a DSP accepts a reference to a file it has. It returns the
// (lower-case) hashes of the files received.
func checkFiles(root *etree.Element, base string, held []string) ([]string, *fileProblem) {
	var hashes []string
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
			return nil, &fileProblem{"", "NewReleaseMessageInvalid", "ResendXmlOnly", "a File element has no usable URI or FileName"}
		}
		p := filepath.Join(base, filepath.FromSlash(rel))
		algo, want := childText(f, "HashSum/Algorithm"), childText(f, "HashSum/HashSumValue")
		if want == "" {
			algo, want = childText(f, "HashSum/HashSumAlgorithmType"), childText(f, "HashSum/HashSum")
		}
		want = strings.ToLower(want)
		got, err := fileHash(p, algo)
		if err != nil {
			if want != "" && containsFold(held, want) {
				continue
			}
			return nil, &fileProblem{rel, "ResourceMissing", "ResendXmlAndResources", fmt.Sprintf("resource %s was not received", rel)}
		}
		if want != "" && !strings.EqualFold(got, want) {
			return nil, &fileProblem{rel, "SignatureOrHashSumWrongOrMissing", "ResendXmlAndResources",
				fmt.Sprintf("resource %s: hash sum does not match the file received", rel)}
		}
		hashes = append(hashes, strings.ToLower(got))
	}
	return hashes, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
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

type checkResult struct {
	sender ern.Party
	status ern.AckRelease
}

// acknowledge checks one message, writes its acknowledgement atomically
// into acknowledgements/ and records it in the index.
func (s *Server) acknowledge(msg message, folder string, st stamp, folderMTime int64) {
	now := time.Now().UTC()
	res := s.checkMessage(msg, now)
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
	if err := s.writeAck(name, buf.Bytes()); err != nil {
		s.log.Error("sandbox: write acknowledgement", "err", err)
		return
	}
	rel, _ := filepath.Rel(s.Received, msg.path)
	if err := s.index.record(journalLine{Msg: filepath.ToSlash(rel), Folder: folder, Size: st.Size, MTime: st.MTime,
		FolderMTime: folderMTime, Ack: name}); err != nil {
		s.log.Error("sandbox: record acknowledgement", "err", err)
	}
	s.log.Info("sandbox: acknowledged", "message", id, "status", res.status.Status,
		"information", res.status.Information, "error_text", res.status.ErrorText)
}

// writeAck stores an acknowledgement so that the ack folder never holds
// a partial or temporary file, as a DSP's should not: it is written and
// flushed beside received/ (the same filesystem), then renamed in.
func (s *Server) writeAck(name string, data []byte) error {
	f, err := os.CreateTemp(s.dir, ".ack-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after the rename, a no-op
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	dir := filepath.Join(s.Received, AckDir)
	if err := os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	return files.SyncDir(dir)
}
