package ern_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/erntest"
)

func TestReadAckSamples(t *testing.T) {
	tests := []struct {
		file       string
		outcome    ern.AckOutcome
		release    string
		errorText  string
		action     string
		ackedMsgID string
		msgStatus  string
	}{
		{"ack-success.xml", ern.AckAccepted, "", "", "", "", "FileOK"},
		{"ack-error.xml", ern.AckRejected, "5901234123457", "Resource A2: hash sum does not match the file received",
			"ResendXmlAndResources", "MSG-5901234123457-20261121101000", "SignatureOrHashSumWrongOrMissing"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(erntest.Path(t, "samples/ern-c-sftp/"+tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			a, err := ern.ReadAck(f)
			if err != nil {
				t.Fatal(err)
			}
			r := a.Releases[0]
			if r.Outcome() != tt.outcome {
				t.Errorf("outcome of %q = %v, want %v", r.Status, r.Outcome(), tt.outcome)
			}
			if tt.release != "" && r.ReleaseID != tt.release {
				t.Errorf("release id %q, want %q", r.ReleaseID, tt.release)
			}
			if r.ErrorText != tt.errorText || r.ProposedAction != tt.action {
				t.Errorf("error %q / action %q", r.ErrorText, r.ProposedAction)
			}
			if tt.ackedMsgID != "" && r.AckedMessageID != tt.ackedMsgID {
				t.Errorf("acked message %q", r.AckedMessageID)
			}
			if r.MessageStatus != tt.msgStatus {
				t.Errorf("message status %q, want %q", r.MessageStatus, tt.msgStatus)
			}
			if _, ok := a.Find(r.ReleaseID, ""); !ok {
				t.Error("Find by release id failed")
			}
		})
	}
}

func TestWriteAckValidates(t *testing.T) {
	a := &ern.Ack{
		MessageID: "ACK-1", Created: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
		Sender:    ern.Party{DPID: "PADPIDA2014122301Q", Name: "DSP"},
		Recipient: ern.Party{DPID: "PADPIDA3897722461G", Name: "Label"},
		Releases: []ern.AckRelease{{ReleaseID: "5901234123457", Status: ern.StatusError, ErrorText: "hash mismatch",
			ProposedAction: "ResendXmlAndResources", MessageType: "NewReleaseMessage", AckedMessageID: "M1",
			MessageStatus: "SignatureOrHashSumWrongOrMissing", Information: "resources/a.wav"}},
	}
	var buf bytes.Buffer
	if err := ern.WriteAck(&buf, a); err != nil {
		t.Fatal(err)
	}
	erntest.Validate(t, erntest.ChoreographySchema(t), buf.Bytes())
	back, err := ern.ReadAck(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Releases[0]; got != a.Releases[0] {
		t.Errorf("round trip: got %+v\nwant %+v", got, a.Releases[0])
	}
}

func TestReadAckMalformed(t *testing.T) {
	for _, in := range []string{"", "not xml", "<a>", "<NewReleaseMessage/>", "<AcknowledgementMessage/>", "\x00\x01"} {
		if _, err := ern.ReadAck(strings.NewReader(in)); err == nil {
			t.Errorf("ReadAck(%q) gave no error", in)
		}
	}
}

func TestReadLegacyFtpAck(t *testing.T) {
	in := `<FtpAcknowledgementMessage><MessageHeader><MessageId>A</MessageId></MessageHeader>
<AcknowledgedFile><MessageId>M9</MessageId></AcknowledgedFile><FileStatus>FileOK</FileStatus></FtpAcknowledgementMessage>`
	a, err := ern.ReadAck(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Legacy || a.Releases[0].Outcome() != ern.AckAccepted || a.Releases[0].AckedMessageID != "M9" {
		t.Fatalf("%+v", a)
	}
}
