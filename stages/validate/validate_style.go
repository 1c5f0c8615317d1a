package validate

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Style rules: what DSP style guides (Apple Music, Spotify) reject in
// titles. They are warnings by default; a label's config can make them
// errors.

// titleField is one title of the release and where it is.
type titleField struct {
	where, text string
	track       int // index of the track it belongs to, or -1
}

func (c *checker) titles() []titleField {
	out := []titleField{{"title", c.rf.Title, -1}, {"version_title", c.rf.VersionTitle, -1}}
	for i, t := range c.rf.Tracks {
		out = append(out,
			titleField{fmt.Sprintf("tracks[%d].title", i+1), t.Title, i},
			titleField{fmt.Sprintf("tracks[%d].version_title", i+1), t.VersionTitle, i})
	}
	return out
}

func (c *checker) checkStyle() {
	for _, t := range c.titles() {
		if t.text == "" {
			continue
		}
		if allCaps(t.text) {
			c.add(ruleStyleCaps, t.where, fmt.Sprintf("%q is written in capitals", t.text),
				"write titles in title case or sentence case (DSPs refuse ALL CAPS unless it is how the artist always styles the title)")
		}
		if m := featuringOutsideBrackets(t.text); m != "" {
			c.add(ruleStyleFeaturing, t.where, fmt.Sprintf("%q names a featured artist with %q outside brackets", t.text, m),
				`credit featured artists in the artists list with roles = ["FeaturedArtist"]; if the title must show them, write "Title (feat. Name)"`)
		}
		if t.track >= 0 && strings.HasSuffix(t.where, ".title") {
			if name := c.artistInTitle(t.track, t.text); name != "" {
				c.add(ruleStyleArtistInTitle, t.where, fmt.Sprintf("%q repeats the artist name %q", t.text, name),
					"remove the artist's name from the title: DSPs show it beside the title already")
			}
		}
	}
	names := c.titles()
	names = append(names, titleField{"display_artist", c.rf.DisplayArtist, -1}, titleField{"label", c.rf.Label, -1})
	for i, a := range c.rf.Artists {
		names = append(names, titleField{fmt.Sprintf("artists[%d].name", i+1), a.Name, -1})
	}
	for i, t := range c.rf.Tracks {
		names = append(names, titleField{fmt.Sprintf("tracks[%d].display_artist", i+1), t.DisplayArtist, i})
		for j, a := range t.Artists {
			names = append(names, titleField{fmt.Sprintf("tracks[%d].artists[%d].name", i+1, j+1), a.Name, i})
		}
		for j, a := range t.Contributors {
			names = append(names, titleField{fmt.Sprintf("tracks[%d].contributors[%d].name", i+1, j+1), a.Name, i})
		}
	}
	for _, n := range names {
		if n.text != "" && badSpacing(n.text) {
			c.add(ruleStyleWhitespace, n.where, fmt.Sprintf("%q has spaces at its start or end, doubled spaces, tabs or line breaks", n.text),
				"remove the extra spaces")
		}
	}
}

// allCaps reports a title with no lower-case letter and at least one word
// of four or more letters: "DNA" or "UK" alone are acronyms, not shouting.
func allCaps(s string) bool {
	longWord, letters := false, 0
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		n := 0
		for _, r := range w {
			if unicode.IsLower(r) {
				return false
			}
			if unicode.IsUpper(r) {
				n++
			}
		}
		letters += n
		longWord = longWord || n >= 4
	}
	return longWord && letters >= 4
}

var featuring = regexp.MustCompile(`(?i)(^|[\s\-–—,/])(feat\.|featuring|ft\.|feat|ft)(\s|$)`)

// featuringOutsideBrackets returns the "feat." word of s when it stands
// outside (), [] and {}; "" when there is none or it is bracketed.
func featuringOutsideBrackets(s string) string {
	var outside strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[', '{':
			depth++
			outside.WriteRune(' ')
			continue
		case ')', ']', '}':
			depth = max(depth-1, 0)
			outside.WriteRune(' ')
			continue
		}
		if depth == 0 {
			outside.WriteRune(r)
		} else {
			outside.WriteRune(' ')
		}
	}
	if m := featuring.FindStringSubmatch(outside.String()); m != nil {
		return m[2]
	}
	return ""
}

// artistInTitle returns the name of one of the track's artists that its
// title repeats outside brackets, or "". A title that is exactly the
// artist's name (a self-titled song) is fine.
func (c *checker) artistInTitle(track int, title string) string {
	t := c.rf.Tracks[track]
	var names []string
	switch {
	case len(t.Artists) > 0:
		for _, a := range t.Artists {
			names = append(names, a.Name)
		}
	case t.DisplayArtist != "":
		names = append(names, t.DisplayArtist)
	default:
		names = append(names, c.rf.DisplayArtist)
		for _, a := range c.rf.Artists {
			names = append(names, a.Name)
		}
	}
	plain := fold(stripBrackets(title))
	for _, n := range names {
		name := fold(n)
		if len([]rune(name)) < 3 || fold(title) == name {
			continue
		}
		if containsWords(plain, name) {
			return n
		}
	}
	return ""
}

// fold normalizes text for comparison: NFC, lower case, spaces collapsed.
func fold(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFC.String(s))), " ")
}

// containsWords reports whether needle occurs in s on word boundaries.
func containsWords(s, needle string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], needle)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(needle)
		before := start == 0 || !isWordByte(s[start-1])
		after := end == len(s) || !isWordByte(s[end])
		if before && after {
			return true
		}
		i = start + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

func stripBrackets(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth = max(depth-1, 0)
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func badSpacing(s string) bool {
	return s != strings.TrimSpace(s) || strings.Contains(s, "  ") || strings.ContainsAny(s, "\t\n\r")
}
