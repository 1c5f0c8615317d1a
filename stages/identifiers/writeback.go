package identifiers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ferrydelivery/ferry/stages/files"
)

// Auto is the value that asks ferry for a code in release.toml:
// upc = "auto", grid = "auto", and isrc = "auto" in a [[tracks]] table.
const Auto = "auto"

// IsAuto reports whether a release.toml value asks for a code.
func IsAuto(v string) bool { return strings.EqualFold(strings.TrimSpace(v), Auto) }

// Assignment is the codes that replace the "auto" values of a
// release.toml.
type Assignment struct {
	UPC  string
	GRid string
	// ISRC maps a track's index in the file (0 for the first [[tracks]])
	// to its code.
	ISRC map[int]string
}

// Codes lists the assignment's codes: UPC, GRid, then ISRCs by track.
func (as Assignment) Codes() []string {
	var out []string
	for _, c := range []string{as.UPC, as.GRid} {
		if c != "" {
			out = append(out, c)
		}
	}
	tracks := make([]int, 0, len(as.ISRC))
	for i := range as.ISRC {
		tracks = append(tracks, i)
	}
	slices.Sort(tracks)
	for _, i := range tracks {
		out = append(out, as.ISRC[i])
	}
	return out
}

// spot is where one "auto" value is in the text: the bytes of the quoted
// string.
type spot struct {
	field string // "upc", "grid" or "isrc"
	track int    // isrc: the track's index
	start int
	end   int
}

// Wanted is what a release.toml asks for: which of its values are
// "auto".
type Wanted struct {
	UPC, GRid bool
	ISRC      []int // track indexes
}

// Empty reports whether nothing is asked for.
func (w Wanted) Empty() bool { return !w.UPC && !w.GRid && len(w.ISRC) == 0 }

// Kinds lists one Kind per code asked for, in the order Assign expects
// the codes: UPC, GRid, then the ISRCs.
func (w Wanted) Kinds() []Kind {
	var ks []Kind
	if w.UPC {
		ks = append(ks, UPC)
	}
	if w.GRid {
		ks = append(ks, GRid)
	}
	for range w.ISRC {
		ks = append(ks, ISRC)
	}
	return ks
}

// Assign pairs codes allocated for w.Kinds() with their places.
func (w Wanted) Assign(codes []string) Assignment {
	as := Assignment{ISRC: map[int]string{}}
	i := 0
	if w.UPC {
		as.UPC, i = codes[i], i+1
	}
	if w.GRid {
		as.GRid, i = codes[i], i+1
	}
	for _, t := range w.ISRC {
		as.ISRC[t], i = codes[i], i+1
	}
	return as
}

// shape is the part of release.toml write-back reads.
type shape struct {
	UPC    string `toml:"upc"`
	GRid   string `toml:"grid"`
	Tracks []struct {
		ISRC string `toml:"isrc"`
	} `toml:"tracks"`
}

// FindAuto reads release.toml text and says which values are "auto". It
// fails, before anything is allocated, when an "auto" value is written
// in a form ferry cannot rewrite in place (tracks as inline tables, a
// multi-line string): the codes would be allocated and then lost.
func FindAuto(data []byte) (Wanted, error) {
	var w Wanted
	var sh shape
	if _, err := toml.Decode(string(data), &sh); err != nil {
		return w, fmt.Errorf("release.toml: %w", err)
	}
	w.UPC, w.GRid = IsAuto(sh.UPC), IsAuto(sh.GRid)
	for i, t := range sh.Tracks {
		if IsAuto(t.ISRC) {
			w.ISRC = append(w.ISRC, i)
		}
	}
	if w.Empty() {
		return w, nil
	}
	spots := scanAuto(data)
	found := Wanted{}
	for _, s := range spots {
		switch s.field {
		case "upc":
			found.UPC = true
		case "grid":
			found.GRid = true
		case "isrc":
			found.ISRC = append(found.ISRC, s.track)
		}
	}
	if !reflect.DeepEqual(found, w) {
		return w, errors.New(`release.toml asks for codes with "auto" in a form ferry cannot rewrite in place: write upc and grid at the top of the file and each track as a [[tracks]] table with isrc = "auto" on its own line`)
	}
	return w, nil
}

// FillAuto returns data with the "auto" values replaced by the codes of
// as, and nothing else changed: comments, order, spacing and quoting
// stay as the user wrote them. It checks its own work: the result must
// decode to the original with exactly those values changed.
func FillAuto(data []byte, as Assignment) ([]byte, error) {
	var out bytes.Buffer
	last := 0
	for _, s := range scanAuto(data) {
		var code string
		switch s.field {
		case "upc":
			code = as.UPC
		case "grid":
			code = as.GRid
		case "isrc":
			code = as.ISRC[s.track]
		}
		if code == "" {
			continue
		}
		out.Write(data[last:s.start])
		out.WriteString(`"` + code + `"`)
		last = s.end
	}
	out.Write(data[last:])
	result := out.Bytes()
	if err := sameExceptCodes(data, result, as); err != nil {
		return nil, fmt.Errorf("write codes into release.toml: %w", err)
	}
	return result, nil
}

// sameExceptCodes checks that after decodes to before with the assigned
// codes in place of "auto".
func sameExceptCodes(before, after []byte, as Assignment) error {
	var b, a map[string]any
	if _, err := toml.Decode(string(before), &b); err != nil {
		return err
	}
	if _, err := toml.Decode(string(after), &a); err != nil {
		return fmt.Errorf("the rewritten file does not decode: %w", err)
	}
	set := func(m map[string]any, key, code string) {
		if code != "" {
			if v, _ := m[key].(string); IsAuto(v) {
				m[key] = code
			}
		}
	}
	set(b, "upc", as.UPC)
	set(b, "grid", as.GRid)
	if tracks, ok := b["tracks"].([]map[string]any); ok {
		for i, t := range tracks {
			set(t, "isrc", as.ISRC[i])
		}
	}
	if !reflect.DeepEqual(a, b) {
		return errors.New("the rewritten file differs from the original in more than the codes")
	}
	return nil
}

// scanAuto finds the "auto" values of upc and grid at the top level and
// of isrc in [[tracks]] tables. It is a lexical scan: comments and
// strings are skipped, table headers followed.
func scanAuto(data []byte) []spot {
	var spots []spot
	table, track := "", -1
	i := 0
	for i < len(data) {
		// At the start of a line.
		for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r') {
			i++
		}
		if i >= len(data) {
			break
		}
		switch c := data[i]; {
		case c == '\n':
			i++
			continue
		case c == '#':
			i = lineEnd(data, i)
			continue
		case c == '[':
			end := lineEnd(data, i)
			h := strings.TrimSpace(stripComment(string(data[i:end])))
			if strings.HasPrefix(h, "[[") && strings.HasSuffix(h, "]]") {
				table = strings.TrimSpace(h[2 : len(h)-2])
				if table == "tracks" {
					track++
				}
			} else {
				table = strings.TrimSpace(strings.Trim(h, "[]"))
			}
			i = end
			continue
		}
		// A key = value line.
		eq := keyEnd(data, i)
		if eq < 0 {
			i = lineEnd(data, i)
			continue
		}
		key := strings.Trim(strings.TrimSpace(string(data[i:eq])), `"'`)
		j := eq + 1
		for j < len(data) && (data[j] == ' ' || data[j] == '\t') {
			j++
		}
		field := ""
		switch {
		case table == "" && (key == "upc" || key == "grid"):
			field = key
		case table == "tracks" && key == "isrc":
			field = key
		}
		if field != "" && j+6 <= len(data) && (data[j] == '"' || data[j] == '\'') && data[j+5] == data[j] && IsAuto(string(data[j+1:j+5])) {
			spots = append(spots, spot{field: field, track: track, start: j, end: j + 6})
		}
		i = valueEnd(data, j)
	}
	return spots
}

// keyEnd returns the index of the '=' ending the key that starts at i,
// or -1 when the line has none.
func keyEnd(data []byte, i int) int {
	for j := i; j < len(data) && data[j] != '\n'; j++ {
		switch data[j] {
		case '=':
			return j
		case '"', '\'':
			j = skipString(data, j)
		}
	}
	return -1
}

// valueEnd returns the index just past the value starting at i (which
// may span lines: arrays, inline tables, multi-line strings) and its
// line's comment.
func valueEnd(data []byte, i int) int {
	depth := 0
	for j := i; j < len(data); j++ {
		switch data[j] {
		case '"', '\'':
			j = skipString(data, j)
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case '#':
			nl := lineEnd(data, j)
			if depth <= 0 {
				return nl
			}
			j = nl - 1
		case '\n':
			if depth <= 0 {
				return j + 1
			}
		}
	}
	return len(data)
}

// skipString returns the index of the closing quote of the string that
// starts at data[i] (basic, literal or multi-line).
func skipString(data []byte, i int) int {
	q := data[i]
	if i+2 < len(data) && data[i+1] == q && data[i+2] == q {
		for j := i + 3; j+2 < len(data); j++ {
			if q == '"' && data[j] == '\\' {
				j++
				continue
			}
			if data[j] == q && data[j+1] == q && data[j+2] == q {
				for j+3 < len(data) && data[j+3] == q { // up to two quotes may end the content
					j++
				}
				return j + 2
			}
		}
		return len(data) - 1
	}
	for j := i + 1; j < len(data); j++ {
		switch {
		case q == '"' && data[j] == '\\':
			j++
		case data[j] == q, data[j] == '\n':
			return j
		}
	}
	return len(data) - 1
}

func lineEnd(data []byte, i int) int {
	if n := bytes.IndexByte(data[i:], '\n'); n >= 0 {
		return i + n + 1
	}
	return len(data)
}

// stripComment drops a trailing comment from a table header line.
func stripComment(s string) string {
	if k := strings.IndexByte(s, '#'); k >= 0 && !strings.ContainsAny(s[:k], `"'`) {
		return s[:k]
	}
	return s
}

// maxReleaseFile bounds what write-back reads: release.toml is a few
// kilobytes; validation refuses more than 1 MiB.
const maxReleaseFile = 1 << 20

// WriteBack replaces the "auto" values of the release.toml at path with
// the codes of as, in place: the file is opened as every file in a drop
// is (no link followed, regular, at most 1 MiB, checked on the
// descriptor) and replaced atomically (temporary file, fsync, rename,
// fsync of the folder) with its mode kept.
func WriteBack(path string, as Assignment) error {
	f, fi, err := files.OpenRegular(path, maxReleaseFile)
	if err != nil {
		return fmt.Errorf("write codes into %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxReleaseFile+1))
	if err == nil && len(data) > maxReleaseFile {
		err = files.ErrTooLarge
	}
	if err != nil {
		return fmt.Errorf("write codes into %s: %w", filepath.Base(path), err)
	}
	out, err := FillAuto(data, as)
	if err != nil {
		return err
	}
	return files.WriteFileAtomic(path, out, fi.Mode().Perm())
}
