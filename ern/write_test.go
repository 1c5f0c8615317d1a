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
