package bulk

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/ern"
)

// Sheet is a CSV metadata sheet: one row per track, with the columns a
// distributor's bulk template asks for.
type Sheet struct {
	// Name is the file's name at the archive's root (default
	// "metadata.csv").
	Name    string
	Columns []Column
}

// Column is one column of the sheet: its header and either a Field of
// the release (see Fields) or a constant Value.
type Column struct {
	Header string
	Field  string
	Value  string
}

// trackFields give a column's value for one track of a release; file
// maps a URI of the message to the file's name in the archive.
var trackFields = map[string]func(m *ern.Message, r *ern.Release, t *ern.Track, file func(string) string) string{
	"message_id": func(m *ern.Message, _ *ern.Release, _ *ern.Track, _ func(string) string) string {
		return m.Header.MessageID
	},
	"kind": func(m *ern.Message, _ *ern.Release, _ *ern.Track, _ func(string) string) string {
		return m.Kind.String()
	},
	"upc":                   rel(func(r *ern.Release) string { return r.UPC }),
	"grid":                  rel(func(r *ern.Release) string { return r.GRid }),
	"catalog_number":        rel(func(r *ern.Release) string { return r.CatalogNumber }),
	"release_title":         rel(func(r *ern.Release) string { return r.Title }),
	"release_version":       rel(func(r *ern.Release) string { return r.VersionTitle }),
	"release_artist":        rel(func(r *ern.Release) string { return r.DisplayArtist }),
	"label":                 rel(func(r *ern.Release) string { return r.Label }),
	"release_date":          rel(func(r *ern.Release) string { return r.ReleaseDate }),
	"original_release_date": rel(func(r *ern.Release) string { return r.OriginalReleaseDate }),
	"release_type":          rel(func(r *ern.Release) string { return r.Type }),
	"subgenre":              rel(func(r *ern.Release) string { return r.SubGenre }),
	"pline":                 rel(func(r *ern.Release) string { return r.PLine.Text }),
	"pline_year":            rel(func(r *ern.Release) string { return year(r.PLine.Year) }),
	"cline":                 rel(func(r *ern.Release) string { return r.CLine.Text }),
	"cline_year":            rel(func(r *ern.Release) string { return year(r.CLine.Year) }),
	"track_count":           rel(func(r *ern.Release) string { return strconv.Itoa(len(r.Tracks)) }),
	"isrc":                  trk(func(_ *ern.Release, t *ern.Track) string { return t.ISRC }),
	"track_title":           trk(func(_ *ern.Release, t *ern.Track) string { return t.Title }),
	"track_version":         trk(func(_ *ern.Release, t *ern.Track) string { return t.VersionTitle }),
	"disc":                  trk(func(_ *ern.Release, t *ern.Track) string { return strconv.Itoa(t.Disc) }),
	"track_number":          trk(func(_ *ern.Release, t *ern.Track) string { return strconv.Itoa(t.Number) }),
	"track_artist": trk(func(r *ern.Release, t *ern.Track) string {
		if t.DisplayArtist != "" {
			return t.DisplayArtist
		}
		return r.DisplayArtist
	}),
	"genre": trk(func(r *ern.Release, t *ern.Track) string {
		if t.Genre != "" {
			return t.Genre
		}
		return r.Genre
	}),
	"parental_warning": trk(func(r *ern.Release, t *ern.Track) string {
		if t.ParentalWarning != "" {
			return t.ParentalWarning
		}
		return r.ParentalWarning
	}),
	"featured_artists": trk(func(r *ern.Release, t *ern.Track) string {
		artists := t.Artists
		if len(artists) == 0 {
			artists = r.Artists
		}
		return names(artists, "FeaturedArtist")
	}),
	"composers": trk(func(_ *ern.Release, t *ern.Track) string { return names(t.Contributors, "Composer") }),
	"lyricists": trk(func(_ *ern.Release, t *ern.Track) string { return names(t.Contributors, "Lyricist") }),
	"producers": trk(func(_ *ern.Release, t *ern.Track) string { return names(t.Contributors, "Producer") }),
	"duration":  trk(func(_ *ern.Release, t *ern.Track) string { return minSec(t.Duration) }),
	"duration_seconds": trk(func(_ *ern.Release, t *ern.Track) string {
		return strconv.Itoa(int(t.Duration.Round(time.Second).Seconds()))
	}),
	"audio_codec":     trk(func(_ *ern.Release, t *ern.Track) string { return t.Audio.Codec }),
	"sample_rate":     trk(func(_ *ern.Release, t *ern.Track) string { return positive(t.Audio.SampleRate) }),
	"bits_per_sample": trk(func(_ *ern.Release, t *ern.Track) string { return positive(t.Audio.BitsPerSample) }),
	"channels":        trk(func(_ *ern.Release, t *ern.Track) string { return positive(t.Audio.Channels) }),
	"audio_hash":      trk(func(_ *ern.Release, t *ern.Track) string { return t.Audio.File.Hash }),
	"hash_algorithm":  trk(func(_ *ern.Release, t *ern.Track) string { return t.Audio.File.HashAlgorithm }),
	"audio_file": func(_ *ern.Message, _ *ern.Release, t *ern.Track, file func(string) string) string {
		if !t.Audio.File.Provided || t.Audio.File.Name == "" {
			return "" // not in this package: the distributor has it
		}
		return file(t.Audio.File.URI())
	},
	"cover_file": func(_ *ern.Message, r *ern.Release, _ *ern.Track, file func(string) string) string {
		if r.Cover == nil || !r.Cover.File.Provided || r.Cover.File.Name == "" {
			return ""
		}
		return file(r.Cover.File.URI())
	},
}

// Fields lists the names a sheet column can take its value from.
func Fields() []string {
	fs := make([]string, 0, len(trackFields))
	for f := range trackFields {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	return fs
}

func rel(f func(*ern.Release) string) func(*ern.Message, *ern.Release, *ern.Track, func(string) string) string {
	return func(_ *ern.Message, r *ern.Release, _ *ern.Track, _ func(string) string) string { return f(r) }
}

func trk(f func(*ern.Release, *ern.Track) string) func(*ern.Message, *ern.Release, *ern.Track, func(string) string) string {
	return func(_ *ern.Message, r *ern.Release, t *ern.Track, _ func(string) string) string { return f(r, t) }
}

func year(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

func positive(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func minSec(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// names joins the names of artists holding a role containing role.
func names(artists []ern.Artist, role string) string {
	var out []string
	for _, a := range artists {
		if slices.ContainsFunc(a.Roles, func(r string) bool { return strings.Contains(r, role) }) {
			out = append(out, a.Name)
		}
	}
	return strings.Join(out, "; ")
}

func (s *Sheet) check() error {
	if s.Name == "" {
		s.Name = "metadata.csv"
	}
	if strings.ContainsAny(s.Name, `/\`) || strings.HasPrefix(s.Name, ".") {
		return fmt.Errorf("metadata sheet name %q: a file name, without folders", s.Name)
	}
	if len(s.Columns) == 0 {
		return fmt.Errorf("metadata sheet %s has no columns", s.Name)
	}
	for i, c := range s.Columns {
		switch {
		case c.Header == "":
			return fmt.Errorf("metadata sheet column %d has no header", i+1)
		case c.Field != "" && c.Value != "":
			return fmt.Errorf("metadata sheet column %q: set field or value, not both", c.Header)
		case c.Field != "" && trackFields[c.Field] == nil:
			return fmt.Errorf("metadata sheet column %q: unknown field %q (have %s)", c.Header, c.Field, strings.Join(Fields(), ", "))
		}
	}
	return nil
}

// render writes the sheet for the release of m: a header row, then one
// row per track, in the order of the release.
func (s *Sheet) render(m *ern.Message, file func(string) string) ([]byte, error) {
	r := m.Release
	if r == nil {
		return nil, fmt.Errorf("message %s holds no release for the metadata sheet", m.Header.MessageID)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	row := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		row[i] = c.Header
	}
	w.Write(row)
	for ti := range r.Tracks {
		for i, c := range s.Columns {
			v := c.Value
			if c.Field != "" {
				v = trackFields[c.Field](m, r, &r.Tracks[ti], file)
			}
			row[i] = defuse(v)
		}
		w.Write(row)
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// defuse keeps a spreadsheet from running a cell as a formula: text from
// a dropped release that starts with = + - @ (or a tab or CR) gets a
// leading apostrophe, as OWASP advises for CSV files.
func defuse(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
