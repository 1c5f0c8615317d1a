package validate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileValues covers what a hostile or careless release.toml can
// put in its values (issue 12): every case is one problem with its rule,
// field and words.
func TestHostileValues(t *testing.T) {
	cases := []struct {
		name                string
		edit                func(testing.TB, string) string
		rule, where, phrase string
	}{
		{"NUL in a title", replace(`title = "Harbour Lights"`, `title = "Harbour\u0000Lights"`),
			ruleTextControl, "title", "U+0000 (NUL)"},
		{"U+FFFE in a track title", replace(`title = "First Light"`, `title = "First Light\uFFFE"`),
			ruleTextControl, "tracks[1].title", "U+FFFE, which is not a character"},
		{"U+FFFF in a label", replace(`label = "Example Records"`, `label = "Example\uFFFF"`),
			ruleTextControl, "label", "U+FFFF"},
		{"tab in an artist name", replace(`name = "The Example Band"`, `name = "The\tExample Band"`),
			ruleTextControl, "artists[1].name", "U+0009 (a tab)"},
		{"line break in a display artist", replace(`display_artist = "The Example Band"`, `display_artist = """The Example
Band"""`), ruleTextControl, "display_artist", "U+000A (a line break"},
		{"C1 control in a contributor", replace(`name = "Jo Writer"`, `name = "Jo\u0085Writer"`),
			ruleTextControl, "tracks[1].contributors[1].name", "U+0085"},
		{"DEL in a territory", replace(`territories = ["Worldwide"]`, `territories = ["G\u007FB"]`),
			ruleTextControl, "deals[1].territories[1]", "U+007F"},
		{"escape in a role", replace(`roles = ["Composer", "Lyricist"]`, `roles = ["Composer", "Lyricist\u001B"]`),
			ruleTextControl, "tracks[1].contributors[1].roles[2]", "character 9 is the control character U+001B"},
		{"replacement character in a genre", replace(`genre = "Pop"`, `genre = "Pop\uFFFD"`),
			ruleTextControl, "genre", "U+FFFD, the replacement character"},
		{"year 0 in a deal", replace(`start_date = "2026-12-04"`, `start_date = "0000-12-04"`),
			ruleDateYear, "deals[1].start_date", "the year 0000 does not exist"},
		{"year 1899", replace(`release_date = "2026-12-04"`, `release_date = "1899-12-31"`),
			ruleDateYear, "release_date", "before 1900"},
		{"original release in 1876", replace(`original_release_date = "2026-12-04"`, `original_release_date = "1876-01-01"`),
			ruleDateYear, "original_release_date", "no recording was released before 1877"},
		{"duplicate excluded territories", replace(`territories = ["Worldwide"]`, `territories = ["Worldwide"]
excluded_territories = ["FR", "FR"]`), ruleTerritoryDuplicate, "deals[1].excluded_territories", "1 entries repeat"},
		{"label 300 bytes", replace(`label = "Example Records"`, `label = "`+strings.Repeat("é", 150)+`"`),
			ruleTextControl + "-none", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := goodRelease(t)
			editTOML(t, dir, c.edit)
			_, ps := testValidator(defaultRules).Validate(dir)
			if c.where == "" { // must pass: accented letters are dropped from file names
				if len(ps) != 0 {
					t.Fatalf("problems:\n%s", ps.Error())
				}
				return
			}
			// Other rules may see the same value (a tab is also a
			// whitespace warning); this one must be among them.
			if _, ok := findProblem(ps, c.rule, c.where, c.phrase); !ok {
				t.Fatalf("want a %s problem at %s saying %q; got:\n%s", c.rule, c.where, c.phrase, ps.Error())
			}
		})
	}
}

// TestFolderNameLength checks the release folder's name against the
// names the pipeline makes of it: <name>.fanout and <name>@<dsp>.
func TestFolderNameLength(t *testing.T) {
	for _, c := range []struct {
		name   string
		length int
		dsps   []string
		only   []string
		phrase string // "": no problem
	}{
		{"248 bytes", 248, []string{"dsp"}, nil, ""},
		{"249 bytes with .fanout", 249, []string{"dsp"}, nil, `with ".fanout" added for delivery it is 256`},
		{"247 bytes with a long DSP", 247, []string{"spotify-eu"}, nil, `with "@spotify-eu" added for delivery it is 258`},
		{"255 bytes", 255, []string{"dsp"}, nil, "the folder's name is 255 bytes"},
		{"an instance's own name", 255, []string{"dsp"}, []string{"dsp"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := goodRelease(t)
			dir := filepath.Join(filepath.Dir(src), strings.Repeat("n", c.length))
			if err := os.Rename(src, dir); err != nil {
				t.Skipf("the file system refuses a %d-byte name: %v", c.length, err)
			}
			v := testValidator(defaultRules)
			v.DefaultDSPs, v.DSPs = c.dsps, c.dsps
			_, ps := v.ValidateFor(dir, c.only)
			if c.phrase == "" {
				if len(ps) != 0 {
					t.Fatalf("problems:\n%s", ps.Error())
				}
				return
			}
			if _, ok := findProblem(ps, ruleNameLength, ".", c.phrase); !ok || len(ps) != 1 {
				t.Fatalf("want one name-length problem saying %q; got:\n%s", c.phrase, ps.Error())
			}
		})
	}
}

// TestDuplicateTerritoriesCollapsed lists one territory 10,000 times:
// one warning, the model holds it once, and the check stays cheap.
func TestDuplicateTerritoriesCollapsed(t *testing.T) {
	dir := goodRelease(t)
	list := `"GB"` + strings.Repeat(`, "GB"`, 9_999) + `, "XZ"` + strings.Repeat(`, "XZ"`, 9_999)
	editTOML(t, dir, replace(`territories = ["Worldwide"]`, `territories = [`+list+`]`))
	rel, ps := testValidator(defaultRules).Validate(dir)
	if _, ok := findProblem(ps, ruleTerritoryDuplicate, "deals[1].territories", "19998 entries repeat"); !ok {
		t.Errorf("no duplicate warning:\n%s", ps.Error())
	}
	if len(ps) != 2 {
		t.Errorf("want the warning and one unknown-territory error, got:\n%s", ps.Error())
	}
	if got := rel.Model.Deals[0].Territories; len(got) != 2 || got[0] != "GB" || got[1] != "XZ" {
		t.Errorf("model territories %v, want [GB XZ]", got[:min(len(got), 5)])
	}
}

// TestBadText covers what TOML cannot carry but an ERN message or a
// future reader might: broken UTF-8 such as an unpaired surrogate
// (CESU-8 "\xed\xa0\x80" is U+D800 alone).
func TestBadText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Harbour Lights", ""},
		{"Für Élise — 東京 🎵", ""},
		{"a\xed\xa0\x80b", "character 2 is not valid UTF-8 (an unpaired surrogate or a broken character)"},
		{"caf\xe9", "character 4 is not valid UTF-8"},
		{"x\u009fy", "character 2 is the control character U+009F"},
		{"\u00a0ok", ""}, // a no-break space is text (style-whitespace may still warn)
	} {
		if got := badText(c.in); c.want == "" && got != "" || c.want != "" && !strings.HasPrefix(got, c.want) {
			t.Errorf("badText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
