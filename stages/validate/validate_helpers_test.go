package validate

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/stages/media/mediatest"
)

// The tests validate real folders: the example release.toml with small
// generated media (a short WAV and FLAC, a 3000×3000 JPEG), copied into
// a temporary folder per test and then broken in one way.

// testNow is the clock of every test: before the example's release date.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// goodTOML is testdata/example/release.toml as the tests know it.
func goodTOML(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "example", ReleaseFileName))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	mediaOnce sync.Once
	mediaDir  string
	mediaErr  error
)

// baseMedia generates the media of the base release once per test run.
func baseMedia(t testing.TB) string {
	t.Helper()
	mediaOnce.Do(func() {
		mediaDir, mediaErr = os.MkdirTemp("", "ferry-validate-media-")
		if mediaErr != nil {
			return
		}
		for _, f := range []struct {
			name  string
			write func(string) error
		}{
			{"01-first-light.wav", func(p string) error { return mediatest.WriteWAV(p, 44100, 16, 2, 100*time.Millisecond) }},
			{"02-harbour-lights.flac", func(p string) error { return mediatest.WriteFLAC(p, 44100, 16, 2, 100*time.Millisecond) }},
			{"cover.jpg", func(p string) error { return mediatest.WriteJPEG(p, mediatest.CoverSize, mediatest.CoverSize) }},
		} {
			if mediaErr = f.write(filepath.Join(mediaDir, f.name)); mediaErr != nil {
				return
			}
		}
	})
	if mediaErr != nil {
		t.Fatal(mediaErr)
	}
	return mediaDir
}

// goodRelease makes a valid release folder and returns its path.
func goodRelease(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "release")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := baseMedia(t)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		copyTestFile(t, filepath.Join(src, e.Name()), filepath.Join(dir, e.Name()))
	}
	writeTestFile(t, filepath.Join(dir, ReleaseFileName), goodTOML(t))
	return dir
}

func copyTestFile(t testing.TB, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeTestFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replace edits release.toml text, failing when old is not there, so a
// changed example cannot make a case silently test nothing.
func replace(old, new string) func(testing.TB, string) string {
	return func(t testing.TB, s string) string {
		t.Helper()
		if !strings.Contains(s, old) {
			t.Fatalf("release.toml has no %q", old)
		}
		return strings.Replace(s, old, new, 1)
	}
}

// appendTOML adds text at the end of release.toml.
func appendTOML(text string) func(testing.TB, string) string {
	return func(_ testing.TB, s string) string { return s + "\n" + text + "\n" }
}

// edits chains release.toml edits.
func edits(fs ...func(testing.TB, string) string) func(testing.TB, string) string {
	return func(t testing.TB, s string) string {
		for _, f := range fs {
			s = f(t, s)
		}
		return s
	}
}

// editTOML rewrites the folder's release.toml through f.
func editTOML(t testing.TB, dir string, f func(testing.TB, string) string) {
	t.Helper()
	p := filepath.Join(dir, ReleaseFileName)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, p, f(t, string(b)))
}

// testValidator validates with default rules for one DSP, "dsp", plus
// the overrides given.
func testValidator(rules func(dsp string) config.Rules) *Validator {
	return &Validator{Rules: rules, DefaultDSPs: []string{"dsp"}, DSPs: []string{"dsp", "other"}, Now: func() time.Time { return testNow }}
}

func defaultRules(string) config.Rules { return config.Rules{} }

func findProblem(ps Problems, rule, where, phrase string) (Problem, bool) {
	for _, p := range ps {
		if p.Rule == rule && p.Where == where && strings.Contains(p.What, phrase) {
			return p, true
		}
	}
	return Problem{}, false
}
