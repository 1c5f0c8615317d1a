package ern

import (
	"testing"

	"github.com/ferrydelivery/ferry/ern/erntest"
)

// writtenVersions are the versions the writer supports so far.
var writtenVersions = Versions

// TestWriteValidates writes every fixture in every version and validates
// it against the version's official XSD with xmllint.
func TestWriteValidates(t *testing.T) {
	for _, v := range writtenVersions {
		xsd := erntest.Schema(t, v.Dir())
		for _, fx := range fixtures() {
			t.Run(string(v)+"/"+fx.name, func(t *testing.T) {
				t.Parallel()
				doc, err := Marshal(v, fx.msg)
				if err != nil {
					t.Fatal(err)
				}
				erntest.Validate(t, xsd, doc)
			})
		}
	}
}
