package watch

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func contextWithCleanup(t testing.TB) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx, cancel
}

func TestIsTempName(t *testing.T) {
	for _, tc := range []struct {
		name string
		temp bool
	}{
		{"01.flac", false},
		{"release.toml", false},
		{"ERRORS.txt", false},
		{"part", false},
		{".part", true},
		{"01.flac.part", true},
		{"01.flac.PART", true},
		{"x.tmp", true},
		{"x.TMP", true},
		{"x.crdownload", true},
		{"x.filepart", true},
		{"~$doc.docx", true},
		{"~doc.docx", false},
		{".DS_Store", false}, // system names do not block (TestSystemNamesDoNotBlock)
		{"Thumbs.db", false},
		{"thumbs.db", false},
		{"._01.flac", false},
		{".hidden", true},
		{".ferry", true}, // only exempt as an item's own state folder (see TestScanRules)
		{".01.flac.Ab12Cd", true},
		{"tmp", false},
	} {
		if got := isTempName(tc.name); got != tc.temp {
			t.Errorf("isTempName(%q) = %v, want %v", tc.name, got, tc.temp)
		}
	}
}

func TestParseMarker(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    marker
		wantErr string
	}{
		{in: ""},
		{in: "READY", want: marker{inside: "READY"}},
		{in: ".ready", want: marker{inside: ".ready"}},
		{in: "<name>.done", want: marker{suffix: ".done", beside: true}},
		{in: "READY-<name>", want: marker{prefix: "READY-", beside: true}},
		{in: "<name>", wantErr: "folder itself"},
		{in: "<name>.<name>", wantErr: "once"},
		{in: "a/READY", wantErr: "not a path"},
		{in: `a\READY`, wantErr: "not a path"},
		{in: "..", wantErr: "not a path"},
	} {
		got, err := parseMarker(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseMarker(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseMarker(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	m, _ := parseMarker("<name>.done")
	for name, want := range map[string]string{"Album.done": "Album", "a.b.done": "a.b", ".done": "", "Album": ""} {
		got, ok := m.folderOf(name)
		if got != want || ok != (want != "") {
			t.Errorf("folderOf(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

func TestOptionsDefaultsAndErrors(t *testing.T) {
	o, err := Options{Dirs: []string{"in"}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.Mode != ModeAuto || o.Settle != DefaultSettle || o.PollInterval != DefaultPollInterval ||
		o.Rescan != DefaultRescan || o.StillCopyingAfter != DefaultStillCopyingAfter || !filepath.IsAbs(o.Dirs[0]) {
		t.Errorf("defaults: %+v", o)
	}
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{}, "no inbox"},
		{Options{Dirs: []string{""}}, "empty inbox"},
		{Options{Dirs: []string{"/a", "/a/b"}}, "overlaps"},
		{Options{Dirs: []string{"/a", "/a"}}, "overlaps"},
		{Options{Dirs: []string{"/a"}, Mode: "inotify"}, "want auto, notify or poll"},
		{Options{Dirs: []string{"/a"}, Settle: -time.Second}, "settle"},
		{Options{Dirs: []string{"/a"}, ReadyMarker: "x/y"}, "not a path"},
	} {
		_, err := New(tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want error containing %q", tc.opts, err, tc.want)
		}
	}
}

func TestRunMissingInbox(t *testing.T) {
	w, err := New(Options{Dirs: []string{filepath.Join(t.TempDir(), "nope")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Run(context.Background(), make(chan Ready)); err == nil {
		t.Fatal("Run on a missing inbox succeeded")
	}
}

// scanOf scans path with the given inside marker.
func scanOf(t *testing.T, path, inside string) scanResult {
	t.Helper()
	s := scanner{inside: inside, collect: true}
	var r scanResult
	if err := s.scan(path, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestScanDetectsEveryKindOfChange(t *testing.T) {
	dir := t.TempDir()
	p := release(t, dir, "Album")
	base := scanOf(t, p, "")
	if !base.isDir || base.sig.files != 3 || base.sig.dirs != 0 || base.temp != "" {
		t.Fatalf("base scan: %+v", base)
	}
	if again := scanOf(t, p, ""); again.sig != base.sig {
		t.Fatal("two scans of an unchanged tree differ")
	}
	audio := filepath.Join(p, "01.flac")
	fi, _ := os.Stat(audio)
	for _, tc := range []struct {
		name   string
		change func()
	}{
		{"mtime only (preallocated file written in place)", func() {
			os.Chtimes(audio, fi.ModTime(), fi.ModTime().Add(time.Second))
		}},
		{"size", func() { os.WriteFile(audio, []byte("longer audio"), 0o644) }},
		{"new file", func() { writeFile(t, filepath.Join(p, "02.flac"), "") }},
		{"rename", func() { os.Rename(filepath.Join(p, "02.flac"), filepath.Join(p, "03.flac")) }},
		{"move into a sub-folder", func() {
			writeFile(t, filepath.Join(p, "disc1", "x"), "")
			os.Rename(filepath.Join(p, "03.flac"), filepath.Join(p, "disc1", "03.flac"))
		}},
		{"empty folder", func() { os.Mkdir(filepath.Join(p, "empty"), 0o755) }},
		{"mode", func() { os.Chmod(audio, 0o600) }},
	} {
		before := scanOf(t, p, "")
		tc.change()
		after := scanOf(t, p, "")
		if after.sig == before.sig {
			t.Errorf("%s: signature unchanged", tc.name)
		}
	}
}

func TestScanRules(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		files  []string
		inside string
		temp   string
		marker bool
	}{
		{name: "clean", files: []string{"01.flac", "disc2/01.flac"}},
		{name: "part", files: []string{"01.flac", "02.flac.part"}, temp: "02.flac.part"},
		{name: "nested hidden", files: []string{"disc2/.01.flac.Ab12Cd"}, temp: "disc2/.01.flac.Ab12Cd"},
		{name: "nested system name", files: []string{"disc2/._01.flac"}},
		{name: "state dir", files: []string{".ferry/history.jsonl", ".ferry/x.tmp", ".ferry/.lock", "ERRORS.txt"}},
		{name: "nested state dir is hidden", files: []string{"disc2/.ferry/x"}, temp: "disc2/.ferry"},
		{name: "marker", files: []string{"READY"}, inside: "READY", marker: true},
		{name: "hidden marker", files: []string{".ready"}, inside: ".ready", marker: true},
		{name: "marker only at top", files: []string{"disc2/READY"}, inside: "READY"},
		{name: "office lock", files: []string{"~$booklet.docx"}, temp: "~$booklet.docx"},
	} {
		p := filepath.Join(dir, tc.name)
		for _, f := range tc.files {
			writeFile(t, filepath.Join(p, f), "x")
		}
		r := scanOf(t, p, tc.inside)
		if r.temp != tc.temp || r.marker != tc.marker || r.sig.files != len(tc.files) {
			t.Errorf("%s: temp %q marker %v files %d; want %q %v %d", tc.name, r.temp, r.marker, r.sig.files, tc.temp, tc.marker, len(tc.files))
		}
	}
}

func TestScanDoesNotFollowSymlinks(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "big.wav"), "outside")
	p := release(t, dir, "Album")
	if err := os.Symlink(outside, filepath.Join(p, "link")); err != nil {
		t.Skip(err)
	}
	r := scanOf(t, p, "")
	if r.sig.files != 4 || r.sig.dirs != 0 {
		t.Errorf("symlink followed: %+v", r.sig)
	}
	if err := os.Symlink(p, filepath.Join(dir, "top-link")); err != nil {
		t.Fatal(err)
	}
	if top := scanOf(t, filepath.Join(dir, "top-link"), ""); top.isDir {
		t.Error("a symlink at the inbox top level scanned as a folder")
	}
}

func TestScheduleOrderAndReplan(t *testing.T) {
	var s schedule
	t0 := time.Now()
	a, b, c := &entry{}, &entry{}, &entry{}
	s.set(a, t0.Add(3*time.Second))
	s.set(b, t0.Add(1*time.Second))
	s.set(c, t0.Add(2*time.Second))
	s.set(a, t0.Add(500*time.Millisecond)) // moved earlier: the old item is stale
	s.set(c, t0.Add(2*time.Second))        // same plan: no new item
	s.cancel(b)
	if len(s) != 4 {
		t.Errorf("%d heap items, want 4 (a twice, b, c)", len(s))
	}
	if got := s.next(); !got.Equal(t0.Add(500 * time.Millisecond)) {
		t.Errorf("next = %v", got.Sub(t0))
	}
	var order []*entry
	for e := s.popDue(t0.Add(time.Hour)); e != nil; e = s.popDue(t0.Add(time.Hour)) {
		order = append(order, e)
	}
	if len(order) != 2 || order[0] != a || order[1] != c {
		t.Errorf("popped %d entries in the wrong order", len(order))
	}
	if !s.next().IsZero() {
		t.Error("schedule not empty")
	}
}
