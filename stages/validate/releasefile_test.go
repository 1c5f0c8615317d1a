package validate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseReleaseFileRefusesHostileShapes(t *testing.T) {
	for _, c := range []struct {
		name, text, want string
	}{
		{"nested arrays", "a = " + strings.Repeat("[", 100_000), "nested more than 16 levels"},
		{"nested inline tables", "a = " + strings.Repeat("{b = ", 10_000) + "1" + strings.Repeat("}", 10_000), "nested more than 16 levels"},
		{"long dotted key", strings.Repeat("a.", 10_000) + "b = 1", "more than 16 dotted parts"},
		{"long table header", "[" + strings.Repeat("a.", 10_000) + "b]", "more than 16 dotted parts"},
		{"NUL byte", "title = \"a\x00b\"", "not UTF-8 text"},
		{"Latin-1", "title = \"caf\xe9\"", "not UTF-8 text"},
		{"too large", strings.Repeat("#", maxReleaseFileSize+1), "more than the 1048576 allowed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseReleaseFile([]byte(c.text))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestParseReleaseFileShapeIgnoresStringsAndComments(t *testing.T) {
	deep := strings.Repeat("[", 40)
	dots := strings.Repeat("a.", 40)
	text := strings.Join([]string{
		`title = "` + deep + dots + `"`,
		`label = '` + deep + dots + `'`,
		`version_title = """` + "\n" + deep + "\n" + dots + `"""`,
		`genre = '''` + deep + `'''`,
		`# ` + deep + dots,
		`subgenre = "escaped \" ` + deep + `"`,
		`p_line = { year = 2026, text = "x" }`,
		`[[tracks]]`,
		`title = "t"`,
		`  [[tracks.contributors]]`,
		`  name = "n"`,
	}, "\n")
	rf, err := ParseReleaseFile([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if rf.Title != deep+dots || rf.Tracks[0].Contributors[0].Name != "n" {
		t.Errorf("decoded %+v", rf)
	}
}

func TestReleaseFileDates(t *testing.T) {
	rf, err := ParseReleaseFile([]byte("release_date = 2026-12-04\n[[deals]]\nstart_date = \"2026-12-05\"\nend_date = 2027-01-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rf.ReleaseDate != "2026-12-04" || rf.Deals[0].StartDate != "2026-12-05" || rf.Deals[0].EndDate != "2027-01-01" {
		t.Errorf("dates %q %q %q", rf.ReleaseDate, rf.Deals[0].StartDate, rf.Deals[0].EndDate)
	}
	for text, want := range map[string]string{
		"release_date = 2026-12-04T10:00:00Z": "line 1, release_date: 2026-12-04T10:00:00Z is a date and time",
		"release_date = 20261204":             "line 1, release_date: 20261204 is not a date",
		"release_date = [1]":                  "line 1, release_date: [1] is not a date",
	} {
		rf, err := ParseReleaseFile([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if is := rf.Issues(); len(is) != 1 || !strings.Contains(issueText(is[0]), want) {
			t.Errorf("%s: issues %v, want %q", text, is, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2026-12-04": "",
		"2024-02-29": "",
		"2026-02-29": "day out of range",
		"2026-00-10": "month out of range",
		"2026-1-4":   "not a date written YYYY-MM-DD",
		"04.12.2026": "ambiguous",
		"tomorrow":   "not a date written YYYY-MM-DD",
	} {
		_, err := parseDate(in)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", in, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: error %v, want %q", in, err, want)
		}
	}
}

// TestUnreadableFiles covers files ferry's user may not read. Root reads
// any file whatever its mode, so under root this test is skipped; the
// link-loop cases of TestValidateBadReleases cover a file that cannot be
// opened in every case.
func TestUnreadableFiles(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which reads files whatever their permissions; unopenable files are covered by the link-loop cases")
	}
	dir := goodRelease(t)
	if err := os.Chmod(filepath.Join(dir, track1), 0); err != nil {
		t.Fatal(err)
	}
	_, ps := testValidator(defaultRules).Validate(dir)
	if _, ok := findProblem(ps, ruleFileUnreadable, "tracks[1].file", "permission denied"); !ok {
		t.Errorf("unreadable track:\n%s", ps.Error())
	}
	if err := os.Chmod(filepath.Join(dir, ReleaseFileName), 0); err != nil {
		t.Fatal(err)
	}
	_, ps = testValidator(defaultRules).Validate(dir)
	if _, ok := findProblem(ps, ruleReleaseFile, ReleaseFileName, "permission denied"); !ok {
		t.Errorf("unreadable release.toml:\n%s", ps.Error())
	}
}

// TestFIFOReleaseFileDoesNotBlock makes sure a FIFO named release.toml
// is refused without opening it for a blocking read.
func TestFIFOReleaseFileDoesNotBlock(t *testing.T) {
	dir := t.TempDir()
	mkfifo(t, filepath.Join(dir, ReleaseFileName))
	done := make(chan Problems, 1)
	go func() {
		_, ps := testValidator(defaultRules).Validate(dir)
		done <- ps
	}()
	select {
	case ps := <-done:
		if _, ok := findProblem(ps, ruleReleaseFile, ReleaseFileName, "named pipe"); !ok {
			t.Errorf("%s", ps.Error())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("validating a folder whose release.toml is a FIFO blocked")
	}
}

// TestReleaseFileLinesAfterMultiLineString places keys that follow a
// multi-line string holding "[deals]" and "[[tracks]]" on their own
// lines (the string is text, not a header).
func TestReleaseFileLinesAfterMultiLineString(t *testing.T) {
	text := "title = \"x\"\n" +
		"version_title = \"\"\"\\\n  [deals] \\\n  [[tracks]]\"\"\"\n" +
		"labl = \"y\"\n" +
		"[[tracks]]\n" +
		"isrc = 1\n"
	rf, err := ParseReleaseFile([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`line 5, labl: unknown key (did you mean "label"?)`,
		"line 7, tracks[1].isrc: the value is a whole number where text is expected",
	}
	is := rf.Issues()
	if len(is) != len(want) {
		t.Fatalf("issues %v, want %q", is, want)
	}
	for i, w := range want {
		if got := issueText(is[i]); got != w {
			t.Errorf("issue %d: %q, want %q", i, got, w)
		}
	}
	if rf.VersionTitle != "[deals] [[tracks]]" {
		t.Errorf("version_title %q", rf.VersionTitle)
	}
}
