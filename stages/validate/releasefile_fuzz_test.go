package validate

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
)

// FuzzParseReleaseFile feeds arbitrary text to the release.toml reader
// and every check that needs no files. Whatever the input, nothing may
// panic, and a parsed file must give a model and well-formed problems.
// Seeds: testdata/fuzz/FuzzParseReleaseFile/ (the example release, each
// bad release of TestValidateBadReleases, hostile shapes), written by
// `go test ./stages -run TestWriteFuzzSeeds -update-seeds`.
func FuzzParseReleaseFile(f *testing.F) {
	v := testValidator(defaultRules)
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hostile release.toml must not hang the daemon either: an input
		// that takes this long crashes the worker, and the fuzzer reports
		// it with the input.
		watchdog := time.AfterFunc(fuzzInputLimit, func() {
			panic(fmt.Sprintf("one input took more than %v: %q", fuzzInputLimit, data))
		})
		defer watchdog.Stop()
		rf, err := ParseReleaseFile(data)
		if err != nil {
			if rf != nil || err.Error() == "" {
				t.Fatalf("error %q with a result", err)
			}
			return
		}
		if rf.Action == "" {
			t.Fatal("no action after parsing")
		}
		m := rf.Model()
		if len(m.Tracks) != len(rf.Tracks) || len(m.Deals) != len(rf.Deals) {
			t.Fatalf("model has %d tracks, %d deals; file %d, %d", len(m.Tracks), len(m.Deals), len(rf.Tracks), len(rf.Deals))
		}
		rel := &Release{Model: m, Action: rf.Action, DeliverTo: rf.DeliverTo, Files: map[string]string{},
			file: rf, used: map[string]bool{}, audio: map[int]*audioFile{}}
		c := &checker{rel: rel, rf: rf, now: testNow, dsps: v.DSPs, ps: rf.issueProblems()}
		c.run()
		ps := v.perDSP(v.targets(rel, nil), c.ps, func(_ string, r config.Rules) Problems { return rel.dspChecks(r) })
		ps = rf.place(ps)
		ps.Sort()
		for _, p := range ps {
			if _, ok := checkByName[p.Rule]; !ok || p.Where == "" || p.What == "" || (p.Severity != Error && p.Severity != Warning) {
				t.Fatalf("malformed problem %+v", p)
			}
		}
	})
}

// fuzzInputLimit is far above what any input should take (milliseconds)
// yet short enough to catch a hang in a one-minute run.
const fuzzInputLimit = 10 * time.Second

var updateSeeds = flag.Bool("update-seeds", false, "rewrite testdata/fuzz/FuzzParseReleaseFile")

// TestWriteFuzzSeeds writes the fuzzer's seed corpus when asked to
// (-update-seeds); otherwise it checks the corpus is there.
func TestWriteFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParseReleaseFile")
	if !*updateSeeds {
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) < 40 {
			t.Fatalf("seed corpus %s: %d files, %v; rewrite it with -update-seeds", dir, len(entries), err)
		}
		return
	}
	seeds := map[string]string{
		"example":         goodTOML(t),
		"takedown":        "action = \"takedown\"\nupc = \"5901234123457\"\n",
		"empty":           "",
		"nested":          "a = " + strings.Repeat("[", 20) + strings.Repeat("]", 20),
		"inline-nested":   "a = " + strings.Repeat("{b = ", 15) + "1" + strings.Repeat("}", 15),
		"dotted":          strings.Repeat("a.", 15) + "b = 1",
		"multiline":       "title = \"\"\"\n[[not a table]]\n\"\"\"\nlabel = '''x'''\n",
		"dates":           "release_date = 2026-12-04\n[[deals]]\nstart_date = 2026-12-04T00:00:00\n",
		"binary":          "\x89PNG\r\n\x1a\n",
		"many-tracks":     strings.Repeat("[[tracks]]\nisrc = \"GBEXR2600001\"\nnumber = 1\n", 30),
		"unicode-titles":  "title = \"Caf\u00e9 \u00c9T\u00c9 feat. X\"\ndisplay_artist = \" Cafe\u0301 \"\n",
		"tables-in-array": "[[deals]]\nterritories = [\"Worldwide\", \"gb\"]\nexcluded_territories = [\"Worldwide\"]\n",
	}
	for _, c := range badReleases() {
		if c.toml == nil || c.name == "deeply nested release.toml" { // 26 KB, refused at once: "nested" covers it
			continue
		}
		seeds["bad-"+c.name] = c.toml(t, goodTOML(t))
	}
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	unsafe := regexp.MustCompile(`[^a-z0-9]+`)
	for name, text := range seeds {
		file := "seed-" + strings.Trim(unsafe.ReplaceAllString(strings.ToLower(name), "-"), "-")
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", text)
		if err := os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
