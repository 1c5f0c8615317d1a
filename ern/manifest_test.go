package ern

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern/erntest"
)

// batchManifest is a complete manifest of n releases, every optional
// element the model knows filled in somewhere.
func batchManifest(n int) *Manifest {
	m := &Manifest{
		Sender:        Party{DPID: "PADPIDA3897722461G", Name: "Ferry Records"},
		Recipient:     Party{DPID: "PADPIDA2014122301Q", Name: "Sandbox DSP"},
		Created:       time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
		RootDirectory: "N_20261121100000123",
		ProductType:   "AudioProduct",
	}
	hashes := []struct{ alg, value string }{
		{"MD5", "0123456789abcdef0123456789abcdef"},
		{"SHA1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"SHA-256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	}
	deliveries := []string{DeliveryNewRelease, DeliveryRedelivery, DeliveryTakedown}
	for i := range n {
		upc := fmt.Sprintf("590123412345%d", i)
		msg := BatchMessage{
			MessageType:   "NewReleaseMessage",
			MessageID:     "MSG-" + upc + "-20261121100000",
			URL:           upc + "/" + upc + ".xml",
			Releases:      []ReleaseRef{{ICPN: upc}},
			DeliveryType:  deliveries[i%len(deliveries)],
			HashAlgorithm: hashes[i%len(hashes)].alg,
			Hash:          hashes[i%len(hashes)].value,
		}
		if i == 1 {
			msg.Releases[0].GRid = "A10302B0001234567N"
		}
		m.Messages = append(m.Messages, msg)
	}
	return m
}

func marshalManifest(t *testing.T, m *Manifest) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteManifest(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestManifestValidatesAndRoundTrips writes batches of 1 and 3 releases,
// validates them against the choreography 1.8 XSD and reads them back into
// the same model.
func TestManifestValidatesAndRoundTrips(t *testing.T) {
	tests := []struct {
		name     string
		manifest *Manifest
	}{
		{"one release", batchManifest(1)},
		{"three releases", batchManifest(3)},
		{"test batch without hashes or names", func() *Manifest {
			m := batchManifest(2)
			m.Test = true
			m.Sender.Name, m.Recipient.Name = "", ""
			for i := range m.Messages {
				m.Messages[i].Hash, m.Messages[i].HashAlgorithm = "", ""
			}
			return m
		}()},
	}
	docs := map[string][]byte{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := marshalManifest(t, tt.manifest)
			docs[tt.name] = out
			back, err := ReadManifest(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("read back: %v\n%s", err, out)
			}
			if !reflect.DeepEqual(back, tt.manifest) {
				t.Errorf("round trip:\n got %+v\nwant %+v", back, tt.manifest)
			}
		})
	}
	erntest.ValidateAll(t, erntest.ChoreographySchema(t), docs)
}

// TestWriteManifestDefaults leaves MessageType and ProductType empty: the
// writer fills in the only values ferry sends and does not touch the
// caller's manifest.
func TestWriteManifestDefaults(t *testing.T) {
	m := batchManifest(2)
	m.ProductType = ""
	m.Messages[0].MessageType = ""
	out := marshalManifest(t, m)
	erntest.Validate(t, erntest.ChoreographySchema(t), out)
	if m.ProductType != "" || m.Messages[0].MessageType != "" {
		t.Error("WriteManifest changed the caller's manifest")
	}
	back, err := ReadManifest(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if back.ProductType != "AudioProduct" || back.Messages[0].MessageType != "NewReleaseMessage" {
		t.Errorf("defaults: product %q, message type %q", back.ProductType, back.Messages[0].MessageType)
	}
}

// TestManifestGolden pins the exact bytes of a three-release manifest, and
// wants the same bytes when written again from a copy.
func TestManifestGolden(t *testing.T) {
	m := batchManifest(3)
	got := marshalManifest(t, m)

	cp := *m
	cp.Messages = append([]BatchMessage(nil), m.Messages...)
	for i := range cp.Messages {
		cp.Messages[i].Releases = append([]ReleaseRef(nil), m.Messages[i].Releases...)
	}
	cp.Created = m.Created.In(time.FixedZone("CET", 3600)) // same instant, other zone
	if again := marshalManifest(t, &cp); !bytes.Equal(got, again) {
		t.Fatalf("second write differs:\n%s", firstDifference(got, again))
	}

	checkGolden(t, filepath.Join("testdata", "golden", "manifest", "batch-3.xml"), got)
}

// TestWriteManifestRejectsIncomplete: a manifest missing what the schema
// requires, or pointing outside the batch, is an error naming the gap, and
// nothing is written.
func TestWriteManifestRejectsIncomplete(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m *Manifest)
		want   string
	}{
		{"no sender", func(m *Manifest) { m.Sender.DPID = "" }, "sender"},
		{"no recipient", func(m *Manifest) { m.Recipient.DPID = "" }, "recipient"},
		{"no time", func(m *Manifest) { m.Created = time.Time{} }, "creation time"},
		{"no root directory", func(m *Manifest) { m.RootDirectory = "" }, "RootDirectory"},
		{"no messages", func(m *Manifest) { m.Messages = nil }, "MessageInBatch"},
		{"no message id", func(m *Manifest) { m.Messages[1].MessageID = "" }, "message 2 (): no MessageId"},
		{"no url", func(m *Manifest) { m.Messages[0].URL = "" }, "no URL"},
		{"url outside batch", func(m *Manifest) { m.Messages[0].URL = "../other/x.xml" }, "not a path inside"},
		{"absolute url", func(m *Manifest) { m.Messages[0].URL = "/etc/x.xml" }, "not a path inside"},
		{"no release", func(m *Manifest) { m.Messages[0].Releases = nil }, "IncludedReleaseId"},
		{"empty release id", func(m *Manifest) { m.Messages[0].Releases = []ReleaseRef{{}} }, "neither GRid nor ICPN"},
		{"no delivery type", func(m *Manifest) { m.Messages[0].DeliveryType = "" }, "DeliveryType"},
		{"hash without algorithm", func(m *Manifest) { m.Messages[0].HashAlgorithm = "" }, "HashSum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := batchManifest(2)
			tt.mutate(m)
			var buf bytes.Buffer
			err := WriteManifest(&buf, m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

// TestReadManifestMalformed feeds broken manifests: each is an error, not
// a panic and not a half-read manifest.
func TestReadManifestMalformed(t *testing.T) {
	valid := string(marshalManifest(t, batchManifest(2)))
	edit := func(old, new string) string {
		if !strings.Contains(valid, old) {
			t.Fatalf("test setup: %q not in the manifest", old)
		}
		return strings.Replace(valid, old, new, 1)
	}
	editLast := func(old, new string) string {
		i := strings.LastIndex(valid, old)
		if i < 0 || i == strings.Index(valid, old) {
			t.Fatalf("test setup: %q not twice in the manifest", old)
		}
		return valid[:i] + new + valid[i+len(old):]
	}
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty"},
		{"not xml", "not xml", "manifest"},
		{"unclosed", "<ManifestMessage>", "well-formed"},
		{"binary", "\x00\x01\x02", "manifest"},
		{"acknowledgement", `<AcknowledgementMessage AvsVersionId="9"/>`, "root element is AcknowledgementMessage"},
		{"bare root", "<ManifestMessage/>", "MessageHeader"},
		{"count too high", edit("<NumberOfMessages>2<", "<NumberOfMessages>3<"), "NumberOfMessages is 3 but it lists 2"},
		{"count not a number", edit("<NumberOfMessages>2<", "<NumberOfMessages>two<"), "NumberOfMessages"},
		{"bad test flag", edit("<IsTestFlag>false<", "<IsTestFlag>no<"), "IsTestFlag"},
		{"bad date", edit("2026-11-21T10:00:00Z", "yesterday"), "MessageCreatedDateTime"},
		{"url escapes batch", edit("<URL>5901234123450/", "<URL>../../"), "not a path inside"},
		{"mixed products", editLast("<ProductType>AudioProduct<", "<ProductType>VideoProduct<"), "mixes product types"},
		{"no release id", edit("<ICPN>5901234123450</ICPN>", ""), "neither GRid nor ICPN"},
		{"no sender id", edit("<PartyId>PADPIDA3897722461G</PartyId>", ""), "sender"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ReadManifest(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
			if m != nil {
				t.Errorf("returned a manifest with the error: %+v", m)
			}
		})
	}
}

// TestReadManifestZonelessTime reads an xs:dateTime without a zone as UTC.
func TestReadManifestZonelessTime(t *testing.T) {
	in := strings.Replace(string(marshalManifest(t, batchManifest(1))), "10:00:00Z", "10:00:00", 1)
	m, err := ReadManifest(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC); !m.Created.Equal(want) {
		t.Errorf("created %v, want %v", m.Created, want)
	}
}

// FuzzReadManifest: any input gives a manifest or an error, never a panic;
// a manifest that reads writes again and reads back the same.
func FuzzReadManifest(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteManifest(&buf, batchManifest(3)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("<ManifestMessage/>"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := ReadManifest(bytes.NewReader(in))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteManifest(&out, m); err != nil {
			t.Fatalf("a manifest that reads does not write: %v", err)
		}
		back, err := ReadManifest(&out)
		if err != nil {
			t.Fatalf("written manifest does not read: %v\n%s", err, out.Bytes())
		}
		m.Created = m.Created.UTC().Truncate(time.Second)
		if !reflect.DeepEqual(back, m) {
			t.Errorf("second round trip:\n got %+v\nwant %+v", back, m)
		}
	})
}

func TestManifestFileName(t *testing.T) {
	if got := ManifestFileName("20261121100000123"); got != "BatchComplete_20261121100000123.xml" {
		t.Errorf("got %s", got)
	}
}

func TestReleaseRefID(t *testing.T) {
	tests := []struct {
		ref  ReleaseRef
		want string
	}{
		{ReleaseRef{ICPN: "5901234123457"}, "5901234123457"},
		{ReleaseRef{GRid: "A10302B0001234567N", ICPN: "5901234123457"}, "A10302B0001234567N"},
		{ReleaseRef{}, ""},
	}
	for _, tt := range tests {
		if got := tt.ref.ID(); got != tt.want {
			t.Errorf("%+v.ID() = %q, want %q", tt.ref, got, tt.want)
		}
	}
}
