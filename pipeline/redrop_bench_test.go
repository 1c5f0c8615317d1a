package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// benchRedrop delivers a release of 1 GiB of audio once, then, b.N
// times, moves the delivered folder back into the inbox (after edit, if
// any) and waits until it is delivered again — or, with edit nil, until
// ferry has found that the DSP has it exactly as it is and sent nothing
// (the folder then lands in failed/ saying so). It reports the bytes
// hashed and the asset bytes uploaded per re-drop.
func benchRedrop(b *testing.B, edit func(dir string)) {
	cfg := localConfig(b)
	e, err := New(cfg, Options{})
	if err != nil {
		b.Fatal(err)
	}
	startEngine(b, e)
	staging := b.TempDir()
	rel := releasetest.Write(b, staging, "big", 7, releasetest.Options{AudioBytes: 1 << 30})
	// Files written a moment ago are hashed again next time (the cache's
	// racy window); a real drop has settled for watch.settle (10 s) first.
	settled := time.Now().Add(-time.Hour)
	entries, _ := os.ReadDir(rel)
	for _, en := range entries {
		os.Chtimes(filepath.Join(rel, en.Name()), settled, settled)
	}
	if err := os.Rename(rel, filepath.Join(e.layout.Dir(Inbox), "big")); err != nil {
		b.Fatal(err)
	}
	waitCount(b, e.layout.Dir(Acknowledged), 1)

	m := e.metrics
	hashed0 := testutil.ToFloat64(m.hashBytes)
	sent0 := testutil.ToFloat64(m.uploadBytes.WithLabelValues("dsp"))
	files0 := testutil.ToFloat64(m.uploadFiles.WithLabelValues("dsp"))
	done := Acknowledged
	if edit == nil {
		done = Failed
	}
	b.ResetTimer()
	for i := range b.N {
		from := Acknowledged
		if names, _ := e.layout.Items(Failed); len(names) > 0 {
			from = Failed
		}
		names, _ := e.layout.Items(from) // one item: the last delivery
		last := filepath.Join(e.layout.Dir(from), names[0])
		if edit != nil {
			edit(last)
		}
		if err := os.Rename(last, filepath.Join(e.layout.Dir(Inbox), fmt.Sprintf("big-%d", i))); err != nil {
			b.Fatal(err)
		}
		waitCount(b, e.layout.Dir(done), 1)
	}
	b.StopTimer()
	names, _ := e.layout.Items(done)
	if edit == nil {
		// Nothing was sent, and ERRORS.txt says why.
		if report, _ := os.ReadFile(filepath.Join(e.layout.Dir(Failed), names[0], ErrorsFileName)); !strings.Contains(string(report), "exactly as it is") {
			b.Fatalf("the unchanged re-drop did not say it sent nothing:\n%s", report)
		}
	} else {
		// The re-drop must have gone the update way (ledger, rule 12), not
		// merely skipped files already on the server.
		d, err := e.rec.PeekDelivery(filepath.Join(e.layout.Dir(Acknowledged), names[0]))
		if err != nil {
			b.Fatal(err)
		}
		if d.Kind != "update" {
			b.Fatalf("the re-drop was delivered as %q, want an update", d.Kind)
		}
	}
	n := float64(b.N)
	b.ReportMetric((testutil.ToFloat64(m.hashBytes)-hashed0)/n, "hashed-B/op")
	b.ReportMetric((testutil.ToFloat64(m.uploadBytes.WithLabelValues("dsp"))-sent0)/n, "uploaded-B/op")
	b.ReportMetric((testutil.ToFloat64(m.uploadFiles.WithLabelValues("dsp"))-files0)/n, "uploaded-files/op")
}

// waitCount waits until dir holds n items.
func waitCount(b *testing.B, dir string, n int) {
	b.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if names, _ := (Layout{}).itemsIn(dir); len(names) == n {
			return
		}
		if time.Now().After(deadline) {
			root := filepath.Dir(dir)
			for _, s := range Stages {
				names, _ := (Layout{Root: root}).Items(s)
				b.Logf("%s: %v", s, names)
				for _, n := range names {
					if r, err := os.ReadFile(filepath.Join(root, string(s), n, ErrorsFileName)); err == nil {
						b.Logf("%s", r)
					}
				}
			}
			b.Fatalf("timed out waiting for %d items in %s", n, dir)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkRedropUnchanged1GiB: the same files dropped again. Target:
// under 1 s of hashing (the hash cache answers) and nothing uploaded (the
// DSP has it exactly as it is).
func BenchmarkRedropUnchanged1GiB(b *testing.B) { benchRedrop(b, nil) }

// BenchmarkMetadataOnlyUpdate1GiB: the title changed. Target: only the
// message uploaded.
func BenchmarkMetadataOnlyUpdate1GiB(b *testing.B) {
	i := 0
	benchRedrop(b, func(dir string) {
		i++
		p := filepath.Join(dir, "release.toml")
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		// A new title each time: an unchanged one would be nothing to send.
		loc := titleLine.FindStringIndex(string(data)) // the release's title comes first
		text := string(data[:loc[0]]) + fmt.Sprintf(`title = "Edit %d of the test release"`, i) + string(data[loc[1]:])
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	})
}

// titleLine matches a title in release.toml; the first is the release's.
var titleLine = regexp.MustCompile(`(?m)^title = ".*"$`)
