package validate

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/files"
)

// maxERNFileSize bounds an ERN message dropped instead of release.toml:
// real ones are well under a megabyte; the official album sample is 60 KB.
const maxERNFileSize = 16 << 20

// ernFileIn finds the ERN message dropped at the top of dir in place of
// release.toml: the one *.xml file there. It returns "" when there is
// none.
func ernFileIn(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var found []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.EqualFold(filepath.Ext(e.Name()), ".xml") && !strings.HasPrefix(e.Name(), ".") {
			found = append(found, e.Name())
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("the folder holds %d XML files (%s) and no release.toml: ferry cannot tell which is the release's ERN message",
		len(found), strings.Join(found, ", "))
}

// ReadERNFile reads an ERN message (any of the seven versions) and turns
// it into the release.toml it is equivalent to, so that a folder with an
// ERN XML instead of release.toml is checked and delivered the same way.
// File references are the message's URIs (or FilePath/FileName), relative
// to the folder.
func ReadERNFile(path string) (*ReleaseFile, error) {
	data, err := files.ReadRegular(path, maxERNFileSize)
	switch {
	case errors.Is(err, files.ErrTooLarge):
		return nil, fmt.Errorf("%s is more than %d bytes: is it really an ERN message?", filepath.Base(path), maxERNFileSize)
	case errors.Is(err, files.ErrNotRegular):
		return nil, fmt.Errorf("%s is not a regular file", filepath.Base(path))
	case err != nil:
		return nil, err
	}
	m, _, err := ern.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s is not an ERN message ferry can read: %w", filepath.Base(path), err)
	}
	if m.Release == nil {
		return nil, errors.New(filepath.Base(path) + " describes no release")
	}
	return releaseFileOf(m), nil
}

// releaseFileOf is the inverse of ReleaseFile.Model.
func releaseFileOf(m *ern.Message) *ReleaseFile {
	r := m.Release
	rf := &ReleaseFile{
		UPC: r.UPC, GRid: r.GRid, CatalogNumber: r.CatalogNumber,
		Title: r.Title, VersionTitle: r.VersionTitle, DisplayArtist: r.DisplayArtist,
		Artists: artistEntries(r.Artists), Label: r.Label,
		ReleaseDate: Date(r.ReleaseDate), OriginalReleaseDate: Date(r.OriginalReleaseDate),
		Genre: r.Genre, SubGenre: r.SubGenre, ParentalWarning: r.ParentalWarning,
		Type: r.Type, Language: r.Language,
		PLine: LineEntry(r.PLine), CLine: LineEntry(r.CLine),
		Action: ActionDeliver,
	}
	if m.Kind == ern.Takedown || m.Kind == ern.Purge {
		rf.Action = ActionTakedown
	}
	if r.Cover != nil {
		rf.Cover = r.Cover.File.URI()
	}
	for _, t := range r.Tracks {
		rf.Tracks = append(rf.Tracks, TrackEntry{
			ISRC: t.ISRC, Title: t.Title, VersionTitle: t.VersionTitle, DisplayArtist: t.DisplayArtist,
			Artists: artistEntries(t.Artists), Contributors: artistEntries(t.Contributors),
			File: t.Audio.File.URI(), Disc: t.Disc, Number: t.Number,
			ParentalWarning: t.ParentalWarning, Genre: t.Genre, InstantGratification: t.InstantGratification,
		})
	}
	for _, d := range r.Deals {
		rf.Deals = append(rf.Deals, DealEntry{
			Territories: d.Territories, ExcludedTerritories: d.ExcludedTerritories,
			CommercialModel: d.CommercialModel, UseTypes: d.UseTypes,
			StartDate: Date(d.StartDate), EndDate: Date(d.EndDate), PreOrderDate: Date(d.PreOrderDate),
		})
	}
	return rf
}

func artistEntries(in []ern.Artist) []ArtistEntry {
	var out []ArtistEntry
	for _, a := range in {
		out = append(out, ArtistEntry{Name: a.Name, Roles: a.Roles, ISNI: a.ISNI, IPI: a.IPI})
	}
	return out
}
