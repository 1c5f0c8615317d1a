package validate

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
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
// none. An XML name that is not a regular file (a link, a named pipe, a
// folder) is reported as what it is: ferry reads a message only from a
// regular file of the folder.
func ernFileIn(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var found, odd []string
	for _, e := range entries {
		if !strings.EqualFold(filepath.Ext(e.Name()), ".xml") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if e.Type().IsRegular() {
			found = append(found, e.Name())
		} else {
			odd = append(odd, fmt.Sprintf("%s is %s", e.Name(), fileKind(e.Type())))
		}
	}
	switch {
	case len(found) == 0 && len(odd) > 0:
		return "", fmt.Errorf("the folder has no release.toml, and %s, %w", strings.Join(odd, "; "), errNotRegularMessage)
	case len(found) == 0:
		return "", nil
	case len(found) == 1:
		return found[0], nil
	}
	return "", fmt.Errorf("the folder holds %d XML files (%s) and no release.toml: ferry cannot tell which is the release's ERN message",
		len(found), strings.Join(found, ", "))
}

// errNotRegularMessage is the end of the error for an XML name that is
// not a regular file.
var errNotRegularMessage = errors.New("not a regular file: ferry reads an ERN message only from a regular file in the folder")

// fileKind names what a non-regular directory entry is.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m.IsDir():
		return "a folder"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// ReadERNFile reads an ERN message (any of the seven versions) and turns
// it into the release.toml it is equivalent to, so that a folder with an
// ERN XML instead of release.toml is checked and delivered the same way.
// File references are the message's URIs (or FilePath/FileName), relative
// to the folder.
func ReadERNFile(path string) (*ReleaseFile, error) {
	f, fi, err := files.OpenRegular(path, maxERNFileSize)
	switch {
	case errors.Is(err, files.ErrTooLarge):
		return nil, fmt.Errorf("%s is more than %d bytes: is it really an ERN message?", filepath.Base(path), maxERNFileSize)
	case errors.Is(err, files.ErrNotRegular):
		return nil, fmt.Errorf("%s is not a regular file", filepath.Base(path))
	case err != nil:
		return nil, err
	}
	defer f.Close()
	// One buffer of the file's size (plus one byte to see it grow): the
	// reader works in it, so a 16 MB message is held once.
	data := make([]byte, 0, fi.Size()+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(data) > maxERNFileSize {
			return nil, fmt.Errorf("%s is more than %d bytes: is it really an ERN message?", filepath.Base(path), maxERNFileSize)
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // it grew while read
		}
	}
	m, _, err := ern.ReadBytes(data)
	if err != nil {
		return nil, fmt.Errorf("%s is not an ERN message ferry can read: %w", filepath.Base(path), err)
	}
	if m.Release == nil {
		return nil, errors.New(filepath.Base(path) + " describes no release")
	}
	rf := releaseFileOf(m)
	rf.ern = &ernSource{name: filepath.Base(path), msg: m}
	return rf, nil
}

// ernSource is what a release read from an ERN message carries beyond
// release.toml's fields: the message's name (for hints) and its model,
// whose prices, other-language titles and notes have no release.toml
// key.
type ernSource struct {
	name string
	msg  *ern.Message
}

// extend copies into r (built from release.toml's fields) what only the
// message could say: deal prices and titles in other languages. Deals
// and tracks are in the message's order (releaseFileOf keeps it).
func (s *ernSource) extend(r *ern.Release) {
	src := s.msg.Release
	r.Titles = src.Titles
	for i := range r.Tracks {
		if i < len(src.Tracks) {
			r.Tracks[i].Titles = src.Tracks[i].Titles
		}
	}
	for i := range r.Deals {
		if i < len(src.Deals) {
			r.Deals[i].Prices = src.Deals[i].Prices
		}
	}
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
	switch m.Kind {
	case ern.Takedown:
		rf.Action = ActionTakedown
	case ern.Purge:
		rf.Action = ActionPurge
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
