package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/pipeline"
	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/record"
)

// BenchmarkStatusCommand10k times the real `ferry status` (a new process,
// its 10,000-row table read from a pipe, as a shell would) over a root
// with 10,000 delivered items, side by side with the library call it
// makes (pipeline.Status, in this process) and with `ferry version` (the
// cost of starting a process at all).
func BenchmarkStatusCommand10k(b *testing.B) {
	root := statusRoot(b, 10_000)
	timeCmd := func(args ...string) time.Duration {
		start := time.Now()
		cmd := exec.Command(ferryBin, args...)
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, out)
		if err := cmd.Wait(); err != nil {
			b.Fatalf("ferry %v: %v", args, err)
		}
		if args[0] == "status" && n < 10_000*40 {
			b.Fatalf("ferry status printed %d bytes for 10,000 items", n)
		}
		return time.Since(start)
	}
	var command, library, start time.Duration
	b.ResetTimer()
	for range b.N {
		command += timeCmd("status", "-root", root)
		t := time.Now()
		items, err := pipeline.Status(pipeline.Layout{Root: root})
		if err != nil || len(items) != 10_000 || items[0].MessageID == "" {
			b.Fatalf("Status: %d items, %v", len(items), err)
		}
		library += time.Since(t)
		start += timeCmd("version")
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(per(command), "command-ms")
	b.ReportMetric(per(library), "library-ms")
	b.ReportMetric(per(start), "version-ms")
	b.ReportMetric(0, "ns/op")
}

// statusRoot makes (once per test process) a root with n delivered
// items in acknowledged/, each with the sealed state a delivery leaves
// and a few files, as the throughput run leaves them.
func statusRoot(b *testing.B, n int) string {
	b.Helper()
	statusRoots.Lock()
	defer statusRoots.Unlock()
	if root := statusRoots.m[n]; root != "" {
		return root
	}
	// Beside the test binary, which TestMain removes at the end.
	l := pipeline.Layout{Root: filepath.Join(filepath.Dir(ferryBin), fmt.Sprintf("status-%d", n))}
	if err := l.Create(); err != nil {
		b.Fatal(err)
	}
	rec, err := record.OpenRoot(l.Root, "bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	// Eight at a time: each save waits on its fsync.
	err = digest.ForEach(n, 8, func(i int) error {
		dir := filepath.Join(l.Dir(pipeline.Acknowledged), fmt.Sprintf("r%05d@sandbox", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for _, f := range []string{"01.wav", "02.flac", "cover.jpg", "release.toml"} {
			os.WriteFile(filepath.Join(dir, f), nil, 0o644)
		}
		it, _, err := rec.Adopt(dir)
		if err != nil {
			return err
		}
		// What a delivery leaves, the last move's line included (about
		// 480 bytes sealed).
		now := time.Now()
		st := &it.State
		st.DropID, st.DSP, st.Attempt, st.Seq, st.StageSince, st.UploadedAt = record.NewDropID(), "sandbox", 1, 4, now, now
		st.MessageID, st.Kind = fmt.Sprintf("FERRY-%013d-20261205160943283", 5900000100000+i), "new"
		st.Pending = &record.HistoryLine{Time: now, From: "uploaded", To: "acknowledged", Node: "bench", Attempt: 1, DSP: "sandbox", Seq: 4}
		return it.Save()
	})
	if err != nil {
		b.Fatal(err)
	}
	if statusRoots.m == nil {
		statusRoots.m = map[int]string{}
	}
	statusRoots.m[n] = l.Root
	return l.Root
}

// statusRoots are the roots statusRoot made, by item count: the
// benchmark function runs more than once per process.
var statusRoots struct {
	sync.Mutex
	m map[int]string
}
