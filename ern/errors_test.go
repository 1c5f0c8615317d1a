package ern

import (
	"strings"
	"testing"
)

// TestWriteErrors: what cannot be written is refused with a reason.
func TestWriteErrors(t *testing.T) {
	cases := []struct {
		name string
		v    Version
		m    *Message
		want string
	}{
		{"unknown version", "5.0", fixtureMsg("single"), `unknown version "5.0"`},
		{"no message", V43, nil, "no release"},
		{"no release", V43, &Message{}, "no release"},
	}
	for _, c := range cases {
		_, err := Marshal(c.v, c.m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestReadErrors: what is not an ERN message ferry reads is refused with
// a reason that names the problem.
func TestReadErrors(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"not XML", "hello", "read ERN"},
		{"empty", "", "read ERN"},
		{"no namespace", "<NewReleaseMessage/>", "no namespace"},
		{"other namespace", `<x:NewReleaseMessage xmlns:x="http://ddex.net/xml/ern/37"/>`, "not a supported ERN version"},
		{"ACK", `<x:AcknowledgementMessage xmlns:x="http://ddex.net/xml/ern-c-sftp/18"/>`, "not a supported ERN version"},
		{"no header", `<x:NewReleaseMessage xmlns:x="http://ddex.net/xml/ern/43"/>`, "no MessageHeader"},
		{"other message", `<x:CatalogListMessage xmlns:x="http://ddex.net/xml/ern/382"><MessageHeader/></x:CatalogListMessage>`, "not a NewReleaseMessage"},
		{"no release list", `<x:NewReleaseMessage xmlns:x="http://ddex.net/xml/ern/43"><MessageHeader/></x:NewReleaseMessage>`, "no ReleaseList"},
		{"bad date", `<x:NewReleaseMessage xmlns:x="http://ddex.net/xml/ern/43"><MessageHeader><MessageCreatedDateTime>yesterday</MessageCreatedDateTime></MessageHeader></x:NewReleaseMessage>`, "MessageCreatedDateTime"},
	}
	for _, c := range cases {
		_, _, err := Read(strings.NewReader(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
