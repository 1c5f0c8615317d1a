package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// lossySource forwards a real fsnotify source's events unless told to
// lose them, and lets a test inject errors such as an overflow.
type lossySource struct {
	eventSource
	events chan fsnotify.Event
	errors chan error
	lose   atomic.Bool
	stop   chan struct{}
}

func newLossySource() (*lossySource, error) {
	inner, err := newFsnotifySource()
	if err != nil {
		return nil, err
	}
	s := &lossySource{eventSource: inner, events: make(chan fsnotify.Event), errors: make(chan error), stop: make(chan struct{})}
	go func() {
		for {
			select {
			case ev, ok := <-inner.Events():
				if !ok {
					close(s.events)
					return
				}
				if s.lose.Load() {
					continue
				}
				select {
				case s.events <- ev:
				case <-s.stop:
					return
				}
			case err := <-inner.Errors():
				select {
				case s.errors <- err:
				case <-s.stop:
					return
				}
			case <-s.stop:
				return
			}
		}
	}()
	return s, nil
}

func (s *lossySource) Events() <-chan fsnotify.Event { return s.events }
func (s *lossySource) Errors() <-chan error          { return s.errors }
func (s *lossySource) Close() error                  { close(s.stop); return s.eventSource.Close() }

// The overflow path on its own: events are lost (as when the kernel queue
// overflows) and only the overflow error tells; the rescan must find every
// drop. Rescan is an hour, so nothing else can.
func TestOverflowErrorTriggersRescan(t *testing.T) {
	t.Parallel()
	inbox := t.TempDir()
	src, err := newLossySource()
	if err != nil {
		t.Fatal(err)
	}
	h := startWatcher(t, testOptions(t, inbox, ModeNotify), func(w *Watcher) {
		w.newSource = func() (eventSource, error) { return src, nil }
	})
	time.Sleep(50 * time.Millisecond) // past startup
	src.lose.Store(true)
	const n = 50
	for i := range n {
		release(t, inbox, fmt.Sprintf("Album%02d", i))
	}
	h.expectNone(4 * testSettle) // events lost: nothing known yet
	src.lose.Store(false)
	src.errors <- fsnotify.ErrEventOverflow
	seen := map[string]bool{}
	for len(seen) < n {
		r, ok := h.next(5 * time.Second)
		if !ok {
			t.Fatalf("%d of %d drops reported after the overflow", len(seen), n)
		}
		if seen[r.Name] {
			t.Fatalf("%s reported twice", r.Name)
		}
		seen[r.Name] = true
	}
	if got := h.m.rescanCount("overflow"); got != 1 {
		t.Errorf("%d overflow rescans, want 1", got)
	}
}

// Thousands of folders created as fast as possible: whether or not the
// kernel queue overflows, every drop is reported exactly once.
func TestManyFoldersNoneLost(t *testing.T) {
	t.Parallel()
	inbox, claimed := t.TempDir(), t.TempDir()
	opts := testOptions(t, inbox, ModeNotify)
	h := startWatcher(t, opts, nil)
	const n = 3000
	go func() {
		for i := range n {
			p := filepath.Join(inbox, fmt.Sprintf("R%05d", i))
			os.Mkdir(p, 0o755)
			os.WriteFile(filepath.Join(p, "01.flac"), []byte("x"), 0o644)
			os.WriteFile(filepath.Join(p, "release.toml"), []byte("y"), 0o644)
		}
	}()
	seen := map[string]bool{}
	for len(seen) < n {
		r, ok := h.next(20 * time.Second)
		if !ok {
			t.Fatalf("%d of %d drops reported", len(seen), n)
		}
		if seen[r.Name] {
			t.Fatalf("%s reported twice", r.Name)
		}
		seen[r.Name] = true
		h.claim(r, claimed)
	}
	h.expectNone(3 * testSettle)
	t.Logf("overflow rescans: %d", h.m.rescanCount("overflow"))
}

// failingSource refuses watches beyond the inboxes, as when
// fs.inotify.max_user_watches is reached.
type failingSource struct {
	eventSource
	inbox string
}

func (s *failingSource) Add(p string) error {
	if p != s.inbox {
		return fmt.Errorf("inotify_add_watch %s: %w", p, syscall.ENOSPC)
	}
	return s.eventSource.Add(p)
}

func TestWatchLimitAutoFallsBackToPoll(t *testing.T) {
	t.Parallel()
	inbox := t.TempDir()
	h := startWatcher(t, testOptions(t, inbox, ModeAuto), func(w *Watcher) {
		w.newSource = func() (eventSource, error) {
			src, err := newFsnotifySource()
			return &failingSource{src, inbox}, err
		}
	})
	release(t, inbox, "Album")
	h.expect("Album", 5*time.Second)
	if got := h.m.lastMode(); got != ModePoll {
		t.Errorf("mode %q after the watch limit, want poll", got)
	}
	if h.m.rescanCount("fallback") != 1 {
		t.Errorf("fallback rescan not counted: %v", h.m.rescans)
	}
}

func TestWatchLimitNotifyModeFails(t *testing.T) {
	t.Parallel()
	inbox := t.TempDir()
	w, err := New(testOptions(t, inbox, ModeNotify))
	if err != nil {
		t.Fatal(err)
	}
	w.newSource = func() (eventSource, error) {
		src, err := newFsnotifySource()
		return &failingSource{src, inbox}, err
	}
	release(t, inbox, "Album")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = w.Run(ctx, make(chan Ready, 1))
	if err == nil || !isWatchLimit(err) {
		t.Fatalf("Run = %v, want a watch limit error", err)
	}
}

// silentSource never delivers an event, like a FUSE mount.
type silentSource struct {
	eventSource
	events chan fsnotify.Event
}

func (s *silentSource) Events() <-chan fsnotify.Event { return s.events }

func TestAutoFallsBackWhenNoEvents(t *testing.T) {
	t.Parallel()
	inbox := t.TempDir()
	h := startWatcher(t, testOptions(t, inbox, ModeAuto), func(w *Watcher) {
		w.probeTimeout = 200 * time.Millisecond
		w.newSource = func() (eventSource, error) {
			src, err := newFsnotifySource()
			return &silentSource{src, make(chan fsnotify.Event)}, err
		}
	})
	release(t, inbox, "Album")
	h.expect("Album", 5*time.Second)
	if got := h.m.lastMode(); got != ModePoll {
		t.Errorf("mode %q, want poll", got)
	}
	left, _ := filepath.Glob(filepath.Join(inbox, ".ferry-probe-*"))
	if len(left) != 0 {
		t.Errorf("probe files left behind: %v", left)
	}
}
