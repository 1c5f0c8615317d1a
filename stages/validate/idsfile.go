package validate

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/identifiers"
)

// IDsFileName holds the codes ferry allocated for an ERN message dropped
// without them ([identifiers] fill_missing): the message is left as the
// user wrote it, and this file is read with it.
const IDsFileName = "ferry-ids.toml"

// maxIDsFileSize bounds ferry-ids.toml: one UPC and an ISRC per track.
const maxIDsFileSize = 64 << 10

// idsFile is ferry-ids.toml.
type idsFile struct {
	UPC  string   `toml:"upc"`
	ISRC []string `toml:"isrc"` // by track position; "" where the message has its own
}

// readIDsFile reads dir's ferry-ids.toml; a missing file is an empty one.
func readIDsFile(dir string) (*idsFile, error) {
	data, err := files.ReadRegular(filepath.Join(dir, IDsFileName), maxIDsFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return &idsFile{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read: %v", IDsFileName, errors.Unwrap(err))
	}
	var f idsFile
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", IDsFileName, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		return nil, fmt.Errorf("%s: unknown key %q (it holds upc and isrc only)", IDsFileName, u[0].String())
	}
	return &f, nil
}

// applyIDsFile fills the codes an ERN message lacks from ferry-ids.toml.
func applyIDsFile(dir string, rf *ReleaseFile) *Problem {
	f, err := readIDsFile(dir)
	if err != nil {
		return &Problem{Severity: Error, Rule: ruleReleaseFile, Where: IDsFileName, What: err.Error(),
			Fix: "restore the file ferry wrote, or delete it and put the codes into the ERN message"}
	}
	if strings.TrimSpace(rf.UPC) == "" {
		rf.UPC = f.UPC
	}
	for i := range rf.Tracks {
		if strings.TrimSpace(rf.Tracks[i].ISRC) == "" && i < len(f.ISRC) {
			rf.Tracks[i].ISRC = f.ISRC[i]
		}
	}
	return nil
}

// fillMissing allocates the ICPN and ISRCs an ERN message dropped in dir
// lacks and writes them to ferry-ids.toml (temporary file, fsync,
// rename), so that a later validation finds them and allocates nothing.
func (v *Validator) fillMissing(dir string) ([]Allocation, string) {
	name, err := ernFileIn(dir)
	if err != nil || name == "" {
		return nil, ""
	}
	rf, err := ReadERNFile(filepath.Join(dir, name))
	if err != nil || rf.Action != ActionDeliver {
		return nil, ""
	}
	f, err := readIDsFile(dir)
	if err != nil {
		return nil, "" // load reports it
	}
	var kinds []identifiers.Kind
	var where []string
	if strings.TrimSpace(rf.UPC) == "" && f.UPC == "" {
		kinds, where = append(kinds, identifiers.UPC), append(where, "upc")
	}
	for i, t := range rf.Tracks {
		if strings.TrimSpace(t.ISRC) == "" && (i >= len(f.ISRC) || f.ISRC[i] == "") {
			kinds, where = append(kinds, identifiers.ISRC), append(where, fmt.Sprintf("tracks[%d].isrc", i+1))
		}
	}
	if len(kinds) == 0 {
		return nil, ""
	}
	codes, err := v.IDs.Allocate(filepath.Base(dir), kinds...)
	if err != nil {
		return nil, "" // the required-field problems stand; the reason is in the log of ferry ids show
	}
	var out []Allocation
	for len(f.ISRC) < len(rf.Tracks) {
		f.ISRC = append(f.ISRC, "")
	}
	for i, k := range kinds {
		out = append(out, Allocation{where[i], codes[i]})
		if k == identifiers.UPC {
			f.UPC = codes[i]
			continue
		}
		var t int
		fmt.Sscanf(where[i], "tracks[%d].isrc", &t)
		f.ISRC[t-1] = codes[i]
	}
	var b strings.Builder
	b.WriteString("# Codes ferry allocated for " + name + ", which had none ([identifiers] fill_missing).\n")
	b.WriteString("# ferry reads them with the message: keep this file beside it.\n")
	if err := toml.NewEncoder(&b).Encode(f); err != nil {
		return out, err.Error()
	}
	if err := files.WriteFileAtomic(filepath.Join(dir, IDsFileName), []byte(b.String()), files.FilePerm); err != nil {
		return out, fmt.Sprintf("ferry allocated %s but could not write %s: %v", describe(out), IDsFileName, errors.Unwrap(err))
	}
	v.IDs.Confirm(filepath.Base(dir), codes...)
	return out, ""
}
