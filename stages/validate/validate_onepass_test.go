package validate

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryProblemInOnePass breaks a release five ways at once: a typo'd
// key, a bad UPC, a bad ISRC, a bad territory and a truncated cover. One
// validation reports all five, each on its line of release.toml: an
// unknown key is one problem among the others, not a gate.
func TestEveryProblemInOnePass(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, edits(
		replace(`catalog_number = "EXR-0001"`, `catalog_numbr = "EXR-0001"`),
		replace(`upc = "5901234123457"`, `upc = "5901234123450"`),
		replace(`isrc = "GB-EXR-26-00002"`, `isrc = "GB-EXR-26-0000X"`),
		replace(`territories = ["Worldwide"]`, `territories = ["XZ"]`),
	))
	truncateFile(t, filepath.Join(dir, "cover.jpg"), 0.5)
	_, ps := testValidator(defaultRules).Validate(dir)
	want := []struct {
		rule, where string
		line        int
		phrase      string
	}{
		{ruleReleaseFile, "catalog_numbr", 4, `did you mean "catalog_number"?`},
		{ruleUPC, "upc", 3, "check digit"},
		{ruleISRC, "tracks[2].isrc", 34, "ISRC"},
		{ruleTerritory, "deals[1].territories", 44, "XZ"},
		{ruleArtworkHeader, "cover", 16, ""},
	}
	if got := ps.Errors(); got != len(want) {
		t.Errorf("%d errors, want %d:\n%s", got, len(want), ps.Error())
	}
	for _, w := range want {
		p, ok := findProblem(ps, w.rule, w.where, w.phrase)
		if !ok {
			t.Errorf("no %s problem at %s saying %q; got:\n%s", w.rule, w.where, w.phrase, ps.Error())
			continue
		}
		if p.Line != w.line || !strings.Contains(p.String(), w.where+" (line ") {
			t.Errorf("%s on line %d, want %d: %s", w.where, p.Line, w.line, p)
		}
	}
}
