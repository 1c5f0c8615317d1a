package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode/utf8"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/ident"
	"github.com/ferrydelivery/ferry/stages/files"
)

// ReleaseFileName is the metadata file of a release folder.
const ReleaseFileName = "release.toml"

// maxReleaseFileSize bounds what is read of release.toml: a real one is a
// few kilobytes; a huge file is refused before it is parsed.
const maxReleaseFileSize = 1 << 20

// Actions a release.toml may ask for.
const (
	ActionDeliver  = "deliver"
	ActionTakedown = "takedown"
	// ActionRestore puts a taken-down release on sale again: an update
	// describing the files the DSP kept, sending none (ERN 4.2 and later).
	// Like a takedown it needs only the UPC.
	ActionRestore = "restore"
	// ActionRedeliver sends the whole release again, every file, for a DSP
	// that lost them. It needs the whole folder.
	ActionRedeliver = "redeliver"
	// ActionPurge removes the release from the DSPs for good: a
	// PurgeReleaseMessage. It is irreversible, so release.toml must also
	// carry confirm_purge = "<the UPC>", typed; a PurgeReleaseMessage
	// dropped as an ERN XML cannot, and is refused (rule action).
	ActionPurge = "purge"
)

// ReleaseFile is release.toml as the user writes it. The README documents
// every key.
type ReleaseFile struct {
	UPC                 string        `toml:"upc"`
	GRid                string        `toml:"grid"`
	CatalogNumber       string        `toml:"catalog_number"`
	Title               string        `toml:"title"`
	VersionTitle        string        `toml:"version_title"`
	DisplayArtist       string        `toml:"display_artist"`
	Artists             []ArtistEntry `toml:"artists"`
	Label               string        `toml:"label"`
	ReleaseDate         Date          `toml:"release_date"`
	OriginalReleaseDate Date          `toml:"original_release_date"`
	Genre               string        `toml:"genre"`
	SubGenre            string        `toml:"subgenre"`
	ParentalWarning     string        `toml:"parental_warning"`
	Type                string        `toml:"type"`
	Language            string        `toml:"language"`
	PLine               LineEntry     `toml:"p_line"`
	CLine               LineEntry     `toml:"c_line"`
	Cover               string        `toml:"cover"`
	DeliverTo           []string      `toml:"deliver_to"`
	// Preset names a [preset.NAME] of the configuration: its DSPs and
	// deals apply where release.toml gives none (see preset.go).
	Preset       string `toml:"preset"`
	Action       string `toml:"action"`
	ConfirmPurge string `toml:"confirm_purge"`
	AllowReuse   bool   `toml:"allow_reuse"`
	// Confirm lists the rules whose errors the user confirms: the
	// release is sent anyway, with a warning (see confirm.go).
	Confirm []string `toml:"confirm"`
	// TakedownAt and Territories make a takedown scheduled (a date and
	// time in [lifecycle] timezone) and partial (these territories only).
	TakedownAt  string       `toml:"takedown_at"`
	Territories []string     `toml:"territories"`
	Tracks      []TrackEntry `toml:"tracks"`
	Deals       []DealEntry  `toml:"deals"`

	// ern is set when the release was read from an ERN message instead.
	ern    *ernSource
	lines  *config.Lines // where each key is written; nil from an ERN message
	issues config.Issues // keys that could not be read
	// preset is what the release took from its preset, once applied.
	preset *appliedPreset
}

// ArtistEntry is an artist or contributor in release.toml.
type ArtistEntry struct {
	Name  string   `toml:"name"`
	Roles []string `toml:"roles"`
	ISNI  string   `toml:"isni"`
	IPI   string   `toml:"ipi"`
}

// LineEntry is a P or C line in release.toml.
type LineEntry struct {
	Year int    `toml:"year"`
	Text string `toml:"text"`
}

// TrackEntry is one track in release.toml.
type TrackEntry struct {
	ISRC                 string        `toml:"isrc"`
	Title                string        `toml:"title"`
	VersionTitle         string        `toml:"version_title"`
	DisplayArtist        string        `toml:"display_artist"`
	Artists              []ArtistEntry `toml:"artists"`
	Contributors         []ArtistEntry `toml:"contributors"`
	File                 string        `toml:"file"`
	Disc                 int           `toml:"disc"`
	Number               int           `toml:"number"`
	ParentalWarning      string        `toml:"parental_warning"`
	Genre                string        `toml:"genre"`
	InstantGratification bool          `toml:"instant_gratification"`
}

// DealEntry is one deal in release.toml.
type DealEntry struct {
	Territories         []string `toml:"territories"`
	ExcludedTerritories []string `toml:"excluded_territories"`
	CommercialModel     string   `toml:"commercial_model"`
	UseTypes            []string `toml:"use_types"`
	StartDate           Date     `toml:"start_date"`
	EndDate             Date     `toml:"end_date"`
	PreOrderDate        Date     `toml:"preorder_date"`
	// DSP, when not empty, makes the deal apply to these DSPs only,
	// replacing the general (and the preset's) deals there.
	DSP []string `toml:"dsp"`
	// PriceTier and WholesalePrice are written as the deal's
	// PriceInformation (PriceCode, or PriceType in ERN 3.8.2, and
	// WholesalePricePerUnit).
	PriceTier      string        `toml:"price_tier"`
	WholesalePrice *config.Price `toml:"wholesale_price"`
}

// Date is a calendar date in release.toml, written either as a string
// ("2026-12-04") or as a TOML date (2026-12-04, unquoted). It is kept as
// written, so that the validator can say what is wrong with a bad one.
type Date string

// UnmarshalTOML accepts a string or a TOML local date.
func (d *Date) UnmarshalTOML(v any) error {
	s, err := config.DateText(v, "", "")
	*d = Date(s)
	return err
}

// Limits on the shape of release.toml, checked before it is decoded: the
// TOML decoder takes time that grows faster than the input with nesting
// depth and dotted-key length (10,000 nested inline tables take over 20
// seconds), and a real release.toml nests 2 or 3 levels deep.
const (
	maxTOMLNesting    = 16
	maxTOMLDottedKeys = 16
)

// ParseReleaseFile decodes release.toml text. A file that cannot be read
// at all (too large, not UTF-8 text, nested too deeply, not TOML) is an
// error; unknown keys and values of the wrong type are not: they are
// listed, each with its line, in the result's Issues, so that they are
// reported with every other problem of the release in one pass.
// Whatever the input, it returns quickly and never panics.
func ParseReleaseFile(data []byte) (rf *ReleaseFile, err error) {
	if len(data) > maxReleaseFileSize {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed: is it really the release's metadata?", ReleaseFileName, len(data), maxReleaseFileSize)
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, fmt.Errorf("%s is not UTF-8 text (a binary file, or saved in another encoding?)", ReleaseFileName)
	}
	if err := checkTOMLShape(data); err != nil {
		return nil, fmt.Errorf("%s %w", ReleaseFileName, err)
	}
	defer func() {
		// The decoder recovers its own panics; this guards the daemon
		// against any it might miss.
		if r := recover(); r != nil {
			rf, err = nil, fmt.Errorf("%s could not be read as TOML (%v)", ReleaseFileName, r)
		}
	}()
	var f ReleaseFile
	lines, issues := config.Decode(string(data), &f)
	if lines == nil {
		return nil, fmt.Errorf("%s %s", ReleaseFileName, issueText(issues[0]))
	}
	f.lines, f.issues = lines, issues
	if f.Action == "" {
		f.Action = ActionDeliver
	}
	return &f, nil
}

// issueText words a decoding issue as "line 4, tracks[2].title: …".
func issueText(is config.Issue) string {
	var where []string
	if is.Line > 0 {
		where = append(where, fmt.Sprintf("line %d", is.Line))
	}
	if is.Key != "" {
		where = append(where, is.Key)
	}
	if len(where) == 0 {
		return is.Msg
	}
	return strings.Join(where, ", ") + ": " + is.Msg
}

// Issues are the keys of the file that ferry could not read: unknown
// keys and values of the wrong type, each with its line. They are
// problems of the release like any other, reported with the rest; the
// keys they name are left empty.
func (rf *ReleaseFile) Issues() config.Issues { return rf.issues }

// Line is the line of release.toml on which key (a problem's Where, such
// as "tracks[2].isrc") or its nearest enclosing table is written; 0 when
// the release came from an ERN message or the key is not in the file.
func (rf *ReleaseFile) Line(key string) int { return rf.lines.Line(key) }

// checkTOMLShape refuses TOML nested deeper than maxTOMLNesting or with
// keys of more than maxTOMLDottedKeys parts, before the decoder sees it.
// It is a lexical scan: strings and comments are skipped, brackets and
// braces counted, and dots counted since the last delimiter (a float or
// a time has one).
func checkTOMLShape(data []byte) error {
	depth, dots, line := 0, 0, 1
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case '\n':
			line++
			dots = 0
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			end, lines := skipTOMLString(data, i)
			i, line = end, line+lines
		case '[', '{':
			depth++
			dots = 0
			if depth > maxTOMLNesting {
				return fmt.Errorf("line %d: nested more than %d levels deep", line, maxTOMLNesting)
			}
		case ']', '}':
			depth = max(depth-1, 0)
			dots = 0
		case '=', ',':
			dots = 0
		case '.':
			dots++
			if dots > maxTOMLDottedKeys {
				return fmt.Errorf("line %d: a key with more than %d dotted parts", line, maxTOMLDottedKeys)
			}
		}
	}
	return nil
}

// skipTOMLString returns the index of the last byte of the string that
// starts at data[i] (basic, literal, or their multi-line forms) and the
// newlines inside it. An unterminated string runs to the end; the
// decoder reports it.
func skipTOMLString(data []byte, i int) (end, lines int) {
	q := data[i]
	delim := []byte{q}
	if i+2 < len(data) && data[i+1] == q && data[i+2] == q {
		delim = []byte{q, q, q}
	}
	for j := i + len(delim); j < len(data); j++ {
		switch {
		case data[j] == '\\' && q == '"':
			if j+1 < len(data) && data[j+1] == '\n' {
				lines++
			}
			j++
		case data[j] == '\n':
			lines++
			if len(delim) == 1 {
				return j - 1, lines - 1 // a one-line string ends at the line's end
			}
		case bytes.HasPrefix(data[j:], delim):
			return j + len(delim) - 1, lines
		}
	}
	return len(data) - 1, lines
}

// ReadReleaseFile reads and parses path. It opens the file without
// following a link or blocking (a FIFO named release.toml must not hang
// the daemon), checks that it is a regular file, and reads at most
// maxReleaseFileSize+1 bytes.
func ReadReleaseFile(path string) (*ReleaseFile, error) {
	f, fi, err := files.OpenRegular(path, maxReleaseFileSize)
	switch {
	case errors.Is(err, files.ErrTooLarge):
		return nil, tooLarge(fi.Size())
	case fi != nil && errors.Is(err, files.ErrNotRegular):
		return nil, releaseFileKind(fi)
	case errors.Is(err, files.ErrNotRegular):
		return nil, errors.New("release.toml is a link; put the file itself into the folder")
	case err != nil:
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxReleaseFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ReleaseFileName, err)
	}
	if len(data) > maxReleaseFileSize {
		return nil, tooLarge(int64(len(data)))
	}
	return ParseReleaseFile(data)
}

func releaseFileKind(fi fs.FileInfo) error {
	switch m := fi.Mode(); {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return fmt.Errorf("%s is a folder, not a file", ReleaseFileName)
	case m&fs.ModeNamedPipe != 0:
		return fmt.Errorf("%s is a named pipe (FIFO), not a file", ReleaseFileName)
	}
	return fmt.Errorf("%s is not a regular file", ReleaseFileName)
}

func tooLarge(size int64) error {
	return fmt.Errorf("%s is %d bytes, more than the %d allowed: is it really the release's metadata?", ReleaseFileName, size, maxReleaseFileSize)
}

// Model converts the file into the release model. File references stay
// as the user wrote them (relative to the release folder) in File.Name;
// packaging renames them per DSP.
func (rf *ReleaseFile) Model() *ern.Release {
	r := &ern.Release{
		UPC:                 ident.NormalizeUPC(rf.UPC),
		GRid:                ident.NormalizeGRid(rf.GRid),
		CatalogNumber:       rf.CatalogNumber,
		Title:               rf.Title,
		VersionTitle:        rf.VersionTitle,
		DisplayArtist:       rf.DisplayArtist,
		Artists:             artists(rf.Artists),
		Label:               rf.Label,
		ReleaseDate:         string(rf.ReleaseDate),
		OriginalReleaseDate: string(rf.OriginalReleaseDate),
		Genre:               rf.Genre,
		SubGenre:            rf.SubGenre,
		ParentalWarning:     rf.ParentalWarning,
		Type:                rf.Type,
		Language:            rf.Language,
		PLine:               ern.Line(rf.PLine),
		CLine:               ern.Line(rf.CLine),
	}
	if r.DisplayArtist == "" && len(r.Artists) > 0 {
		r.DisplayArtist = r.Artists[0].Name
	}
	if len(r.Artists) == 0 && r.DisplayArtist != "" {
		r.Artists = []ern.Artist{{Name: r.DisplayArtist, Roles: []string{"MainArtist"}}}
	}
	if rf.Cover != "" {
		r.Cover = &ern.Image{File: ern.File{Name: rf.Cover}}
	}
	for _, t := range rf.Tracks {
		disc := t.Disc
		if disc == 0 {
			disc = 1
		}
		r.Tracks = append(r.Tracks, ern.Track{
			ISRC:                 ident.NormalizeISRC(t.ISRC),
			Title:                t.Title,
			VersionTitle:         t.VersionTitle,
			DisplayArtist:        t.DisplayArtist,
			Artists:              artists(t.Artists),
			Contributors:         artists(t.Contributors),
			Disc:                 disc,
			Number:               t.Number,
			ParentalWarning:      t.ParentalWarning,
			Genre:                t.Genre,
			InstantGratification: t.InstantGratification,
			Audio:                ern.Audio{File: ern.File{Name: t.File}},
		})
	}
	// The deals for every DSP; those naming DSPs are the Release's
	// (DealsFor).
	r.Deals, _ = splitDeals(rf.Deals)
	if rf.ern != nil {
		rf.ern.extend(r)
	}
	return r
}

func artists(in []ArtistEntry) []ern.Artist {
	var out []ern.Artist
	for _, a := range in {
		roles := a.Roles
		if len(roles) == 0 {
			roles = []string{"MainArtist"}
		}
		out = append(out, ern.Artist{Name: a.Name, Roles: roles, ISNI: ident.NormalizeISNI(a.ISNI), IPI: a.IPI})
	}
	return out
}

// NeedsFiles reports whether action sends the release's files, so that
// the folder must hold them: a delivery or a full redelivery; a takedown,
// a restore or a purge needs only the identifiers.
func NeedsFiles(action string) bool { return action == ActionDeliver || action == ActionRedeliver }

// issueProblems turns the keys that could not be read into problems of
// the release-file rule.
func (rf *ReleaseFile) issueProblems() Problems {
	var ps Problems
	for _, is := range rf.issues {
		p := Problem{Severity: Error, Rule: ruleReleaseFile, Where: is.Key, What: is.Msg, Line: is.Line}
		switch {
		case is.Key == "":
			p.Where = ReleaseFileName
		case is.Kind == config.UnknownKey:
			p.What = "unknown key " + strings.TrimPrefix(is.Msg, "unknown key ")
			p.Fix = "correct the key's spelling, or remove it; the README lists every key of release.toml"
		default:
			p.Fix = "correct the value; the README says what each key takes"
		}
		ps = append(ps, p)
	}
	return ps
}

// place sets each problem's line in release.toml, and drops the
// problems that repeat a key ferry could not read: an upc written as a
// number is one problem, not also "upc is missing", and "titel" (did you
// mean "title"?) is not also "title is missing".
func (rf *ReleaseFile) place(ps Problems) Problems {
	if rf.lines == nil {
		return ps
	}
	unread, misspelt := map[string]bool{}, map[string]bool{}
	for _, is := range rf.issues {
		switch is.Kind {
		case config.WrongType:
			unread[is.Key] = true
		case config.UnknownKey:
			misspelt[is.Suggest] = true
		}
	}
	out := ps[:0]
	for _, p := range ps {
		if unread[p.Where] && p.Rule != ruleReleaseFile || misspelt[p.Where] && p.Rule == ruleRequired {
			continue
		}
		if p.Line == 0 {
			p.Line = rf.lines.Line(p.Where)
		}
		out = append(out, p)
	}
	return out
}
