package watch

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// testSettle is short so that tests stay fast; timings are asserted
// relative to it.
const testSettle = 200 * time.Millisecond

// recMetrics records what the watcher reports.
type recMetrics struct {
	mu      sync.Mutex
	events  int
	rescans map[string]int
	modes   []string
}

func (m *recMetrics) Events(n int) { m.mu.Lock(); m.events += n; m.mu.Unlock() }
func (m *recMetrics) Rescan(reason string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rescans == nil {
		m.rescans = map[string]int{}
	}
	m.rescans[reason]++
}
func (m *recMetrics) Mode(mode string) { m.mu.Lock(); m.modes = append(m.modes, mode); m.mu.Unlock() }

func (m *recMetrics) rescanCount(reason string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rescans[reason]
}

func (m *recMetrics) lastMode() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.modes) == 0 {
		return ""
	}
	return m.modes[len(m.modes)-1]
}

func (m *recMetrics) eventCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.events
}

// testOptions returns options for one inbox with short timings.
func testOptions(t testing.TB, inbox, mode string) Options {
	return Options{
		Dirs:         []string{inbox},
		Mode:         mode,
		Settle:       testSettle,
		PollInterval: 100 * time.Millisecond,
		Rescan:       time.Hour, // tests that need rescans set it
		Logger:       slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics:      &recMetrics{},
	}
}

// harness runs a Watcher for one test.
type harness struct {
	t     testing.TB
	w     *Watcher
	out   chan Ready
	inbox string
	m     *recMetrics
	stop  func() // stops the watcher; safe to call twice
}

// startWatcher runs a watcher built from opts until the test ends; setup
// may adjust the Watcher (test hooks) before it runs.
func startWatcher(t testing.TB, opts Options, setup func(*Watcher)) *harness {
	t.Helper()
	w, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(w)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, w: w, out: make(chan Ready, 16), inbox: opts.Dirs[0]}
	h.m, _ = opts.Metrics.(*recMetrics)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, h.out) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(h.stop)
	return h
}

// next waits up to d for a Ready.
func (h *harness) next(d time.Duration) (Ready, bool) {
	select {
	case r := <-h.out:
		return r, true
	case <-time.After(d):
		return Ready{}, false
	}
}

// expect waits for a Ready for name and fails on anything else.
func (h *harness) expect(name string, d time.Duration) Ready {
	h.t.Helper()
	r, ok := h.next(d)
	if !ok {
		h.t.Fatalf("%s not reported within %v", name, d)
	}
	if r.Name != name {
		h.t.Fatalf("got %+v, want %s", r, name)
	}
	return r
}

// expectNone fails if anything is reported within d.
func (h *harness) expectNone(d time.Duration) {
	h.t.Helper()
	if r, ok := h.next(d); ok {
		h.t.Fatalf("unexpected report %+v", r)
	}
}

// claim moves a reported entry out of the inbox, as the pipeline does.
func (h *harness) claim(r Ready, to string) {
	h.t.Helper()
	if err := os.Rename(r.Path(), filepath.Join(to, r.Name)); err != nil {
		h.t.Fatal(err)
	}
}

// writeFile creates a file with content, creating parent folders.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// release creates a small complete release folder in dir.
func release(t testing.TB, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	writeFile(t, filepath.Join(p, "release.toml"), "upc = \"0123456789012\"\n")
	writeFile(t, filepath.Join(p, "01.flac"), "fLaC audio")
	writeFile(t, filepath.Join(p, "cover.jpg"), "jpeg")
	return p
}

// writeLog records when a slow writer wrote: each write happened between
// a before and an after time (the writer may be preempted around it).
type writeLog struct {
	mu     sync.Mutex
	writes []span
}

type span struct{ before, after time.Time }

// write runs f, a write, and logs when it ran.
func (l *writeLog) write(f func() error) error {
	before := time.Now()
	err := f()
	after := time.Now()
	l.mu.Lock()
	l.writes = append(l.writes, span{before, after})
	l.mu.Unlock()
	return err
}

// slowWriter appends to path every interval for total, logging each write.
func slowWriter(t testing.TB, path string, interval, total time.Duration, log *writeLog) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	end := time.Now().Add(total)
	for time.Now().Before(end) {
		err := log.write(func() error { _, err := f.Write([]byte("0123456789abcdef")); return err })
		if err != nil {
			t.Error(err)
			return
		}
		time.Sleep(interval)
	}
}

// expectAfterWriter waits for name while a writer runs (a goroutine that
// closes done when it stops writing) and checks that the report did not
// come while writes were less than a settle period apart. The receive
// time may lag the watcher's decision on a loaded machine, so a report
// soon after a write fails only if no gap of a settle period or more
// occurred among the writes before it; otherwise the writer itself
// stalled and the test cannot judge, which is reported as a skip.
func (h *harness) expectAfterWriter(name string, log *writeLog, done <-chan struct{}) {
	h.t.Helper()
	var r Ready
	select {
	case r = <-h.out:
	case <-done:
		r = h.expect(name, 5*time.Second)
	}
	at := time.Now()
	if r.Name != name {
		h.t.Fatalf("got %+v, want %s", r, name)
	}
	log.mu.Lock()
	writes := append([]span(nil), log.writes...)
	log.mu.Unlock()
	// The last write before the report happened no earlier than its
	// before time; two writes were at most next.after - prev.before apart.
	var last span
	var stall time.Duration
	for _, w := range writes {
		if w.before.After(at) {
			break
		}
		if !last.before.IsZero() {
			stall = max(stall, w.after.Sub(last.before))
		}
		last = w
	}
	if quiet := at.Sub(last.before); quiet >= testSettle {
		return
	} else if stall < testSettle {
		h.t.Fatalf("%s reported %v after a write, while writes came at most %v apart; want a report only after %v without writes", name, quiet, stall, testSettle)
	}
	h.t.Skipf("writer stalled for %v (machine overloaded); cannot judge", stall)
}

// forModes runs f in parallel subtests, one per watching mode, in
// parallel with other tests.
func forModes(t *testing.T, f func(t *testing.T, mode string)) {
	t.Parallel()
	for _, mode := range []string{ModeNotify, ModePoll} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			f(t, mode)
		})
	}
}

var errInjected = errors.New("injected")
