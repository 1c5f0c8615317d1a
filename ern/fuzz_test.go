package ern

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// maxFuzzInput bounds what the fuzzers feed: real messages are under a
// megabyte, and the reader's memory grows with its input.
const maxFuzzInput = 1 << 20

// ddexFiles returns the official sample files matching pattern under the
// DDEX folder (DDEX_DIR, else ../shared/ddex from the repository), none
// when it is missing: the fuzzers then start from ferry's own messages.
// The samples are read at test time, never copied into the repository.
func ddexFiles(pattern string) [][]byte {
	dir := os.Getenv("DDEX_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "ddex")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "samples", pattern))
	var out [][]byte
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// FuzzReadERN feeds mutations of the official samples and of ferry's
// own messages to the reader. Whatever the input: no panic, an answer
// (message or error) in bounded time and memory, and a message that
// reads writes back in its version and reads again; from then on a
// round trip changes nothing (the first write may fill in what the
// schema requires and the input lacked: a genre, a parental warning; the
// samples and the shaped messages of real_test.go are exact from the
// start). Notes describe the message read and are not compared.
func FuzzReadERN(f *testing.F) {
	for _, b := range ddexFiles(filepath.Join("ern", "*", "*.xml")) {
		f.Add(b)
	}
	for _, fx := range fixtures()[:3] {
		for _, v := range []Version{V382, V43} {
			if b, err := Marshal(v, fx.msg); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43"><MessageHeader/><ReleaseList><Release/></ReleaseList><DealList><ReleaseDeal><Deal><DealTerms><TerritoryCode>GB</TerritoryCode></DealTerms></Deal></ReleaseDeal></DealList></ern:NewReleaseMessage>`))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > maxFuzzInput {
			return
		}
		m, v, err := Read(bytes.NewReader(in))
		if err != nil {
			return
		}
		if m.Release == nil {
			t.Fatal("a message without a release read without error")
		}
		out, err := Marshal(v, m)
		if err != nil {
			t.Fatalf("a message that reads does not write: %v", err)
		}
		once, _, err := Read(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("the message written back does not read: %v", err)
		}
		out, err = Marshal(v, once)
		if err != nil {
			t.Fatal(err)
		}
		twice, _, err := Read(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("the message written back twice does not read: %v", err)
		}
		once.Release.Notes, twice.Release.Notes = nil, nil
		if d := diffValues("msg", reflect.ValueOf(once).Elem(), reflect.ValueOf(twice).Elem()); d != "" {
			t.Fatalf("a second round trip through %s changed the model:\n%s", v, d)
		}
	})
}

// FuzzReadAck feeds mutations of the official acknowledgement samples
// and of ferry's own to ReadAck: no panic, and an acknowledgement that
// reads writes again.
func FuzzReadAck(f *testing.F) {
	for _, b := range ddexFiles(filepath.Join("ern-c-sftp", "*.xml")) {
		f.Add(b)
	}
	f.Add([]byte(`<AcknowledgementMessage/>`))
	f.Add([]byte(`<FtpAcknowledgementMessage><MessageHeader/></FtpAcknowledgementMessage>`))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > maxFuzzInput {
			return
		}
		a, err := ReadAck(bytes.NewReader(in))
		if err != nil {
			return
		}
		for _, r := range a.Releases {
			_ = r.Outcome()
		}
		var out bytes.Buffer
		if err := WriteAck(&out, a); err != nil {
			t.Fatalf("an acknowledgement that reads does not write: %v", err)
		}
	})
}
