package validate

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
)

// exampleRelease returns a copy of testdata/example with its media: the
// files `make example` generated when present, else generated now by
// running testdata/mkexample.
func exampleRelease(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "testdata", "example")
	dir := filepath.Join(t.TempDir(), "harbour-lights")
	media := []string{"01-first-light.wav", "02-harbour-lights.flac", "cover.jpg"}
	have := true
	for _, m := range media {
		if _, err := os.Stat(filepath.Join(src, m)); err != nil {
			have = false
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyTestFile(t, filepath.Join(src, ReleaseFileName), filepath.Join(dir, ReleaseFileName))
	if have {
		for _, m := range media {
			copyTestFile(t, filepath.Join(src, m), filepath.Join(dir, m))
		}
		return dir
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the example's media are not generated (make example) and no go command is on PATH to generate them")
	}
	out, err := exec.Command(goTool, "run", "../../testdata/mkexample", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("go run testdata/mkexample: %v\n%s", err, out)
	}
	return dir
}

func TestValidateExample(t *testing.T) {
	dir := exampleRelease(t)
	v := &Validator{Now: func() time.Time { return testNow }}
	rel, ps := v.Validate(dir)
	if len(ps) != 0 {
		t.Fatalf("the example release has problems:\n%s", ps.Error())
	}
	m := rel.Model
	wantTracks := []struct {
		dur                  time.Duration
		codec                string
		rate, bits, channels int
	}{{2500 * time.Millisecond, "WAV", 44100, 16, 2}, {3 * time.Second, "FLAC", 44100, 16, 2}}
	if len(m.Tracks) != len(wantTracks) {
		t.Fatalf("%d tracks", len(m.Tracks))
	}
	for i, w := range wantTracks {
		got := m.Tracks[i]
		if got.Duration != w.dur || got.Audio.Codec != w.codec || got.Audio.SampleRate != w.rate ||
			got.Audio.BitsPerSample != w.bits || got.Audio.Channels != w.channels {
			t.Errorf("track %d: %v %+v, want %+v", i+1, got.Duration, got.Audio, w)
		}
	}
	if c := m.Cover; c == nil || c.Codec != "JPEG" || c.Width != 3000 || c.Height != 3000 {
		t.Errorf("cover %+v", c)
	}
	if rel.Files["cover.jpg"] != "cover.jpg" || rel.Files["02-harbour-lights.flac"] != "02-harbour-lights.flac" {
		t.Errorf("Files = %v", rel.Files)
	}
	if rel.HeaderBytes <= 0 || rel.HeaderBytes > 64<<10 {
		t.Errorf("HeaderBytes = %d, want a few kilobytes", rel.HeaderBytes)
	}
}

func TestLoadReturnsOnlyWhatBlocksDelivery(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, replace(`title = "First Light"`, `title = "FIRST LIGHT"`))
	_, ps := Load(dir)
	if len(ps) != 0 {
		t.Errorf("Load reports overridable problems:\n%s", ps.Error())
	}
	os.Remove(filepath.Join(dir, track2))
	rel, ps := Load(dir)
	if len(ps) != 1 || ps[0].Rule != ruleFileMissing {
		t.Fatalf("Load: %v", ps)
	}
	if rel.Model.Tracks[0].Duration != 100*time.Millisecond || rel.Model.Tracks[1].Duration != 0 {
		t.Errorf("durations %v, %v", rel.Model.Tracks[0].Duration, rel.Model.Tracks[1].Duration)
	}
	_, all := testValidator(defaultRules).Validate(dir)
	if _, ok := findProblem(all, ruleStyleCaps, "tracks[1].title", "capitals"); !ok {
		t.Errorf("Validate lost the style warning:\n%s", all.Error())
	}
}

func TestTakedownNeedsOnlyIdentifiers(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, ReleaseFileName), "action = \"takedown\"\nupc = \"5901234123457\"\n")
	rel, ps := testValidator(defaultRules).Validate(dir)
	if len(ps) != 0 {
		t.Fatalf("takedown: %s", ps.Error())
	}
	if rel.Action != ActionTakedown {
		t.Errorf("action %q", rel.Action)
	}
	writeTestFile(t, filepath.Join(dir, ReleaseFileName), "action = \"takedown\"\n[[tracks]]\nisrc = \"GBEXR2600001\"\nfile = \"gone.wav\"\n")
	_, ps = testValidator(defaultRules).Validate(dir)
	if len(ps) != 1 || ps[0].Rule != ruleRequired || ps[0].Where != "upc" {
		t.Errorf("takedown without UPC: %s", ps.Error())
	}
}

func TestPerDSPRulesAndOverrides(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, edits(
		replace(`action = "deliver"`, `action = "deliver"`+"\ndeliver_to = [\"strict\", \"lenient\"]"),
		replace(`title = "First Light"`, `title = "FIRST LIGHT"`)))
	rules := func(dsp string) config.Rules {
		if dsp == "strict" {
			return config.Rules{MinArtworkPx: 4000, Severity: map[string]string{ruleStyleCaps: "error"}}
		}
		return config.Rules{}
	}
	v := &Validator{Rules: rules, DSPs: []string{"strict", "lenient"}, Now: func() time.Time { return testNow }}
	_, ps := v.Validate(dir)
	size, ok := findProblem(ps, ruleArtworkSize, "cover", "4000×4000")
	if !ok || size.DSP != "strict" {
		t.Errorf("artwork-size for strict only: %+v\n%s", size, ps.Error())
	}
	var caps []Problem
	for _, p := range ps {
		if p.Rule == ruleStyleCaps {
			caps = append(caps, p)
		}
	}
	if len(caps) != 2 || caps[0].Severity != Error || caps[0].DSP != "strict" || caps[1].Severity != Warning || caps[1].DSP != "lenient" {
		t.Errorf("style-caps per DSP: %+v", caps)
	}
	if n := ps.For("lenient").Errors(); n != 0 {
		t.Errorf("lenient has %d errors:\n%s", n, ps.For("lenient").Error())
	}
	if n := ps.For("strict").Errors(); n != 2 {
		t.Errorf("strict has %d errors, want 2:\n%s", n, ps.For("strict").Error())
	}
	// One DSP asked for: only its rules apply.
	_, ps = v.ValidateFor(dir, []string{"lenient"})
	if ps.Errors() != 0 {
		t.Errorf("ValidateFor lenient:\n%s", ps.Error())
	}
	// A rule turned off everywhere disappears.
	v.Rules = func(string) config.Rules { return config.Rules{Severity: map[string]string{ruleStyleCaps: "off"}} }
	if _, ps = v.Validate(dir); len(ps) != 0 {
		t.Errorf("style-caps off:\n%s", ps.Error())
	}
}

func TestValidatorZeroValue(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, replace(`action = "deliver"`, `action = "deliver"`+"\ndeliver_to = [\"anything\"]"))
	var v Validator // default rules, no DSP list: deliver_to is not checked
	if _, ps := v.Validate(dir); len(ps) != 0 {
		t.Errorf("zero Validator:\n%s", ps.Error())
	}
}

func TestValidatorForConfig(t *testing.T) {
	cfg, err := config.Parse(`
deliver_to = ["a"]
[sender]
dpid = "PADPIDA2014122301Q"
[dsp.a]
transport = "local"
local.dir = "/tmp/a"
[dsp.b]
transport = "local"
local.dir = "/tmp/b"
[dsp.b.rules]
min_artwork_px = 5000
`)
	if err != nil {
		t.Fatal(err)
	}
	v := ValidatorFor(cfg)
	if !slices.Equal(v.DefaultDSPs, []string{"a"}) || !slices.Equal(v.DSPs, []string{"a", "b"}) {
		t.Errorf("DefaultDSPs %v, DSPs %v", v.DefaultDSPs, v.DSPs)
	}
	dir := goodRelease(t)
	if _, ps := v.Validate(dir); len(ps) != 0 {
		t.Errorf("release for a:\n%s", ps.Error())
	}
	editTOML(t, dir, replace(`action = "deliver"`, `action = "deliver"`+"\ndeliver_to = [\"a\", \"b\"]"))
	_, ps := v.Validate(dir)
	if p, ok := findProblem(ps, ruleArtworkSize, "cover", "5000×5000"); !ok || p.DSP != "b" {
		t.Errorf("b's minimum:\n%s", ps.Error())
	}
}

func TestValidateSortsErrorsFirst(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, edits(
		replace(`title = "First Light"`, `title = "FIRST LIGHT"`),
		replace(`isrc = "GB-EXR-26-00002"`, `isrc = "GB-EXR-26-0002"`),
		replace(`upc = "5901234123457"`, `upc = "5901234123450"`)))
	_, ps := testValidator(defaultRules).Validate(dir)
	var got []string
	for _, p := range ps {
		got = append(got, string(p.Severity)+" "+p.Where)
	}
	want := []string{"error tracks[2].isrc", "error upc", "warning tracks[1].title"}
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

func TestProblemsSortNaturally(t *testing.T) {
	ps := Problems{
		{Severity: Warning, Where: "tracks[2].title"},
		{Severity: Error, Where: "tracks[10].isrc"},
		{Severity: Error, Where: "tracks[9].isrc"},
		{Severity: Error, Where: "cover"},
		{Severity: Warning, Where: "tracks[2].title", Rule: "second"},
	}
	ps.Sort()
	var got []string
	for _, p := range ps {
		got = append(got, p.Where+p.Rule)
	}
	want := []string{"cover", "tracks[9].isrc", "tracks[10].isrc", "tracks[2].title", "tracks[2].titlesecond"}
	if !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestProblemString(t *testing.T) {
	p := Problem{Severity: Error, Rule: "isrc", Where: "tracks[3].isrc", What: `ISRC "X": too short`, Fix: "copy it", DSP: "spotify"}
	want := "ERROR tracks[3].isrc: ISRC \"X\": too short\n  fix: copy it\n  rule: isrc (for spotify only)"
	if p.String() != want {
		t.Errorf("%q\nwant %q", p.String(), want)
	}
	if !p.AppliesTo("spotify") || p.AppliesTo("deezer") {
		t.Error("AppliesTo")
	}
	if !(Problem{DSP: "a, b"}).AppliesTo("b") || !(Problem{}).AppliesTo("c") {
		t.Error("AppliesTo lists")
	}
}

func TestCheckSeverityOverrides(t *testing.T) {
	if err := CheckSeverityOverrides("rules.severity", map[string]string{"style-caps": "error", "upc": "Warning", "deal-ended": "off"}); err != nil {
		t.Errorf("valid overrides: %v", err)
	}
	err := CheckSeverityOverrides("rules.severity", map[string]string{"style-cap": "error", "file-missing": "off", "isrc": "fatal"})
	for _, want := range []string{`no validation rule is named "style-cap"`, `rule "file-missing" cannot be overridden`, `isrc = "fatal": want error, warning or off`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want %q", err, want)
		}
	}
}

func TestChecksCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Checks() {
		if seen[c.Name] {
			t.Errorf("rule %s listed twice", c.Name)
		}
		seen[c.Name] = true
		if c.Severity != Error && c.Severity != Warning {
			t.Errorf("rule %s: severity %q", c.Name, c.Severity)
		}
		if c.Summary == "" {
			t.Errorf("rule %s: no summary", c.Name)
		}
	}
	// Every rule is exercised by a bad release of the table, so none is
	// dead.
	tested := map[string]bool{}
	for _, c := range badReleases() {
		tested[c.rule] = true
	}
	for name := range seen {
		if !tested[name] {
			t.Errorf("rule %s has no bad release in the table", name)
		}
	}
}

// TestRulesDocumented checks that the README (or, before it is merged,
// NOTES-validate.md) names every rule.
func TestRulesDocumented(t *testing.T) {
	var docs string
	for _, f := range []string{"README.md", "NOTES-validate.md"} {
		if b, err := os.ReadFile(filepath.Join("..", "..", f)); err == nil {
			docs += string(b)
		}
	}
	if !strings.Contains(docs, "`file-name-normalization`") {
		t.Skip("no documentation of the validation rules found in README.md or NOTES-validate.md")
	}
	for _, c := range Checks() {
		if !strings.Contains(docs, "`"+c.Name+"`") {
			t.Errorf("rule %s is not documented", c.Name)
		}
	}
}

func TestModelForERN(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, edits(
		replace(`release_date = "2026-12-04"`, `release_date = 2026-12-04`),
		replace(`roles = ["MainArtist"]`, `roles = ["MainArtist"]`+"\nisni = \"0000 0001 2103 2683\""),
		replace(`catalog_number = "EXR-0001"`, `catalog_number = "EXR-0001"`+"\ngrid = \"a1-2425g-abc1234002-m\"")))
	rel, ps := testValidator(defaultRules).Validate(dir)
	if len(ps) != 0 {
		t.Fatalf("%s", ps.Error())
	}
	m := rel.Model
	if m.ReleaseDate != "2026-12-04" || m.GRid != "A12425GABC1234002M" || m.Artists[0].ISNI != "0000000121032683" {
		t.Errorf("model: date %q, GRid %q, ISNI %q", m.ReleaseDate, m.GRid, m.Artists[0].ISNI)
	}
	if m.Deals[0].StartDate != "2026-12-04" || m.Tracks[1].ISRC != "GBEXR2600002" {
		t.Errorf("deal %+v, ISRC %q", m.Deals[0], m.Tracks[1].ISRC)
	}
	var _ *ern.Release = m
}
