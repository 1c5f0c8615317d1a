package validate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/identifiers"
	"github.com/ferrydelivery/ferry/stages/media"
)

// Release is a loaded release folder: its model with file names resolved
// against the folder and technical details read from the media headers,
// its action and where it goes.
type Release struct {
	Dir       string
	Model     *ern.Release
	Action    string
	DeliverTo []string
	// Preset is the preset release.toml names ("" for none); its DSPs are
	// in DeliverTo when release.toml has no deliver_to.
	Preset string
	// AllowReuse says the release may carry recordings live at a DSP
	// under another release (a compilation): duplicate go-live is then a
	// warning, not an error.
	AllowReuse bool
	// Confirm lists the rules whose errors the user confirmed (confirm
	// in release.toml, or ferry-confirm.toml beside an ERN message): they
	// are warnings, and the release is sent.
	Confirm []string
	// Files maps each referenced file name (as written in release.toml)
	// to its path relative to Dir with links resolved.
	Files map[string]string
	// Allocated lists the codes validation allocated for this release's
	// "auto" values and wrote into its release.toml, for its history.
	Allocated []Allocation
	// HeaderBytes is how many bytes of the audio and artwork files were
	// read to learn their formats and durations (headers only).
	HeaderBytes int64

	file   *ReleaseFile
	folder *folder
	// used holds every path (relative to Dir, as found and with links
	// resolved) a reference led to, for the unreferenced-audio check.
	used  map[string]bool
	audio map[int]*audioFile // by track index
	cover *imageFile
	// dealsByDSP are the deals of the DSPs that do not get Model.Deals
	// (see DealsFor).
	dealsByDSP map[string][]ern.Deal
}

// audioFile is a track's file and what its header says.
type audioFile struct {
	name, where string
	res         *resolved
	info        media.AudioInfo
}

// imageFile is the cover's file and what its header says.
type imageFile struct {
	name, where string
	res         *resolved
	info        media.ImageInfo
}

// Load reads the release folder at dir: release.toml, the referenced
// files (found, inside the folder, regular, not empty) and the headers of
// the audio and cover, whose details (durations, sample rates, sizes)
// fill the model. It returns the problems that make the release
// impossible to deliver, all of them; the release is nil when
// release.toml could not be read. Validator.Validate runs every other
// check as well.
func Load(dir string) (*Release, Problems) {
	return LoadContext(context.Background(), dir)
}

// LoadContext is Load, abandoned when ctx is done (the daemon's grace
// period ended): the problems then say so.
func LoadContext(ctx context.Context, dir string) (*Release, Problems) {
	rel, ps := load(ctx, dir)
	var fixed Problems
	for _, p := range ps {
		if checkByName[p.Rule].Fixed {
			fixed = append(fixed, p)
		}
	}
	if rel != nil {
		fixed = rel.file.place(fixed)
	}
	fixed.Sort()
	if rel != nil && rel.file.ern != nil {
		rel.file.ern.hints(fixed)
	}
	return rel, fixed
}

// load does Load's work and returns every problem it found, with the
// rules' default severities.
func load(ctx context.Context, dir string) (*Release, Problems) {
	rf, p := readReleaseFileIn(dir)
	if p != nil {
		return nil, Problems{*p}
	}
	rel := &Release{Dir: dir, Model: rf.Model(), Action: rf.Action, DeliverTo: rf.DeliverTo, AllowReuse: rf.AllowReuse,
		Confirm: rf.Confirm, Files: map[string]string{}, file: rf, used: map[string]bool{}, audio: map[int]*audioFile{}}
	rel.resolveDeals()
	ps := rf.issueProblems()
	if !NeedsFiles(rf.Action) {
		return rel, ps
	}
	return rel, append(ps, rel.loadFiles(ctx)...)
}

// readReleaseFileIn reads dir's release.toml, refusing a link that leads
// outside the folder (its text would end up in error messages).
func readReleaseFileIn(dir string) (*ReleaseFile, *Problem) {
	path := filepath.Join(dir, ReleaseFileName)
	bad := func(what, fix string) *Problem {
		return &Problem{Severity: Error, Rule: ruleReleaseFile, Where: ReleaseFileName, What: what, Fix: fix}
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, derr := os.Stat(dir); derr != nil {
			return nil, bad(fmt.Sprintf("the release folder cannot be read: %v", derr), "check that the folder exists and ferry may read it")
		}
		name, err := ernFileIn(dir)
		switch {
		case err != nil:
			fix := "keep the one ERN message, or add a release.toml"
			if errors.Is(err, errNotRegularMessage) {
				fix = "put the message file itself (not a link, named pipe or folder) at the top of the release folder, or add a release.toml"
			}
			return nil, bad(err.Error(), fix)
		case name == "":
			return nil, bad("the folder has no release.toml (nor an ERN XML message)",
				"add a release.toml describing the release (see the README for the format), or the release's ERN message")
		}
		rf, err := ReadERNFile(filepath.Join(dir, name))
		if err != nil {
			return nil, &Problem{Severity: Error, Rule: ruleReleaseFile, Where: name, What: err.Error(),
				Fix: "drop a NewReleaseMessage in ERN 3.8.2, 4.1, 4.1.1, 4.2, 4.3, 4.3.1 or 4.3.2, or a release.toml instead"}
		}
		if p := applyIDsFile(dir, rf); p != nil {
			return nil, p
		}
		if p := applyConfirmFile(dir, rf); p != nil {
			return nil, p
		}
		return rf, nil
	case err != nil:
		return nil, bad(openProblem(ReleaseFileName, err).what, "let ferry's user read release.toml, or write it again")
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		f, err := newFolder(dir)
		if err != nil {
			return nil, bad(err.Error(), "check the release folder")
		}
		r, err := f.resolve(ReleaseFileName)
		if err == nil {
			path = filepath.Join(dir, r.rel) // the link's target, inside the folder, opened without following links
		}
		if err != nil {
			var fp *fileProblem
			if errors.As(err, &fp) && fp.rule == ruleFileOutside {
				return nil, bad("release.toml is a link leading outside the release folder", "put the release.toml file itself into the folder")
			}
			return nil, bad(strings.ReplaceAll(err.Error(), `"release.toml" `, "release.toml "), "put the release.toml file itself into the folder")
		}
	}
	rf, err := ReadReleaseFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) { // the file system refused: say so without the server's path
			return nil, bad(openProblem(ReleaseFileName, err).what, "let ferry's user read release.toml, or write it again")
		}
		return nil, bad(err.Error(), "correct release.toml; the README lists every key")
	}
	return rf, nil
}

// loadFiles resolves the cover and every track's file and reads their
// headers into the model.
func (rel *Release) loadFiles(ctx context.Context) Problems {
	var ps Problems
	f, err := newFolder(rel.Dir)
	if err != nil {
		return Problems{{Severity: Error, Rule: ruleFileUnreadable, Where: ".", What: err.Error(), Fix: "check the release folder"}}
	}
	rel.folder = f
	type seen struct {
		where string
		res   *resolved
	}
	var refs []seen
	use := func(where, name string) *resolved {
		if name == "" {
			return nil
		}
		r, err := f.resolve(name)
		if err != nil {
			// The reference exists even when its file cannot be used:
			// the file is not "unreferenced".
			rel.used[filepath.Clean(filepath.FromSlash(name))] = true
			var fp *fileProblem
			if !errors.As(err, &fp) {
				fp = openProblem(name, err)
			}
			ps = append(ps, Problem{Rule: fp.rule, Where: where, What: fp.what, Fix: fp.fix})
			return nil
		}
		rel.Files[name] = r.rel
		rel.used[r.rel], rel.used[r.path] = true, true
		if r.normalized {
			ps = append(ps, Problem{Rule: ruleFileNormalization, Where: where,
				What: fmt.Sprintf("%q matches the file %q only after Unicode normalization: release.toml and the disk write the same letters differently (NFC and NFD; macOS writes NFD)", name, filepath.ToSlash(r.path)),
				Fix:  "nothing is needed: ferry uses the file; to silence this, rename the file or retype its name in release.toml"})
		}
		for _, s := range refs {
			if s.res.rel == r.rel || os.SameFile(s.res.info, r.info) {
				ps = append(ps, Problem{Rule: ruleFileReused, Where: where,
					What: fmt.Sprintf("%q is the same file as %s", name, s.where),
					Fix:  "give each track its own audio file"})
				break
			}
		}
		refs = append(refs, seen{where, r})
		return r
	}
	if r := use("cover", rel.file.Cover); r != nil {
		p, info := readImage(f, rel.file.Cover, "cover", r)
		if p != nil {
			ps = append(ps, *p)
		} else {
			rel.cover = &imageFile{name: rel.file.Cover, where: "cover", res: r, info: info}
			rel.HeaderBytes += info.BytesRead
			rel.Model.Cover.Codec, rel.Model.Cover.Width, rel.Model.Cover.Height = info.Format, info.Width, info.Height
		}
	}
	for i, t := range rel.file.Tracks {
		where := fmt.Sprintf("tracks[%d].file", i+1)
		if err := ctx.Err(); err != nil {
			return append(ps, Problem{Severity: Error, Rule: ruleFileUnreadable, Where: where,
				What: "validation was abandoned before this file: " + err.Error(), Fix: "nothing: ferry checks the folder again at its next start"})
		}
		r := use(where, t.File)
		if r == nil {
			continue
		}
		p, info := readAudio(f, t.File, where, r)
		if p != nil {
			ps = append(ps, *p)
			continue
		}
		rel.audio[i] = &audioFile{name: t.File, where: where, res: r, info: info}
		rel.HeaderBytes += info.BytesRead
		mt := &rel.Model.Tracks[i]
		mt.Duration = info.Duration
		mt.Audio.Codec, mt.Audio.SampleRate, mt.Audio.BitsPerSample, mt.Audio.Channels = info.Format, info.SampleRate, info.BitsPerSample, info.Channels
	}
	return ps
}

// Validator checks release folders against everything ferry knows DSPs
// reject, with each DSP's rules from the configuration.
type Validator struct {
	// Rules returns a DSP's validation rules (config.Config.RulesFor);
	// nil means the defaults for every DSP.
	Rules func(dsp string) config.Rules
	// DefaultDSPs are the DSPs a release goes to when its release.toml has
	// no deliver_to.
	DefaultDSPs []string
	// DSPs, when not nil, are the configured DSPs: a deliver_to name
	// outside them is an error.
	DSPs []string
	// Now is the clock deal end dates are compared with; nil: time.Now.
	Now func() time.Time
	// Location is the zone takedown_at is read in; nil: UTC.
	Location *time.Location
	// ERNVersion returns the ERN version a DSP gets (config ern_version),
	// for the values some versions lack (AsPerContract); nil or "": not
	// checked.
	ERNVersion func(dsp string) string
	// IDs, when not nil, allocates codes for the "auto" values of
	// release.toml and writes them back before the release is checked,
	// and holds the codes the label issued (see identifiers.go). Nil:
	// "auto" is an error.
	IDs *identifiers.Allocator
	// Artists, when not nil, is the artist registry whose ISNI and IPI
	// are added to the artists a release names.
	Artists *identifiers.Artists
	// FillMissing, with IDs, allocates the ICPN and ISRCs an ERN message
	// dropped without them lacks ([identifiers] fill_missing); they are
	// kept in ferry-ids.toml beside the message.
	FillMissing bool
	// Presets are the configuration's [preset.NAME] tables; a release's
	// preset = "NAME" outside them is an error (when DSPs is not nil).
	Presets map[string]*config.Preset
	// Preview, for the validate command (which allocates nothing), names
	// the kinds of code the configuration has blocks for: an "auto"
	// value of such a kind is a warning that intake will allocate it
	// (rule id-auto-intake), not an error. Nil in the daemon.
	Preview map[identifiers.Kind]bool
}

// PreviewFor is the Preview of a configuration: the kinds it has
// [identifiers] blocks for.
func PreviewFor(cfg *config.Config) map[identifiers.Kind]bool {
	return map[identifiers.Kind]bool{
		identifiers.UPC:  len(cfg.Identifiers.UPC) > 0,
		identifiers.ISRC: len(cfg.Identifiers.ISRC) > 0,
		identifiers.GRid: len(cfg.Identifiers.GRid) > 0,
	}
}

func (v *Validator) ernVersion(dsp string) string {
	if v.ERNVersion == nil {
		return ""
	}
	return v.ERNVersion(dsp)
}

// ValidatorFor is the validator of a configuration: each DSP's rules,
// releases without deliver_to going to the config's deliver_to (or every
// DSP), deliver_to names checked against the configured DSPs.
func ValidatorFor(cfg *config.Config) *Validator {
	defaults := cfg.DeliverTo
	if len(defaults) == 0 {
		defaults = cfg.DSPNames()
	}
	version := func(dsp string) string {
		if d := cfg.DSP[dsp]; d != nil {
			return d.ERNVersion
		}
		return ""
	}
	return &Validator{Rules: cfg.RulesFor, DefaultDSPs: defaults, DSPs: cfg.DSPNames(), Location: cfg.Lifecycle.Location(), ERNVersion: version,
		FillMissing: cfg.Identifiers.FillMissing, Presets: cfg.Preset}
}

// Validate loads the release folder at dir and runs every check, for
// every DSP the release goes to, with that DSP's rules and severity
// overrides. All problems are returned at once, errors first.
func (v *Validator) Validate(dir string) (*Release, Problems) {
	return v.ValidateFor(dir, nil)
}

// Load is LoadContext with the release's preset applied, as validation
// applied it: the packaging stage loads a validated release with it, so
// that each DSP's deals (DealsFor) and destinations are the ones that
// were checked. Only the problems that make the release impossible to
// deliver are returned, as LoadContext does (an unknown preset is one).
func (v *Validator) Load(ctx context.Context, dir string) (*Release, Problems) {
	rel, ps := LoadContext(ctx, dir)
	if rel == nil {
		return nil, ps
	}
	if more := rel.file.place(v.applyPreset(rel)); len(more) > 0 {
		ps = append(ps, more...)
		ps.Sort()
	}
	return rel, ps
}

// ValidateFor is Validate for the DSPs in only (when not empty) instead
// of the release's own: a delivery instance retried for one DSP is
// checked against that DSP's rules alone.
func (v *Validator) ValidateFor(dir string, only []string) (*Release, Problems) {
	return v.ValidateForContext(context.Background(), dir, only)
}

// ValidateForContext is ValidateFor, abandoned when ctx is done.
func (v *Validator) ValidateForContext(ctx context.Context, dir string, only []string) (*Release, Problems) {
	allocated, autoReason := v.allocate(dir)
	rel, loaded := load(ctx, dir)
	if rel == nil {
		return nil, loaded
	}
	rel.Allocated = allocated
	loaded = append(loaded, v.applyPreset(rel)...)
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	c := &checker{rel: rel, rf: rel.file, now: now(), dsps: v.DSPs, loc: v.Location, autoReason: autoReason}
	c.ps = loaded
	c.run()
	c.ps = append(c.ps, v.registryChecks(rel)...)
	targets := v.targets(rel, only)
	for _, p := range rel.checkNames(targets, only) {
		c.add(p.Rule, p.Where, p.What, p.Fix)
	}
	if v.DSPs != nil {
		c.ps = append(c.ps, rel.checkDealDSPs(v.Targets(rel))...)
	}
	ps := v.perDSP(targets, c.ps, func(dsp string, r config.Rules) Problems {
		ps := append(rel.dspChecks(r), rel.versionChecks(dsp, v.ernVersion(dsp))...)
		ps = append(ps, rel.windowOverlap(dsp)...)
		return append(ps, rel.leadTime(dsp, r.LeadTime.Duration, c.now)...)
	})
	ps = rel.applyConfirm(rel.file.place(ps))
	if ps.Errors() > 0 && len(allocated) > 0 && autoReason == "" { // written back: kept
		ps = append(ps, keptCodes(allocated))
	}
	ps.Sort()
	if rel.file.ern != nil {
		rel.file.ern.hints(ps)
	}
	return rel, ps.Grouped()
}

func (v *Validator) targets(rel *Release, only []string) []string {
	t := only
	if len(t) == 0 {
		t = rel.DeliverTo
	}
	if len(t) == 0 {
		t = v.DefaultDSPs
	}
	var out []string
	for _, name := range t {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// rulesFor is the DSP's rules with every unset limit at its default.
func (v *Validator) rulesFor(dsp string) config.Rules {
	var r config.Rules
	if v.Rules != nil {
		r = v.Rules(dsp)
	}
	if r.MinArtworkPx == 0 {
		r.MinArtworkPx = config.DefaultMinArtworkPx
	}
	if r.MaxArtworkBytes == 0 {
		r.MaxArtworkBytes = config.DefaultMaxArtworkBytes
	}
	if len(r.AudioFormats) == 0 {
		r.AudioFormats = []string{"WAV", "FLAC"}
	}
	if r.AllowExtensible == nil {
		yes := true
		r.AllowExtensible = &yes
	}
	return r
}

// perDSP applies each target DSP's severity overrides to the common
// problems and adds its rule-based ones. A problem the same for every
// target is reported once; one that differs names its DSPs.
func (v *Validator) perDSP(targets []string, common Problems, dspChecks func(string, config.Rules) Problems) Problems {
	type group struct {
		p    Problem
		dsps []string
	}
	var order []string
	groups := map[string]*group{}
	for _, t := range targets {
		r := v.rulesFor(t)
		for _, p := range append(slices.Clone(common), dspChecks(t, r)...) {
			p.Severity = severityFor(p.Rule, r.Severity)
			if p.Severity == Off {
				continue
			}
			k := strings.Join([]string{p.Rule, p.Where, p.What, p.Fix, string(p.Severity)}, "\x00")
			g := groups[k]
			if g == nil {
				g = &group{p: p}
				groups[k] = g
				order = append(order, k)
			}
			g.dsps = append(g.dsps, t)
		}
	}
	out := make(Problems, 0, len(order))
	for _, k := range order {
		g := groups[k]
		if len(g.dsps) < len(targets) {
			g.p.DSP = strings.Join(g.dsps, ", ")
		}
		out = append(out, g.p)
	}
	return out
}

// ID is the release's identifier in folder names and acknowledgements:
// its GRid when it has one, else its UPC.
func (r *Release) ID() string {
	if r.Model.GRid != "" {
		return r.Model.GRid
	}
	return r.Model.UPC
}

// Targets lists the DSPs a release goes to with this validator: its
// deliver_to, else the configured default.
func (v *Validator) Targets(rel *Release) []string {
	var out []string
	for _, t := range v.targets(rel, nil) {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}
