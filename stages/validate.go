package stages

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/ident"
)

// Release is a loaded release folder: its model with file names resolved
// against the folder, its action and where it goes.
type Release struct {
	Dir       string
	Model     *ern.Release
	Action    string
	DeliverTo []string
	// Files maps each referenced file name (as written in release.toml)
	// to its path relative to Dir with links resolved.
	Files map[string]string
}

// Load reads the release folder at dir and checks it. It always returns
// the problems found, all of them; the release is nil when it could not
// be read at all.
func Load(dir string) (*Release, Problems) {
	var ps Problems
	rf, err := ReadReleaseFile(filepath.Join(dir, ReleaseFileName))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, Problems{{Severity: Error, Rule: "release-file", Where: ReleaseFileName,
				What: "the folder has no release.toml",
				Fix:  "add a release.toml describing the release (see the README for the format)"}}
		}
		return nil, Problems{{Severity: Error, Rule: "release-file", Where: ReleaseFileName, What: err.Error(),
			Fix: "correct release.toml; the README lists every key"}}
	}
	rel := &Release{Dir: dir, Model: rf.Model(), Action: rf.Action, DeliverTo: rf.DeliverTo, Files: map[string]string{}}
	ps = append(ps, checkRequired(rf)...)
	ps = append(ps, checkIdentifiers(rel.Model)...)
	if rf.Action != ActionDeliver && rf.Action != ActionTakedown {
		ps = append(ps, Problem{Severity: Error, Rule: "action", Where: "action",
			What: fmt.Sprintf("%q is not an action", rf.Action), Fix: `use "deliver" or "takedown"`})
	}
	if rf.Action == ActionDeliver {
		ps = append(ps, rel.resolveFiles(rf)...)
	}
	return rel, ps
}

func checkRequired(rf *ReleaseFile) Problems {
	var ps Problems
	need := func(field, value string) {
		if strings.TrimSpace(value) == "" {
			ps = append(ps, Problem{Severity: Error, Rule: "required", Where: field,
				What: "missing", Fix: "set " + field + " in release.toml"})
		}
	}
	need("upc", rf.UPC)
	need("title", rf.Title)
	if rf.DisplayArtist == "" && len(rf.Artists) == 0 {
		need("display_artist", "")
	}
	need("label", rf.Label)
	need("release_date", rf.ReleaseDate)
	need("genre", rf.Genre)
	if rf.Action == ActionDeliver {
		need("cover", rf.Cover)
		if len(rf.Tracks) == 0 {
			ps = append(ps, Problem{Severity: Error, Rule: "required", Where: "tracks",
				What: "the release has no tracks", Fix: "add a [[tracks]] table per track"})
		}
		if len(rf.Deals) == 0 {
			ps = append(ps, Problem{Severity: Error, Rule: "required", Where: "deals",
				What: "the release has no deals, so no DSP may sell or stream it",
				Fix:  "add a [[deals]] table (territories, commercial_model, use_types, start_date)"})
		}
	}
	for i, t := range rf.Tracks {
		where := fmt.Sprintf("tracks[%d]", i+1)
		need(where+".isrc", t.ISRC)
		need(where+".title", t.Title)
		if rf.Action == ActionDeliver {
			need(where+".file", t.File)
		}
	}
	for i, d := range rf.Deals {
		where := fmt.Sprintf("deals[%d]", i+1)
		need(where+".commercial_model", d.CommercialModel)
		need(where+".start_date", d.StartDate)
		if len(d.UseTypes) == 0 {
			need(where+".use_types", "")
		}
		if len(d.Territories) == 0 {
			need(where+".territories", "")
		}
	}
	return ps
}

func checkIdentifiers(r *ern.Release) Problems {
	var ps Problems
	if r.UPC != "" {
		if err := ident.CheckUPC(r.UPC); err != nil {
			ps = append(ps, Problem{Severity: Error, Rule: "upc", Where: "upc", What: err.Error(),
				Fix: "copy the UPC/EAN exactly as issued (12 or 13 digits)"})
		}
	}
	seen := map[string]int{}
	for i, t := range r.Tracks {
		if t.ISRC == "" {
			continue
		}
		where := fmt.Sprintf("tracks[%d].isrc", i+1)
		if err := ident.CheckISRC(t.ISRC); err != nil {
			ps = append(ps, Problem{Severity: Error, Rule: "isrc", Where: where, What: err.Error(),
				Fix: "copy the ISRC exactly as issued, e.g. GB-AYE-26-00001"})
		}
		if j, dup := seen[t.ISRC]; dup {
			ps = append(ps, Problem{Severity: Error, Rule: "isrc-duplicate", Where: where,
				What: fmt.Sprintf("ISRC %s is also used by tracks[%d]", t.ISRC, j),
				Fix:  "each recording on a release needs its own ISRC"})
		}
		seen[t.ISRC] = i + 1
	}
	return ps
}

// resolveFiles checks that every referenced file exists, is a regular
// non-empty file, and lies inside the release folder once links are
// resolved.
func (rel *Release) resolveFiles(rf *ReleaseFile) Problems {
	var ps Problems
	check := func(field, name string) {
		if name == "" {
			return
		}
		p, err := InsideFolder(rel.Dir, name)
		if err != nil {
			ps = append(ps, Problem{Severity: Error, Rule: "file", Where: field, What: err.Error(),
				Fix: "put the file inside the release folder and name it relative to it"})
			return
		}
		rel.Files[name] = p
	}
	check("cover", rf.Cover)
	for i, t := range rf.Tracks {
		check(fmt.Sprintf("tracks[%d].file", i+1), t.File)
	}
	return ps
}

// InsideFolder resolves name against dir and returns its path relative to
// dir, links resolved, when it is an existing, non-empty regular file that
// stays inside dir. Anything else is an error saying why.
func InsideFolder(dir, name string) (string, error) {
	if filepath.IsAbs(name) || !filepath.IsLocal(name) {
		return "", fmt.Errorf("%q points outside the release folder", name)
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("release folder: %w", err)
	}
	p := filepath.Join(dir, name)
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%q does not exist in the release folder", name)
		}
		return "", fmt.Errorf("%q: %v", name, err)
	}
	rel, err := filepath.Rel(root, real)
	if err != nil || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("%q is a link leading outside the release folder", name)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("%q: %v", name, err)
	}
	switch {
	case fi.IsDir():
		return "", fmt.Errorf("%q is a folder, not a file", name)
	case !fi.Mode().IsRegular():
		return "", fmt.Errorf("%q is not a regular file", name)
	case fi.Size() == 0:
		return "", fmt.Errorf("%q is empty (0 bytes)", name)
	}
	return rel, nil
}
