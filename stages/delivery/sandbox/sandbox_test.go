package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/ern"
)

func TestSandboxAcknowledgesLikeADSP(t *testing.T) {
	b := startBox(t, "")
	hello := []byte("hello")
	tests := []struct {
		folder            string
		audio             []byte // uploaded; nil: not sent
		hashOf            []byte // what the message's HashSum is of
		status, msgStatus string
	}{
		{"N_ok", hello, hello, ern.StatusIngested, "FileOK"},
		{"N_badhash", []byte("hellO"), hello, ern.StatusError, "SignatureOrHashSumWrongOrMissing"},
		{"N_missing", nil, []byte("other"), ern.StatusError, "ResourceMissing"},
	}
	for _, tt := range tests {
		t.Run(tt.folder, func(t *testing.T) {
			r := testRelease(tt.hashOf)
			id := "MSG-" + tt.folder
			b.deliver(t, tt.folder, tt.audio, messageXML(t, ern.V43, id, ern.NewRelease, r))
			got, _ := b.waitAck(t, id)
			if got.Status != tt.status || got.MessageStatus != tt.msgStatus {
				t.Errorf("status %s / %s, want %s / %s (%s)", got.Status, got.MessageStatus, tt.status, tt.msgStatus, got.ErrorText)
			}
			if got.ReleaseID != testUPC {
				t.Errorf("release id %q, want %s", got.ReleaseID, testUPC)
			}
		})
	}

	// Paths cannot climb out of the sandbox's folder.
	b.client.Put(context.Background(), "../../escape.txt", strings.NewReader("x"), 1)
	for _, p := range []string{filepath.Join(b.dir, "escape.txt"), filepath.Join(filepath.Dir(b.dir), "escape.txt")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("a client wrote outside the sandbox: %s", p)
		}
	}
}

// An unreadable message is refused as invalid, naming the reason.
func TestSandboxRefusesUnreadableMessage(t *testing.T) {
	b := startBox(t, "")
	msg := `<?xml version="1.0"?><ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43">
<MessageHeader><MessageId>MSG-bad</MessageId></MessageHeader></ern:NewReleaseMessage>`
	b.put(t, "N_bad/"+testUPC+".xml", []byte(msg))
	got, _ := b.waitAck(t, "MSG-bad")
	if got.Status != ern.StatusError || got.MessageStatus != "NewReleaseMessageInvalid" || !strings.Contains(got.ErrorText, "cannot be read") {
		t.Errorf("got %+v, want NewReleaseMessageInvalid", got)
	}
}
