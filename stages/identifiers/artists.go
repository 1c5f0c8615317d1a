package identifiers

import (
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/ident"
	"github.com/ferrydelivery/ferry/stages/files"
)

// maxArtistsFile bounds artists.toml: a label's roster of thousands of
// artists is well under this.
const maxArtistsFile = 16 << 20

// Artist is one [[artists]] entry of artists.toml: a name and the
// party identifiers ferry adds to every release that names it.
type Artist struct {
	Name string `toml:"name"`
	ISNI string `toml:"isni"`
	IPI  string `toml:"ipi"`
}

// Artists is the artist registry: names bound to ISNI and IPI, so that
// releases need not repeat them.
type Artists struct {
	byName map[string]Artist
}

// nameKey compares artist names: case and runs of spaces do not count.
func nameKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// LoadArtists reads artists.toml: [[artists]] tables with name, isni and
// ipi. Unknown keys, invalid ISNIs, IPIs that are not 1 to 11 digits and
// a name listed twice are errors.
func LoadArtists(path string) (*Artists, error) {
	data, err := files.ReadRegular(path, maxArtistsFile)
	if err != nil {
		return nil, fmt.Errorf("artist registry: %w", err)
	}
	a, err := ParseArtists(string(data))
	if err != nil {
		return nil, fmt.Errorf("artist registry %s: %w", path, err)
	}
	return a, nil
}

// ParseArtists decodes artists.toml text.
func ParseArtists(text string) (*Artists, error) {
	var f struct {
		Artists []Artist `toml:"artists"`
	}
	md, err := toml.Decode(text, &f)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, k := range md.Undecoded() {
		errs = append(errs, fmt.Errorf("unknown key %q (want name, isni, ipi in [[artists]])", k.String()))
	}
	reg := &Artists{byName: map[string]Artist{}}
	for i, a := range f.Artists {
		where := fmt.Sprintf("artists[%d]", i+1)
		key := nameKey(a.Name)
		switch {
		case key == "":
			errs = append(errs, fmt.Errorf("%s: name is missing", where))
			continue
		case reg.byName[key].Name != "":
			errs = append(errs, fmt.Errorf("%s: %q is listed twice", where, a.Name))
			continue
		}
		if a.ISNI != "" {
			if err := ident.CheckISNI(a.ISNI); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", where, err))
			}
			a.ISNI = ident.NormalizeISNI(a.ISNI)
		}
		if a.IPI = strings.TrimSpace(a.IPI); a.IPI != "" && (len(a.IPI) > 11 || strings.Trim(a.IPI, "0123456789") != "") {
			errs = append(errs, fmt.Errorf("%s: IPI %q is not an IPI name number (1 to 11 digits)", where, a.IPI))
		}
		reg.byName[key] = a
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return reg, nil
}

// Len is how many artists the registry holds.
func (r *Artists) Len() int { return len(r.byName) }

// Lookup returns the registry's entry for name.
func (r *Artists) Lookup(name string) (Artist, bool) {
	a, ok := r.byName[nameKey(name)]
	return a, ok
}

// Mismatch is an artist whose release gives another ISNI than the
// registry: the release's is kept and the validator warns.
type Mismatch struct {
	Where      string // the release.toml place: artists[1], tracks[2].contributors[1]
	Name       string
	Given      string // the release's ISNI
	Registered string // the registry's
}

// Inject fills in the ISNI and IPI of every artist and contributor of
// the release that the registry knows and the release leaves without
// them. Where a release gives another ISNI than the registry, its own is
// kept and the difference returned.
func (r *Artists) Inject(rel *ern.Release) []Mismatch {
	if r == nil || rel == nil {
		return nil
	}
	var out []Mismatch
	fill := func(where string, list []ern.Artist) {
		for i := range list {
			a := &list[i]
			reg, ok := r.Lookup(a.Name)
			if !ok {
				continue
			}
			switch {
			case a.ISNI == "":
				a.ISNI = reg.ISNI
			case reg.ISNI != "" && ident.NormalizeISNI(a.ISNI) != reg.ISNI:
				out = append(out, Mismatch{Where: fmt.Sprintf("%s[%d].isni", where, i+1), Name: a.Name, Given: a.ISNI, Registered: reg.ISNI})
			}
			if a.IPI == "" {
				a.IPI = reg.IPI
			}
		}
	}
	fill("artists", rel.Artists)
	for i := range rel.Tracks {
		t := &rel.Tracks[i]
		fill(fmt.Sprintf("tracks[%d].artists", i+1), t.Artists)
		fill(fmt.Sprintf("tracks[%d].contributors", i+1), t.Contributors)
	}
	return out
}
