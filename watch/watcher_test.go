package watch

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCompleteFolderReported(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		h := startWatcher(t, testOptions(t, inbox, mode), nil)
		time.Sleep(50 * time.Millisecond)
		dropped := time.Now()
		release(t, inbox, "Album")
		r := h.expect("Album", 5*time.Second)
		if waited := time.Since(dropped); waited < testSettle {
			t.Errorf("reported after %v, before settling (%v)", waited, testSettle)
		}
		if r.Loose || r.Dir != inbox || r.Marker != "" {
			t.Errorf("got %+v", r)
		}
		h.expectNone(2 * testSettle)
	})
}

func TestSlowWriterNotTakenEarly(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		h := startWatcher(t, testOptions(t, inbox, mode), nil)
		var log writeLog
		log.write(func() error { release(t, inbox, "Album"); return nil })
		done := make(chan struct{})
		go func() {
			defer close(done)
			slowWriter(t, filepath.Join(inbox, "Album", "02.flac"), testSettle/5, 3*testSettle, &log)
		}()
		h.expectAfterWriter("Album", &log, done)
	})
}

// Preallocating writers (Samba's strict allocate) set the final size at
// once; only the mtime moves while data arrives.
func TestPreallocatedFileNotTakenEarly(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		h := startWatcher(t, testOptions(t, inbox, mode), nil)
		var log writeLog
		var f *os.File
		const size = 4096
		err := log.write(func() (err error) {
			release(t, inbox, "Album")
			if f, err = os.Create(filepath.Join(inbox, "Album", "02.flac")); err != nil {
				return err
			}
			return f.Truncate(size)
		})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		done := make(chan struct{})
		go func() {
			defer close(done)
			end := time.Now().Add(3 * testSettle)
			for off := int64(0); time.Now().Before(end); off = (off + 16) % size {
				err := log.write(func() error { _, err := f.WriteAt([]byte("0123456789abcdef"), off); return err })
				if err != nil {
					t.Error(err)
					return
				}
				time.Sleep(testSettle / 5)
			}
		}()
		h.expectAfterWriter("Album", &log, done)
	})
}

func TestTempNameBlocksUntilRenamed(t *testing.T) {
	tempNames := []string{"02.flac.part", "02.flac.tmp", "x.crdownload", "~$notes.docx", ".02.flac.Ab12Cd", "sub/.hidden"}
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		h := startWatcher(t, testOptions(t, inbox, mode), nil)
		for i, tmp := range tempNames {
			name := fmt.Sprintf("Album%d", i)
			release(t, inbox, name)
			writeFile(t, filepath.Join(inbox, name, tmp), "partial")
		}
		h.expectNone(3 * testSettle)
		want := map[string]bool{}
		for i, tmp := range tempNames {
			name := fmt.Sprintf("Album%d", i)
			old := filepath.Join(inbox, name, tmp)
			if err := os.Rename(old, filepath.Join(inbox, name, fmt.Sprintf("done%d.flac", i))); err != nil {
				t.Fatal(err)
			}
			want[name] = true
		}
		for len(want) > 0 {
			r, ok := h.next(5 * time.Second)
			if !ok || !want[r.Name] {
				t.Fatalf("got %+v, %v; still waiting for %v", r, ok, want)
			}
			delete(want, r.Name)
		}
	})
}

// TestSystemNamesDoNotBlock: files a desktop leaves in every folder it
// shows (Finder, Explorer) do not keep a release waiting.
func TestSystemNamesDoNotBlock(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		h := startWatcher(t, testOptions(t, inbox, mode), nil)
		release(t, inbox, "Album")
		for _, name := range []string{".DS_Store", "._01.flac", "Thumbs.db", "desktop.ini"} {
			writeFile(t, filepath.Join(inbox, "Album", name), "x")
		}
		writeFile(t, filepath.Join(inbox, ".DS_Store"), "x") // at the top: neither a drop nor loose
		if r := h.expect("Album", 5*time.Second); r.Loose {
			t.Errorf("got %+v", r)
		}
		h.expectNone(2 * testSettle)
	})
}

func TestMarkerInside(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		opts := testOptions(t, inbox, mode)
		opts.ReadyMarker = "READY"
		h := startWatcher(t, opts, nil)
		release(t, inbox, "Album")
		h.expectNone(3 * testSettle)
		writeFile(t, filepath.Join(inbox, "Album", "READY"), "")
		r := h.expect("Album", 5*time.Second)
		if r.Marker != "" {
			t.Errorf("Marker = %q, want none for an inside marker", r.Marker)
		}
	})
}

func TestMarkerInsideStillRespectsTempNames(t *testing.T) {
	t.Parallel()
	inbox := t.TempDir()
	opts := testOptions(t, inbox, ModeNotify)
	opts.ReadyMarker = "READY"
	h := startWatcher(t, opts, nil)
	release(t, inbox, "Album")
	writeFile(t, filepath.Join(inbox, "Album", "02.flac.part"), "")
	writeFile(t, filepath.Join(inbox, "Album", "READY"), "")
	h.expectNone(3 * testSettle)
	os.Remove(filepath.Join(inbox, "Album", "02.flac.part"))
	h.expect("Album", 5*time.Second)
}

func TestMarkerBeside(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		opts := testOptions(t, inbox, mode)
		opts.ReadyMarker = "<name>.done"
		h := startWatcher(t, opts, nil)
		release(t, inbox, "Album")
		writeFile(t, filepath.Join(inbox, "Orphan.done"), "") // a marker without its folder: neither a drop nor loose
		h.expectNone(3 * testSettle)
		writeFile(t, filepath.Join(inbox, "Album.done"), "")
		r := h.expect("Album", 5*time.Second)
		if want := filepath.Join(inbox, "Album.done"); r.Marker != want {
			t.Errorf("Marker = %q, want %q", r.Marker, want)
		}
		h.expectNone(2 * testSettle)
	})
}

func TestLooseFileReported(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		h := startWatcher(t, testOptions(t, inbox, mode), nil)
		writeFile(t, filepath.Join(inbox, ".hidden"), "ignored")
		writeFile(t, filepath.Join(inbox, "upload.zip.part"), "ignored")
		writeFile(t, filepath.Join(inbox, "album.zip"), "zip")
		r := h.expect("album.zip", 5*time.Second)
		if !r.Loose {
			t.Errorf("Loose = false for a file at the inbox top level")
		}
		h.expectNone(3 * testSettle)
	})
}

func TestFerryStateDirDoesNotBlock(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		h := startWatcher(t, testOptions(t, inbox, mode), nil)
		// A folder moved back from failed/: ferry's state inside, with
		// names that would be temporary anywhere else.
		staging := t.TempDir()
		p := release(t, staging, "Album")
		writeFile(t, filepath.Join(p, "ERRORS.txt"), "cover.jpg is 600 px wide; 3000 required\n")
		writeFile(t, filepath.Join(p, ".ferry", "history.jsonl"), "{}\n")
		writeFile(t, filepath.Join(p, ".ferry", "history.jsonl.tmp"), "")
		writeFile(t, filepath.Join(p, ".ferry", "package", ".x"), "")
		if err := os.Rename(p, filepath.Join(inbox, "Album")); err != nil {
			t.Fatal(err)
		}
		h.expect("Album", 5*time.Second)
	})
}

// Only the item's own .ferry is ferry's; deeper down it is a hidden name.
func TestNestedFerryDirBlocks(t *testing.T) {
	t.Parallel()
	inbox := t.TempDir()
	h := startWatcher(t, testOptions(t, inbox, ModePoll), nil)
	p := release(t, inbox, "Album")
	writeFile(t, filepath.Join(p, "disc1", ".ferry", "x"), "")
	h.expectNone(3 * testSettle)
}

func TestPollModeUsesNoEvents(t *testing.T) {
	t.Parallel()
	inbox := t.TempDir()
	opts := testOptions(t, inbox, ModePoll)
	h := startWatcher(t, opts, func(w *Watcher) {
		w.newSource = func() (eventSource, error) {
			t.Error("poll mode created an event source")
			return nil, errInjected
		}
	})
	release(t, inbox, "Album")
	h.expect("Album", 5*time.Second)
	if got := h.m.lastMode(); got != ModePoll {
		t.Errorf("mode %q, want poll", got)
	}
	if h.m.rescanCount("poll") == 0 {
		t.Errorf("no poll rescans counted")
	}
	if n := h.m.eventCount(); n != 0 {
		t.Errorf("%d events counted in poll mode", n)
	}
}

func TestAutoUsesEventsOnLocalDisk(t *testing.T) {
	t.Parallel()
	inbox := t.TempDir()
	if fs, _ := eventlessFSAt(inbox); fs != "" {
		t.Skipf("temp dir is on %s", fs)
	}
	h := startWatcher(t, testOptions(t, inbox, ModeAuto), nil)
	release(t, inbox, "Album")
	h.expect("Album", 5*time.Second)
	if got := h.m.lastMode(); got != ModeNotify {
		t.Errorf("mode %q, want notify", got)
	}
	if h.m.eventCount() == 0 {
		t.Errorf("no events counted")
	}
}

func TestRestartWhileHalfCopied(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		// A previous daemon saw these half-copied folders, then stopped.
		first := startWatcher(t, testOptions(t, inbox, mode), nil)
		p := release(t, inbox, "Growing")
		release(t, inbox, "Partial")
		writeFile(t, filepath.Join(inbox, "Partial", "02.flac.part"), "half")
		slowWriter(t, filepath.Join(p, "02.flac"), testSettle/5, testSettle/2, &writeLog{})
		first.stop()

		var h *harness
		var log writeLog
		log.write(func() error { h = startWatcher(t, testOptions(t, inbox, mode), nil); return nil })
		done := make(chan struct{})
		go func() {
			defer close(done)
			slowWriter(t, filepath.Join(p, "02.flac"), testSettle/5, 3*testSettle, &log)
		}()
		h.expectAfterWriter("Growing", &log, done)
		h.expectNone(2 * testSettle)
		if err := os.Rename(filepath.Join(inbox, "Partial", "02.flac.part"), filepath.Join(inbox, "Partial", "02.flac")); err != nil {
			t.Fatal(err)
		}
		h.expect("Partial", 5*time.Second)
	})
}

func TestCompleteFoldersAtStartupWaitForSettle(t *testing.T) {
	t.Parallel()
	inbox := t.TempDir()
	release(t, inbox, "Album")
	started := time.Now()
	h := startWatcher(t, testOptions(t, inbox, ModeNotify), nil)
	h.expect("Album", 5*time.Second)
	if d := time.Since(started); d < testSettle {
		t.Errorf("reported %v after start, before settling", d)
	}
}

func TestClaimedForgottenAndRetryIsNewDrop(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox, failed := t.TempDir(), t.TempDir()
		opts := testOptions(t, inbox, mode)
		opts.Rescan = 2 * testSettle
		h := startWatcher(t, opts, nil)
		release(t, inbox, "Album")
		h.claim(h.expect("Album", 5*time.Second), failed)
		h.expectNone(3 * testSettle) // claimed: never reported again, even after rescans
		// The user moves it back from failed/ to retry.
		if err := os.Rename(filepath.Join(failed, "Album"), filepath.Join(inbox, "Album")); err != nil {
			t.Fatal(err)
		}
		h.expect("Album", 5*time.Second)
	})
}

func TestUnclaimedReportedAgainAfterRescan(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		opts := testOptions(t, inbox, mode)
		opts.Rescan = 3 * testSettle
		h := startWatcher(t, opts, nil)
		release(t, inbox, "Album")
		h.expect("Album", 5*time.Second)
		start := time.Now()
		h.expect("Album", 10*opts.Rescan)
		if d := time.Since(start); d < opts.Rescan {
			t.Errorf("reported again after %v, before a rescan period (%v)", d, opts.Rescan)
		}
	})
}

func TestNewSubfolderWatched(t *testing.T) {
	t.Parallel()
	inbox := t.TempDir()
	var mu sync.Mutex
	var added []string
	h := startWatcher(t, testOptions(t, inbox, ModeNotify), func(w *Watcher) {
		w.newSource = func() (eventSource, error) {
			src, err := newFsnotifySource()
			return &recordingSource{eventSource: src, add: func(p string) { mu.Lock(); added = append(added, p); mu.Unlock() }}, err
		}
	})
	var log writeLog
	var p string
	sub := ""
	err := log.write(func() error {
		p = release(t, inbox, "Album")
		sub = filepath.Join(p, "disc1", "audio")
		return os.MkdirAll(sub, 0o755)
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		slowWriter(t, filepath.Join(sub, "01.flac"), testSettle/5, 3*testSettle, &log)
	}()
	h.expectAfterWriter("Album", &log, done)
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{p, filepath.Join(p, "disc1"), sub} {
		found := false
		for _, a := range added {
			found = found || a == want
		}
		if !found {
			t.Errorf("no watch added for %s (added: %v)", want, added)
		}
	}
}

// recordingSource reports every Add.
type recordingSource struct {
	eventSource
	add func(string)
}

func (s *recordingSource) Add(p string) error { s.add(p); return s.eventSource.Add(p) }

func TestStillCopyingLoggedOnce(t *testing.T) {
	t.Parallel()
	inbox := t.TempDir()
	var buf syncBuffer
	opts := testOptions(t, inbox, ModeNotify)
	opts.Logger = slog.New(slog.NewTextHandler(&buf, nil))
	opts.StillCopyingAfter = testSettle
	opts.Rescan = testSettle / 2
	h := startWatcher(t, opts, nil)
	p := release(t, inbox, "Album")
	writeFile(t, filepath.Join(p, "02.flac.part"), "")
	slowWriter(t, filepath.Join(p, "02.flac.part"), testSettle/5, 4*testSettle, &writeLog{})
	h.expectNone(2 * testSettle)
	if n := strings.Count(buf.String(), "still being copied"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, buf.String())
	}
	if !strings.Contains(buf.String(), "02.flac.part") {
		t.Errorf("log does not say what it waits for:\n%s", buf.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestBackPressureDoesNotLoseDrops(t *testing.T) {
	t.Parallel()
	inbox := t.TempDir()
	opts := testOptions(t, inbox, ModeNotify)
	w, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan Ready) // unbuffered, and nobody reads at first
	ctx, cancel := contextWithCleanup(t)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, out) }()
	const n = 20
	for i := range n {
		release(t, inbox, fmt.Sprintf("Album%02d", i))
	}
	time.Sleep(3 * testSettle)
	seen := map[string]int{}
	for len(seen) < n {
		select {
		case r := <-out:
			seen[r.Name]++
			if err := os.RemoveAll(r.Path()); err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("got %d of %d drops", len(seen), n)
		}
	}
	for name, c := range seen {
		if c != 1 {
			t.Errorf("%s reported %d times", name, c)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Finder creates "untitled folder" and the user renames it before (or
// while) copying into it: only the final name is a drop.
func TestFolderRenamedInInbox(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		h := startWatcher(t, testOptions(t, inbox, mode), nil)
		tmp := filepath.Join(inbox, "untitled folder")
		if err := os.Mkdir(tmp, 0o755); err != nil {
			t.Fatal(err)
		}
		time.Sleep(testSettle / 4)
		if err := os.Rename(tmp, filepath.Join(inbox, "Album")); err != nil {
			t.Fatal(err)
		}
		var log writeLog
		done := make(chan struct{})
		go func() {
			defer close(done)
			log.write(func() error { release(t, inbox, "Album"); return nil })
			slowWriter(t, filepath.Join(inbox, "Album", "02.flac"), testSettle/5, 2*testSettle, &log)
		}()
		h.expectAfterWriter("Album", &log, done)
		h.expectNone(2 * testSettle)
	})
}

func TestSeveralInboxes(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		a, b := t.TempDir(), t.TempDir()
		opts := testOptions(t, a, mode)
		opts.Dirs = []string{a, b}
		h := startWatcher(t, opts, nil)
		release(t, a, "One")
		release(t, b, "Two")
		got := map[string]string{}
		for range 2 {
			r, ok := h.next(5 * time.Second)
			if !ok {
				t.Fatalf("reported only %v", got)
			}
			got[r.Name] = r.Dir
		}
		if got["One"] != a || got["Two"] != b {
			t.Errorf("got %v", got)
		}
	})
}

// Tools that stage a folder under a hidden or temporary name and rename it
// when done: only the final name is a drop.
func TestStagedFolderTakenAfterRename(t *testing.T) {
	forModes(t, func(t *testing.T, mode string) {
		inbox := t.TempDir()
		opts := testOptions(t, inbox, mode)
		opts.ReadyMarker = "<name>.done"
		h := startWatcher(t, opts, nil)
		release(t, inbox, ".Album.staging")
		release(t, inbox, "Album.tmp")
		release(t, inbox, "Other.done") // a folder matching the marker pattern is a marker, not a drop
		writeFile(t, filepath.Join(inbox, ".Album.staging", "02.flac"), "more")
		h.expectNone(3 * testSettle)
		if err := os.Rename(filepath.Join(inbox, ".Album.staging"), filepath.Join(inbox, "Album")); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(inbox, "Album.done"), "")
		h.expect("Album", 5*time.Second)
		h.expectNone(2 * testSettle)
	})
}
