package validate

import (
	"fmt"
	"strings"
	"testing"
)

// hostileReleaseFile is a release.toml of the hostile-drop corpus: the
// good release with 100,000 unknown keys (900 KB), or one deal listing
// a territory 10,000 times.
func hostileReleaseFile(tb testing.TB, kind string) []byte {
	var b strings.Builder
	b.WriteString(goodTOML(tb))
	switch kind {
	case "unknown keys":
		b.WriteString("\n[[tracks]]\n")
		for i := range 100_000 {
			fmt.Fprintf(&b, "x%06d=1\n", i)
		}
	case "duplicate territories":
		b.WriteString("\n[[deals]]\ncommercial_model = \"SubscriptionModel\"\nuse_types = [\"OnDemandStream\"]\nterritories = [\"GB\"" +
			strings.Repeat(`,"GB"`, 9_999) + "]\n")
	}
	return []byte(b.String())
}

// TestHostileReleaseFileReported checks what the benchmarks below time:
// the unknown keys are reported (the first config.MaxIssues of them,
// each with its line, and a count of the rest).
func TestHostileReleaseFileReported(t *testing.T) {
	rf, err := ParseReleaseFile(hostileReleaseFile(t, "unknown keys"))
	if err != nil {
		t.Fatal(err)
	}
	ps := rf.issueProblems()
	base := strings.Count(goodTOML(t), "\n") + 3
	if len(ps) != 101 || ps[0].Where != "tracks[3].x000000" || ps[0].Line != base || ps[99].Line != base+99 ||
		!strings.Contains(ps[100].What, "and 99900 more") {
		t.Errorf("%d problems: first %+v, last %+v", len(ps), ps[0], ps[len(ps)-1])
	}
}

// BenchmarkHostileReleaseFile parses and checks the hostile release
// files (no media: the checks that read release.toml alone).
func BenchmarkHostileReleaseFile(b *testing.B) {
	for _, kind := range []string{"unknown keys", "duplicate territories"} {
		b.Run(strings.ReplaceAll(kind, " ", "-"), func(b *testing.B) {
			data := hostileReleaseFile(b, kind)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				rf, err := ParseReleaseFile(data)
				if err != nil {
					b.Fatal(err)
				}
				rel := &Release{Model: rf.Model(), Action: rf.Action, Files: map[string]string{}, file: rf,
					used: map[string]bool{}, audio: map[int]*audioFile{}}
				c := &checker{rel: rel, rf: rf, now: testNow, ps: rf.issueProblems()}
				c.run()
			}
		})
	}
}
