package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/ferrydelivery/ferry/ern/ident"
	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/identifiers"
)

// Allocation is a code validation allocated for an "auto" value and
// wrote into release.toml.
type Allocation struct {
	Where string `json:"where"` // upc, grid, tracks[2].isrc
	Code  string `json:"code"`
}

// noAllocator is why "auto" gets no code when no allocator is set.
const noAllocator = "ferry has no identifier blocks configured ([identifiers] in its configuration)"

// allocatedAtIntake is why "auto" gets no code from `ferry validate`,
// which previews: the daemon allocates it when the folder is dropped.
const allocatedAtIntake = "allocated at intake"

// allocate gives codes to the "auto" values of dir's release.toml and
// writes them back into it, so that the checks that follow, and every
// later validation of the folder, see real codes: a retry, a restart or
// a move back from failed/ never allocates again. It returns what it
// allocated, and when "auto" values are left, why (the checker reports
// them). Anything wrong with release.toml itself is left to load.
func (v *Validator) allocate(dir string) ([]Allocation, string) {
	path := filepath.Join(dir, ReleaseFileName)
	data, err := files.ReadRegular(path, maxReleaseFileSize)
	if errors.Is(err, fs.ErrNotExist) && v.FillMissing && v.IDs != nil {
		return v.fillMissing(dir)
	}
	if errors.Is(err, files.ErrNotRegular) {
		return nil, "release.toml is a link (or not a regular file): ferry writes codes only into a release.toml file itself"
	}
	if err != nil || !bytes.Contains(bytes.ToLower(data), []byte(identifiers.Auto)) {
		return nil, ""
	}
	rf, err := ParseReleaseFile(data)
	if err != nil {
		return nil, ""
	}
	if rf.Action != ActionDeliver {
		return nil, "a takedown withdraws a release the DSPs already have: write its UPC"
	}
	w, err := identifiers.FindAuto(data)
	if err != nil {
		return nil, err.Error()
	}
	if w.Empty() {
		return nil, ""
	}
	if v.Preview != nil && v.IDs == nil {
		for _, k := range w.Kinds() {
			if !v.Preview[k] {
				return nil, noAllocator
			}
		}
		return nil, allocatedAtIntake
	}
	if v.IDs == nil {
		return nil, noAllocator
	}
	name := filepath.Base(dir)
	codes, err := v.IDs.Allocate(name, w.Kinds()...)
	if err != nil {
		return nil, err.Error()
	}
	as := w.Assign(codes)
	var out []Allocation
	if as.UPC != "" {
		out = append(out, Allocation{"upc", as.UPC})
	}
	if as.GRid != "" {
		out = append(out, Allocation{"grid", as.GRid})
	}
	for _, t := range w.ISRC {
		out = append(out, Allocation{fmt.Sprintf("tracks[%d].isrc", t+1), as.ISRC[t]})
	}
	if err := identifiers.WriteBack(path, as); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the server's path is no business of the drop's author
		}
		return out, fmt.Sprintf("ferry allocated %s for it but could not write the codes into release.toml (%v); they are this release's and no other's: write them in by hand in place of \"auto\"",
			describe(out), err)
	}
	v.IDs.Confirm(name, codes...) // only `ferry ids show` reads it: a failure costs a gap count
	return out, ""
}

// checkAuto reports every "auto" value left after allocation.
func (c *checker) checkAuto() {
	reason := c.autoReason
	if reason == "" {
		reason = noAllocator
	}
	fix := `write the code issued for it, or ask whoever runs ferry to configure the label's blocks ([identifiers], see the README's "Identifiers")`
	if reason != noAllocator {
		fix = "correct what is said; ferry allocates the code at the next validation"
	}
	add := func(where, v string) {
		switch {
		case !identifiers.IsAuto(v):
		case reason == allocatedAtIntake:
			c.add(ruleIDAutoIntake, where, fmt.Sprintf("%s is %q: ferry allocates its code from the label's block when the folder is dropped (ferry validate allocates nothing)", where, v),
				"nothing, if the block has codes left (ferry ids show)")
		default:
			c.add(ruleIDAuto, where, fmt.Sprintf("%s is %q but ferry gave it no code: %s", where, v, reason), fix)
		}
	}
	add("upc", c.rf.UPC)
	add("grid", c.rf.GRid)
	for i, t := range c.rf.Tracks {
		add(fmt.Sprintf("tracks[%d].isrc", i+1), t.ISRC)
	}
}

// registryChecks warns of codes inside the label's blocks that were
// never issued (a typo of an issued code is most often another code of
// the same block) and records them so they are never allocated; and
// adds the artist registry's ISNI and IPI to the model, warning where
// the release gives another ISNI.
func (v *Validator) registryChecks(rel *Release) Problems {
	var ps Problems
	if v.IDs != nil {
		type own struct{ where, code string }
		var codes []own
		if ident.CheckUPC(rel.file.UPC) == nil {
			codes = append(codes, own{"upc", rel.Model.UPC})
		}
		for i, t := range rel.file.Tracks {
			if ident.CheckISRC(t.ISRC) == nil {
				codes = append(codes, own{fmt.Sprintf("tracks[%d].isrc", i+1), rel.Model.Tracks[i].ISRC})
			}
		}
		var all []string
		for _, c := range codes {
			st, err := v.IDs.Lookup(c.code)
			if err != nil {
				return append(ps, journalProblem(err))
			}
			all = append(all, c.code)
			if st.InBlock && !st.Issued {
				ps = append(ps, Problem{Severity: Warning, Rule: ruleIDUnissued, Where: c.where,
					What: fmt.Sprintf("%s lies in the label's block %s but ferry never allocated, reserved or imported it: a typo?", c.code, st.Block),
					Fix:  `check the code against the one issued; write "auto" to have ferry allocate one, or import codes issued before ferry with ferry ids import`})
			}
		}
		if err := v.IDs.Observe(filepath.Base(rel.Dir), all...); err != nil {
			ps = append(ps, journalProblem(err))
		}
	}
	for _, m := range v.Artists.Inject(rel.Model) {
		ps = append(ps, Problem{Severity: Warning, Rule: ruleArtistISNI, Where: m.Where,
			What: fmt.Sprintf("%q has ISNI %s here but %s in the artist registry; the release's is sent", m.Name, m.Given, m.Registered),
			Fix:  "correct the ISNI in release.toml, or in artists.toml if the registry is wrong"})
	}
	return ps
}

func journalProblem(err error) Problem {
	return Problem{Severity: Error, Rule: ruleIDJournal, Where: ReleaseFileName,
		What: fmt.Sprintf("ferry could not check the release's codes against its identifier journal: %v", err),
		Fix:  "nothing in the folder: whoever runs ferry must make .ferry/ids under the root readable and writable (disk full? damaged journal?), then move the folder back to inbox/"}
}

// keptCodes says, in a failed release's report, that the codes
// allocated for it stay in its release.toml.
func keptCodes(allocated []Allocation) Problem {
	return Problem{Severity: Warning, Rule: ruleIDAllocated, Where: ReleaseFileName,
		What: fmt.Sprintf("ferry allocated %s and wrote them into release.toml; they are kept even though the release failed: they are this release's and no other's", describe(allocated)),
		Fix:  "keep these codes when fixing the other problems; do not write \"auto\" again, or the release gets new codes and these are wasted"}
}

func describe(allocated []Allocation) string {
	parts := make([]string, len(allocated))
	for i, a := range allocated {
		parts[i] = a.Where + " " + a.Code
	}
	return strings.Join(parts, ", ")
}
