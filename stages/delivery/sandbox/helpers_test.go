package sandbox

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp"
)

const testUPC = "5901234123457"

// box is a sandbox started for a test, with a real SFTP client logged in.
type box struct {
	*Server
	dir    string
	client *sftp.Client
	logs   *syncBuffer
	stop   func()
}

// syncBuffer collects the sandbox's log lines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startBox starts a sandbox in dir (a new one when empty) checking every
// 20 ms, and connects to it.
func startBox(t testing.TB, dir string) *box {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	s, err := Start(ctx, Options{Dir: dir, Identity: ern.Party{DPID: "PADPIDA2014122301Q", Name: "sandbox"},
		CheckEvery: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c, err := sftp.New(sftp.Options{Host: "127.0.0.1", Port: s.Port, User: User, KeyFile: s.ClientKey, KnownHosts: s.KnownHosts})
	if err != nil {
		cancel()
		s.Wait()
		t.Fatal(err)
	}
	b := &box{Server: s, dir: dir, client: c, logs: logs}
	var once sync.Once
	b.stop = func() { once.Do(func() { c.Close(); cancel(); s.Wait() }) }
	t.Cleanup(b.stop)
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// testRelease is a one-track release whose audio file is audio, on sale
// in the given territories.
func testRelease(audio []byte, territories ...string) *ern.Release {
	if len(territories) == 0 {
		territories = []string{"Worldwide"}
	}
	name := testUPC + "_01_01.wav"
	return &ern.Release{
		UPC: testUPC, Title: "Harbour Lights", DisplayArtist: "Aurora Vale",
		Artists: []ern.Artist{{Name: "Aurora Vale", Roles: []string{"MainArtist"}}},
		Label:   "Example Records", ReleaseDate: "2025-04-04", Genre: "Pop",
		ParentalWarning: "NotExplicit", Type: "Single", Language: "en",
		PLine: ern.Line{Year: 2025, Text: "(P) 2025 Example Records"},
		CLine: ern.Line{Year: 2025, Text: "(C) 2025 Example Records"},
		Tracks: []ern.Track{{
			ISRC: "GBEXA2500001", Title: "Harbour Lights", Disc: 1, Number: 1, Duration: 3 * time.Minute,
			Audio: ern.Audio{File: ern.File{Name: name, Path: "resources/", Size: int64(len(audio)),
				HashAlgorithm: "MD5", Hash: md5hex(audio), Provided: true},
				Codec: "WAV", SampleRate: 44100, BitsPerSample: 16, Channels: 2},
		}},
		Deals: []ern.Deal{{Territories: territories, CommercialModel: "SubscriptionModel",
			UseTypes: []string{"OnDemandStream"}, StartDate: "2025-04-04"}},
	}
}

// messageXML writes m in version v.
func messageXML(t testing.TB, v ern.Version, id string, kind ern.Kind, r *ern.Release) []byte {
	t.Helper()
	m := &ern.Message{Header: ern.Header{MessageID: id, Sender: ern.Party{DPID: "PADPIDA3897722461G", Name: "Example Records"},
		Recipient: ern.Party{DPID: "PADPIDA2014122301Q", Name: "sandbox"}, Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		Kind: kind, Release: r}
	data, err := ern.Marshal(v, m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// put uploads data to p through the SFTP client.
func (b *box) put(t testing.TB, p string, data []byte) {
	t.Helper()
	if err := b.client.Put(context.Background(), p, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("put %s: %v", p, err)
	}
}

// deliver sends one message release by release into folder: the audio
// file first (unless nil), then the message.
func (b *box) deliver(t testing.TB, folder string, audio, msg []byte) {
	t.Helper()
	if audio != nil {
		b.put(t, folder+"/resources/"+testUPC+"_01_01.wav", audio)
	}
	b.put(t, folder+"/"+testUPC+".xml", msg)
}

// waitAck polls the acknowledgement folder over SFTP until the
// acknowledgement of messageID is there, and returns it with its bytes.
func (b *box) waitAck(t testing.TB, messageID string) (ern.AckRelease, []byte) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		files, err := b.client.List(ctx, AckDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if !strings.HasPrefix(f.Name, "ACK_"+messageID+"_") {
				continue
			}
			rc, err := b.client.Open(ctx, AckDir+"/"+f.Name)
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			a, err := ern.ReadAck(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("acknowledgement %s: %v", f.Name, err)
			}
			r, ok := a.Find("", messageID)
			if !ok {
				t.Fatalf("acknowledgement %s does not name message %s", f.Name, messageID)
			}
			return r, data
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no acknowledgement of %s within 10s", messageID)
	return ern.AckRelease{}, nil
}

var _ delivery.Transport = (*sftp.Client)(nil)
