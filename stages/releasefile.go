package stages

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/ident"
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
	ReleaseDate         string        `toml:"release_date"`
	OriginalReleaseDate string        `toml:"original_release_date"`
	Genre               string        `toml:"genre"`
	SubGenre            string        `toml:"subgenre"`
	ParentalWarning     string        `toml:"parental_warning"`
	Type                string        `toml:"type"`
	Language            string        `toml:"language"`
	PLine               LineEntry     `toml:"p_line"`
	CLine               LineEntry     `toml:"c_line"`
	Cover               string        `toml:"cover"`
	DeliverTo           []string      `toml:"deliver_to"`
	Action              string        `toml:"action"`
	Tracks              []TrackEntry  `toml:"tracks"`
	Deals               []DealEntry   `toml:"deals"`
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
	StartDate           string   `toml:"start_date"`
	EndDate             string   `toml:"end_date"`
	PreOrderDate        string   `toml:"preorder_date"`
}

// ParseReleaseFile decodes release.toml text strictly: syntax errors and
// unknown keys are reported with their line.
func ParseReleaseFile(data []byte) (*ReleaseFile, error) {
	if len(data) > maxReleaseFileSize {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed: is it really the release's metadata?", ReleaseFileName, len(data), maxReleaseFileSize)
	}
	if !utf8.Valid(data) || strings.ContainsRune(string(data), 0) {
		return nil, fmt.Errorf("%s is not UTF-8 text (a binary file?)", ReleaseFileName)
	}
	var rf ReleaseFile
	md, err := toml.Decode(string(data), &rf)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("%s line %d: %s", ReleaseFileName, perr.Position.Line, perr.Message)
		}
		return nil, fmt.Errorf("%s: %w", ReleaseFileName, err)
	}
	var unknown []string
	for _, k := range md.Undecoded() {
		unknown = append(unknown, fmt.Sprintf("%s line %d: unknown key %q (check its spelling against the README)",
			ReleaseFileName, config.KeyLine(string(data), k), k.String()))
	}
	if len(unknown) > 0 {
		return nil, errors.New(strings.Join(unknown, "\n"))
	}
	if rf.Action == "" {
		rf.Action = ActionDeliver
	}
	return &rf, nil
}

// ReadReleaseFile reads and parses path.
func ReadReleaseFile(path string) (*ReleaseFile, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", ReleaseFileName)
	}
	if fi.Size() > maxReleaseFileSize {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed: is it really the release's metadata?", ReleaseFileName, fi.Size(), maxReleaseFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseReleaseFile(data)
}

// Model converts the file into the release model. File references stay
// as the user wrote them (relative to the release folder) in File.Name;
// packaging renames them per DSP.
func (rf *ReleaseFile) Model() *ern.Release {
	r := &ern.Release{
		UPC:                 ident.NormalizeUPC(rf.UPC),
		GRid:                strings.TrimSpace(rf.GRid),
		CatalogNumber:       rf.CatalogNumber,
		Title:               rf.Title,
		VersionTitle:        rf.VersionTitle,
		DisplayArtist:       rf.DisplayArtist,
		Artists:             artists(rf.Artists),
		Label:               rf.Label,
		ReleaseDate:         rf.ReleaseDate,
		OriginalReleaseDate: rf.OriginalReleaseDate,
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
	for _, d := range rf.Deals {
		r.Deals = append(r.Deals, ern.Deal(d))
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
		out = append(out, ern.Artist{Name: a.Name, Roles: roles, ISNI: a.ISNI, IPI: a.IPI})
	}
	return out
}
