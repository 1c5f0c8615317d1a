package ern

import (
	"testing"

	"github.com/ferrydelivery/ferry/ern/erntest"
)

// TestWriteValidates writes every fixture in every version and validates
// it against the version's official XSD with xmllint (one xmllint run per
// version; a failure names the fixture).
func TestWriteValidates(t *testing.T) {
	for _, v := range Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			docs := map[string][]byte{}
			for _, fx := range fixtures() {
				doc, err := Marshal(v, fx.msg)
				if err != nil {
					t.Fatalf("%s: %v", fx.name, err)
				}
				docs[fx.name] = doc
			}
			erntest.ValidateAll(t, erntest.Schema(t, v.Dir()), docs)
		})
	}
}

// TestMinimalReleaseValidates writes a release without any optional
// value (no label, genre, parental warning, language, deals, cover,
// files) in every version: the defaults must keep it schema-valid.
func TestMinimalReleaseValidates(t *testing.T) {
	for _, v := range Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			docs := map[string][]byte{}
			for _, k := range []Kind{NewRelease, Update, Takedown, Purge} {
				m := minimal()
				m.Kind = k
				doc, err := Marshal(v, m)
				if err != nil {
					t.Fatal(err)
				}
				docs["minimal-"+k.String()] = doc
			}
			erntest.ValidateAll(t, erntest.Schema(t, v.Dir()), docs)
		})
	}
}
