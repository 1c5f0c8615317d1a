package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp"
	"github.com/ferrydelivery/ferry/stages/record"
)

// deliver uploads a tiny delivery through a real SFTP client: one
// resource and a 4.3 message whose HashSum is hash.
func deliver(t *testing.T, c delivery.Transport, folder, resource, hash string) {
	t.Helper()
	ctx := context.Background()
	if resource != "" {
		if err := c.Put(ctx, folder+"/resources/a.wav", strings.NewReader(resource), int64(len(resource))); err != nil {
			t.Fatal(err)
		}
	}
	msg := `<?xml version="1.0"?><ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43">
<MessageHeader><MessageId>MSG-` + folder + `</MessageId><MessageSender><PartyId>PADPIDA3897722461G</PartyId></MessageSender></MessageHeader>
<ResourceList><SoundRecording><SoundRecordingEdition><TechnicalDetails><DeliveryFile><File>
<URI>resources/a.wav</URI><HashSum><Algorithm>MD5</Algorithm><HashSumValue>` + hash + `</HashSumValue></HashSum>
</File></DeliveryFile></TechnicalDetails></SoundRecordingEdition></SoundRecording></ResourceList>
<ReleaseList><Release><ReleaseId><ICPN>5901234123457</ICPN></ReleaseId></Release></ReleaseList></ern:NewReleaseMessage>`
	if err := c.Put(ctx, folder+"/5901234123457.xml", strings.NewReader(msg), int64(len(msg))); err != nil {
		t.Fatal(err)
	}
}

func TestSandboxAcknowledgesLikeADSP(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	s, err := Start(ctx, Options{Dir: dir, Identity: ern.Party{DPID: "PADPIDA2014122301Q", Name: "sandbox"},
		CheckEvery: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); s.Wait() }()
	c, err := sftp.New(sftp.Options{Host: "127.0.0.1", Port: s.Port, User: User, KeyFile: s.ClientKey, KnownHosts: s.KnownHosts})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	const md5OfHello = "5d41402abc4b2a76b9719d911017c592"
	tests := []struct {
		folder, resource, hash string
		status, msgStatus      string
	}{
		{"N_ok", "hello", md5OfHello, ern.StatusIngested, "FileOK"},
		{"N_badhash", "hellO", md5OfHello, ern.StatusError, "SignatureOrHashSumWrongOrMissing"},
		{"N_missing", "", md5OfHello, ern.StatusError, "ResourceMissing"},
	}
	for _, tt := range tests {
		t.Run(tt.folder, func(t *testing.T) {
			deliver(t, c, tt.folder, tt.resource, tt.hash)
			d := &record.Delivery{MessageID: "MSG-" + tt.folder, ReleaseID: "5901234123457"}
			var res delivery.AckResult
			deadline := time.Now().Add(10 * time.Second)
			for !res.Found {
				if time.Now().After(deadline) {
					t.Fatal("no acknowledgement")
				}
				time.Sleep(50 * time.Millisecond)
				if res, err = delivery.FindAck(context.Background(), c, "acknowledgements", d); err != nil {
					t.Fatal(err)
				}
			}
			if res.Release.Status != tt.status || res.Release.MessageStatus != tt.msgStatus {
				t.Errorf("status %s / %s, want %s / %s (%s)", res.Release.Status, res.Release.MessageStatus,
					tt.status, tt.msgStatus, res.Release.ErrorText)
			}
		})
	}

	// Paths cannot climb out of the sandbox's folder.
	c.Put(context.Background(), "../../escape.txt", strings.NewReader("x"), 1)
	for _, p := range []string{filepath.Join(dir, "escape.txt"), filepath.Join(filepath.Dir(dir), "escape.txt")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("a client wrote outside the sandbox: %s", p)
		}
	}
}
