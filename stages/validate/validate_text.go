package validate

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/ferrydelivery/ferry/config"
)

// checkText refuses control characters, noncharacters and broken UTF-8
// in every text field of the release (titles, names, codes, file names):
// XML cannot carry most of them, and DSPs show U+FFFD in their place, so
// the metadata would silently change. Every field is single-line, so
// tabs and line breaks are refused too.
func (c *checker) checkText() {
	walkText(reflect.ValueOf(*c.rf), "", func(where, s string) {
		if msg := badText(s); msg != "" {
			c.add(ruleTextControl, where, msg, "retype the text without it (it often comes from copying out of a spreadsheet or PDF)")
		}
	})
}

// walkText calls f with every string in v (a ReleaseFile, its entries
// and lists), and where it is, named as release.toml writes it.
func walkText(v reflect.Value, where string, f func(where, s string)) {
	switch v.Kind() {
	case reflect.String:
		f(where, v.String())
	case reflect.Slice:
		for i := range v.Len() {
			walkText(v.Index(i), config.Element(where, i+1), f)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			field := t.Field(i)
			name, _, _ := strings.Cut(field.Tag.Get("toml"), ",")
			if !field.IsExported() || name == "" || name == "-" {
				continue
			}
			walkText(v.Field(i), config.Path(where, name), f)
		}
	}
}

// badText describes the first character of s that is not text, or
// returns "".
func badText(s string) string {
	for i, r := range s {
		pos := utf8.RuneCountInString(s[:i]) + 1
		switch {
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return fmt.Sprintf("character %d is not valid UTF-8 (an unpaired surrogate or a broken character)", pos)
			}
			return fmt.Sprintf("character %d is U+FFFD, the replacement character: the text was damaged before it got here", pos)
		case r < 0x20 || r >= 0x7F && r <= 0x9F:
			return fmt.Sprintf("character %d is the control character U+%04X%s", pos, r, controlName(r))
		case r == 0xFFFE || r == 0xFFFF:
			return fmt.Sprintf("character %d is U+%04X, which is not a character", pos, r)
		}
	}
	return ""
}

func controlName(r rune) string {
	switch r {
	case '\t':
		return " (a tab)"
	case '\n', '\r':
		return " (a line break: every field is one line)"
	case 0:
		return " (NUL)"
	}
	return ""
}

// unsafeNameChars are the characters delivery.ResourceName drops from the
// label when it builds file names.
var unsafeNameChars = regexp.MustCompile(`[^A-Za-z0-9]+`)

// maxNameBytes is the longest name Linux file systems (ext4, XFS, btrfs)
// and SFTP servers accept for one path component.
const maxNameBytes = 255

// Suffixes the pipeline adds to a release folder's name: its fan-out
// staging folder and each DSP's instance.
const (
	fanoutSuffix   = ".fanout"
	instanceSuffix = "@" // followed by the DSP's name
)

// checkNames refuses names that would be too long once ferry builds
// file names from them, so that the release fails here, with the limit
// named, instead of at fan-out or packaging with "file name too long".
// only is not empty for a DSP's own instance, whose name is already
// made.
func (rel *Release) checkNames(targets, only []string) Problems {
	var ps Problems
	base := filepath.Base(rel.Dir)
	if len(only) == 0 {
		longest := fanoutSuffix
		for _, dsp := range targets {
			if s := instanceSuffix + dsp; len(s) > len(longest) {
				longest = s
			}
		}
		if n := len(base) + len(longest); n > maxNameBytes {
			ps = append(ps, Problem{Rule: ruleNameLength, Where: ".",
				What: fmt.Sprintf("the folder's name is %d bytes; with %q added for delivery it is %d, over the %d bytes a file name may have",
					len(base), longest, n, maxNameBytes),
				Fix: fmt.Sprintf("rename the folder to at most %d bytes (letters outside A-Z take 2 to 4 bytes each)", maxNameBytes-len(longest))})
		}
	}
	if !NeedsFiles(rel.Action) {
		return ps
	}
	// The longest resource name of the ddex naming is a track's:
	// <Label>_<ReleaseId>_T<n>_SoundRecording_<disc>-<number>.<ext>.
	label := unsafeNameChars.ReplaceAllString(rel.Model.Label, "")
	longest := 0
	for i, t := range rel.Model.Tracks {
		name := fmt.Sprintf("%s_%s_T%d_SoundRecording_%02d-%02d%s", label, rel.ID(), i+1, t.Disc, t.Number, strings.ToLower(filepath.Ext(t.Audio.File.Name)))
		longest = max(longest, len(name))
	}
	if longest > maxNameBytes {
		ps = append(ps, Problem{Rule: ruleNameLength, Where: "label",
			What: fmt.Sprintf("the label's name makes resource file names of %d bytes (<Label>_<ReleaseId>_T<n>_SoundRecording_<disc>-<number>.<ext>), over the %d bytes a file name may have",
				longest, maxNameBytes),
			Fix: fmt.Sprintf("shorten the label's name by at least %d letters", longest-maxNameBytes)})
	}
	return ps
}
