//go:build linux

package watch

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Benchmarks for `make bench`. Figures and how to run the long ones are in
// NOTES-watch.md. They report custom metrics; ns/op is mostly the settle
// period and means little.

// quietLogger discards logs: benchmarks log a line per drop otherwise.
var quietLogger = slog.New(slog.DiscardHandler)

// BenchmarkLatencyNotify: time from the last write of a drop to its
// report, minus the settle period, with filesystem events.
func BenchmarkLatencyNotify(b *testing.B) {
	benchLatency(b, ModeNotify, time.Second, time.Second)
}

// BenchmarkLatencyPoll: the same in poll mode; expected between 0 and one
// poll interval over settle.
func BenchmarkLatencyPoll(b *testing.B) {
	benchLatency(b, ModePoll, time.Second, time.Second)
}

func benchLatency(b *testing.B, mode string, settle, poll time.Duration) {
	inbox, claimed := b.TempDir(), b.TempDir()
	opts := testOptions(b, inbox, mode)
	opts.Settle, opts.PollInterval, opts.Logger = settle, poll, quietLogger
	h := startWatcher(b, opts, nil)
	time.Sleep(100 * time.Millisecond)
	var total, worst time.Duration
	n := 0
	for b.Loop() {
		// Drops arrive at random moments, not in step with the poll ticker.
		time.Sleep(rand.N(poll))
		name := fmt.Sprintf("R%04d", n)
		release(b, inbox, name)
		last := time.Now()
		r := h.expect(name, settle+poll+10*time.Second)
		over := time.Since(last) - settle
		if over < 0 {
			b.Fatalf("%s reported %v before settling", name, -over)
		}
		total += over
		worst = max(worst, over)
		n++
		h.claim(r, claimed)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(n)/1000, "ms-over-settle")
	b.ReportMetric(float64(worst.Microseconds())/1000, "max-ms-over-settle")
}

// tenK* configure the child process of BenchmarkTenThousandDrops.
const (
	tenKEnvInbox = "FERRY_WATCH_TENK_INBOX"
	tenKEnvN     = "FERRY_WATCH_TENK_N"
	tenKEnvQueue = "FERRY_WATCH_TENK_QUEUE"
	tenKSettle   = 2 * time.Second
)

// BenchmarkTenThousandDrops: 10,000 release folders (3 files each) arrive
// as fast as this process can make them while a child process runs the
// watcher in notify mode and claims every report by renaming it out. All
// must be reported exactly once. "write" creates each folder and its files
// in the inbox; "move" prepares them in a staging folder on the same
// filesystem and renames them in (a bulk copy that finishes with renames,
// or folders moved back from failed/): 10,000 events in a fraction of a
// second. "default-queue" keeps the system's fs.inotify.max_queued_events;
// "small-queue" lowers it to 128 only while the child creates its
// inotify instance (the limit is read at inotify_init) and restores it at
// once, to force overflows; it is skipped when the setting is not
// writable. Reported: time from the first mkdir or rename to the last
// report, the child's peak RSS (getrusage ru_maxrss of the child, which
// runs nothing but the watcher and its consumer), its CPU time, and the
// overflow rescans it made.
func BenchmarkTenThousandDrops(b *testing.B) {
	for _, how := range []string{"write", "move"} {
		b.Run(how+"/default-queue", func(b *testing.B) { benchTenK(b, how, 10000, 0) })
		b.Run(how+"/small-queue", func(b *testing.B) { benchTenK(b, how, 10000, 128) })
	}
}

const maxQueuedEvents = "/proc/sys/fs/inotify/max_queued_events"

func benchTenK(b *testing.B, how string, n, queue int) {
	if queue > 0 {
		if f, err := os.OpenFile(maxQueuedEvents, os.O_WRONLY, 0); err != nil {
			b.Skipf("cannot lower %s: %v", maxQueuedEvents, err)
		} else {
			f.Close()
		}
	}
	for b.Loop() {
		inbox, staging := b.TempDir(), b.TempDir()
		// makeRelease writes one folder. A folder claimed mid-write can
		// only be right if this writer paused for longer than settle (a
		// loaded machine): then the benchmark cannot judge and skips.
		makeRelease := func(dir string, i int) {
			p := filepath.Join(dir, fmt.Sprintf("R%05d", i))
			os.Mkdir(p, 0o755)
			prev := time.Now()
			for _, f := range []string{"01.flac", "cover.jpg", "release.toml"} {
				err := os.WriteFile(filepath.Join(p, f), []byte(f), 0o644)
				if err != nil && time.Since(prev) >= tenKSettle {
					b.Skipf("writer paused %v, longer than settle (%v): machine overloaded", time.Since(prev), tenKSettle)
				}
				if err != nil {
					b.Fatal(err)
				}
				prev = time.Now()
			}
		}
		if how == "move" {
			for i := range n {
				makeRelease(staging, i)
			}
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestTenThousandChild$", "-test.v")
		cmd.Env = append(os.Environ(), tenKEnvInbox+"="+inbox, tenKEnvN+"="+strconv.Itoa(n), tenKEnvQueue+"="+strconv.Itoa(queue))
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { // on Fatal or Skip, do not leave the child behind
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
				cmd.Wait()
			}
		})
		lines := bufio.NewScanner(stdout)
		waitFor := func(prefix string) string {
			for lines.Scan() {
				if l := lines.Text(); strings.HasPrefix(l, prefix) {
					return l
				}
			}
			b.Fatalf("child ended before %q", prefix)
			return ""
		}
		waitFor("WATCHING")
		start := time.Now()
		for i := range n {
			if how == "move" {
				name := fmt.Sprintf("R%05d", i)
				if err := os.Rename(filepath.Join(staging, name), filepath.Join(inbox, name)); err != nil {
					b.Fatal(err)
				}
			} else {
				makeRelease(inbox, i)
			}
		}
		created := time.Since(start)
		waitFor("ALL")
		all := time.Since(start)
		done := waitFor("DONE")
		go io.Copy(io.Discard, stdout)
		if err := cmd.Wait(); err != nil {
			b.Fatalf("child: %v (%s)", err, done)
		}
		var reported, dups, overflows int
		fmt.Sscanf(done, "DONE reported=%d dups=%d overflow_rescans=%d", &reported, &dups, &overflows)
		if reported != n || dups != 0 {
			b.Fatalf("reported %d of %d, %d duplicates", reported, n, dups)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		b.ReportMetric(created.Seconds(), "s-to-arrive")
		b.ReportMetric(all.Seconds(), "s-to-all-reported")
		b.ReportMetric(float64(ru.Maxrss)/1024, "MiB-peak-RSS")
		b.ReportMetric((cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds(), "s-CPU")
		b.ReportMetric(float64(overflows), "overflow-rescans")
	}
}

// TestTenThousandChild is the watcher side of BenchmarkTenThousandDrops;
// it runs only as that benchmark's child process.
func TestTenThousandChild(t *testing.T) {
	inbox := os.Getenv(tenKEnvInbox)
	if inbox == "" {
		t.Skip("child process of BenchmarkTenThousandDrops")
	}
	n, _ := strconv.Atoi(os.Getenv(tenKEnvN))
	queue, _ := strconv.Atoi(os.Getenv(tenKEnvQueue))
	claimed := inbox + ".claimed"
	if err := os.Mkdir(claimed, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(claimed)
	opts := testOptions(t, inbox, ModeNotify)
	opts.Settle, opts.Logger = tenKSettle, quietLogger
	m := &signalMetrics{started: make(chan struct{})}
	opts.Metrics = m
	h := startWatcher(t, opts, func(w *Watcher) {
		if queue > 0 {
			w.newSource = func() (eventSource, error) {
				restore, err := setSysctl(maxQueuedEvents, strconv.Itoa(queue))
				if err != nil {
					return nil, err
				}
				defer restore()
				return newFsnotifySource()
			}
		}
	})
	<-m.started
	fmt.Println("WATCHING")
	seen := make(map[string]bool, n)
	dups := 0
	for len(seen) < n {
		r, ok := h.next(60 * time.Second)
		if !ok {
			t.Fatalf("%d of %d reported", len(seen), n)
		}
		if seen[r.Name] {
			dups++
			continue
		}
		seen[r.Name] = true
		h.claim(r, claimed)
	}
	fmt.Println("ALL")
	for {
		r, ok := h.next(2 * tenKSettle)
		if !ok {
			break
		}
		dups++
		t.Logf("duplicate %s", r.Name)
	}
	fmt.Printf("DONE reported=%d dups=%d overflow_rescans=%d\n", len(seen), dups, m.rescanCount("overflow"))
}

// signalMetrics is recMetrics that also tells when the watcher is set up.
type signalMetrics struct {
	recMetrics
	once    sync.Once
	started chan struct{}
}

func (m *signalMetrics) Mode(mode string) {
	m.recMetrics.Mode(mode)
	m.once.Do(func() { close(m.started) })
}

// setSysctl writes value to a /proc/sys file and returns a func restoring
// the old value.
func setSysctl(path, value string) (restore func(), err error) {
	old, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
		return nil, err
	}
	return func() { os.WriteFile(path, old, 0o644) }, nil
}

// bigTree is a shared inbox of 1,000 release folders of 100 files each,
// built once per test binary run and removed by TestMain.
var bigTree struct {
	once sync.Once
	dir  string
	err  error
}

const (
	bigTreeFolders = 1000
	bigTreeFiles   = 100
)

func bigInbox(b *testing.B) string {
	bigTree.once.Do(func() {
		dir, err := os.MkdirTemp("", "ferry-watch-bigtree-")
		if err != nil {
			bigTree.err = err
			return
		}
		bigTree.dir = dir
		for i := range bigTreeFolders {
			p := filepath.Join(dir, fmt.Sprintf("Release%04d", i))
			if err := os.MkdirAll(filepath.Join(p, "resources"), 0o755); err != nil {
				bigTree.err = err
				return
			}
			for j := range bigTreeFiles {
				sub := p
				if j > 1 {
					sub = filepath.Join(p, "resources")
				}
				if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("%03d.flac", j)), []byte("x"), 0o644); err != nil {
					bigTree.err = err
					return
				}
			}
		}
	})
	if bigTree.err != nil {
		b.Fatal(bigTree.err)
	}
	return bigTree.dir
}

// BenchmarkScanTree100k: one full rescan of a 100,000-file inbox (what
// poll mode does every interval), with the watcher's own scan.
func BenchmarkScanTree100k(b *testing.B) {
	inbox := bigInbox(b)
	w, err := New(Options{Dirs: []string{inbox}, Mode: ModePoll, Logger: quietLogger})
	if err != nil {
		b.Fatal(err)
	}
	w.entries = make(map[entryKey]*entry)
	w.scan = scanner{}
	w.fullRescan("startup", time.Now())
	b.ReportAllocs()
	for b.Loop() {
		w.fullRescan("poll", time.Now())
	}
	if len(w.entries) != bigTreeFolders {
		b.Fatalf("%d entries", len(w.entries))
	}
	b.ReportMetric(float64(bigTreeFolders*bigTreeFiles), "files")
}

// BenchmarkScanTree100kWalkDir: the same tree with the standard library's
// filepath.WalkDir and DirEntry.Info, for comparison.
func BenchmarkScanTree100kWalkDir(b *testing.B) {
	inbox := bigInbox(b)
	b.ReportAllocs()
	for b.Loop() {
		files := 0
		err := filepath.WalkDir(inbox, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if _, err := d.Info(); err != nil {
				return err
			}
			if !d.IsDir() {
				files++
			}
			return nil
		})
		if err != nil || files != bigTreeFolders*bigTreeFiles {
			b.Fatal(files, err)
		}
	}
}

// BenchmarkScanTree100kFind: the same tree with find(1) printing each
// file's size and mtime, for comparison.
func BenchmarkScanTree100kFind(b *testing.B) {
	if _, err := exec.LookPath("find"); err != nil {
		b.Skip("find not installed")
	}
	inbox := bigInbox(b)
	for b.Loop() {
		cmd := exec.Command("find", inbox, "-printf", "%s %T@ %p\n")
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// pollCPUEnv opts in to BenchmarkPollCPU100k, which takes a minute.
const pollCPUEnv = "FERRY_WATCH_BENCH_POLL_CPU"

// BenchmarkPollCPU100k: a watcher in poll mode at a 5 s interval over the
// 100,000-file inbox, its drops reported but never claimed (the worst
// case: every folder rescanned every interval). After all are reported,
// the process's CPU time (getrusage RUSAGE_SELF, user+system) is measured
// over a window (30 s, or the seconds in FERRY_WATCH_BENCH_POLL_CPU if it
// is a number) and reported as % of one core. Opt-in: set
// FERRY_WATCH_BENCH_POLL_CPU=1 (or a window in seconds).
func BenchmarkPollCPU100k(b *testing.B) {
	v := os.Getenv(pollCPUEnv)
	if v == "" {
		b.Skipf("takes a minute; set %s=1 (or a window in seconds) to run", pollCPUEnv)
	}
	window := 30 * time.Second
	if s, err := strconv.Atoi(v); err == nil && s > 1 {
		window = time.Duration(s) * time.Second
	}
	inbox := bigInbox(b)
	for b.Loop() {
		opts := testOptions(b, inbox, ModePoll)
		opts.Settle, opts.PollInterval, opts.Rescan, opts.Logger = DefaultSettle, DefaultPollInterval, DefaultRescan, quietLogger
		h := startWatcher(b, opts, nil)
		for range bigTreeFolders {
			if _, ok := h.next(2 * time.Minute); !ok {
				b.Fatal("not every folder reported")
			}
		}
		stop := make(chan struct{})
		go func() { // drain resends, as a consumer would
			for {
				select {
				case <-h.out:
				case <-stop:
					return
				}
			}
		}()
		before := cpuTime()
		time.Sleep(window)
		used := cpuTime() - before
		close(stop)
		h.stop()
		b.ReportMetric(100*used.Seconds()/window.Seconds(), "%-of-one-core")
		b.ReportMetric(float64(h.m.rescanCount("poll")), "poll-scans")
	}
}

// cpuTime is this process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// bigTreeDir is the shared tree's folder, "" if not built.
func bigTreeDir() string { return bigTree.dir }
