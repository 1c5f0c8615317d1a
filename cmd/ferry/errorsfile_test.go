package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFiveProblemsInOneErrorsFile drops a release with a typo'd key, a
// bad UPC, a bad ISRC, a bad territory and a truncated cover into a
// running daemon: one ERRORS.txt lists all five, each with its line of
// release.toml.
func TestFiveProblemsInOneErrorsFile(t *testing.T) {
	root := t.TempDir()
	d := startDaemon(t, testConfig(t, root, "node-a", ""))
	rel := writeRelease(t, t.TempDir(), "five", 7)
	path := filepath.Join(rel, "release.toml")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(text)
	for _, r := range [][2]string{
		{`genre = "Pop"`, `genr = "Pop"`},
		{`upc = "`, `upc = "1`},
		{`isrc = "GBEXR27`, `isrc = "GBEXR2O`},
		{`territories = ["Worldwide"]`, `territories = ["UK"]`},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("release.toml lacks %q", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	cover := filepath.Join(rel, "cover.jpg")
	fi, err := os.Stat(cover)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(cover, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(rel, filepath.Join(root, "inbox", "five")); err != nil {
		t.Fatal(err)
	}
	errorsFile := filepath.Join(root, "failed", "five", "ERRORS.txt")
	waitFor(t, 20*time.Second, "ERRORS.txt in failed/five", func() bool {
		_, err := os.Stat(errorsFile)
		return err == nil
	})
	report, err := os.ReadFile(errorsFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`genr (line 6): unknown key (did you mean "genre"?)`,
		"upc (line 1): ",
		"tracks[2].isrc (line 19): ",
		"deals[1].territories (line 25): ",
		"cover (line 10): ",
	} {
		if !strings.Contains(string(report), "- ERROR "+want) {
			t.Errorf("ERRORS.txt lacks %q:\n%s", want, report)
		}
	}
	if n := strings.Count(string(report), "- ERROR "); n != 5 {
		t.Errorf("%d errors in ERRORS.txt, want 5:\n%s", n, report)
	}
	d.stop()
}
