package local

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ferrydelivery/ferry/stages/delivery"
)

func newTransport(t *testing.T) *Transport {
	t.Helper()
	tr, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// leftovers lists every entry under root, to catch stray temp files.
func leftovers(t *testing.T, root string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	return names
}

func TestPutWritesFileCreatingFolders(t *testing.T) {
	tr := newTransport(t)
	data := []byte("<NewReleaseMessage/>")
	if err := tr.Put(context.Background(), "batch/A1/release.xml", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(tr.Root(), "batch", "A1", "release.xml"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("content = %q, %v; want %q", got, err, data)
	}
	fi, _ := os.Stat(filepath.Join(tr.Root(), "batch", "A1", "release.xml"))
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644 so the drop's readers can read it", fi.Mode().Perm())
	}
	if l := leftovers(t, tr.Root()); len(l) != 1 {
		t.Errorf("files under root = %v, want only the uploaded one", l)
	}
}

func TestPutReplacesExistingFile(t *testing.T) {
	tr := newTransport(t)
	ctx := context.Background()
	for _, content := range []string{"first version, longer", "second"} {
		if err := tr.Put(ctx, "a.txt", strings.NewReader(content), int64(len(content))); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(filepath.Join(tr.Root(), "a.txt"))
	if string(got) != "second" {
		t.Fatalf("content = %q, want %q", got, "second")
	}
}

func TestPutFailuresLeaveNothing(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		ctx       context.Context
		path      string
		src       io.Reader
		size      int64
		permanent bool
	}{
		{"source shorter than size", context.Background(), "a.bin", strings.NewReader("abc"), 10, false},
		{"source longer than size", context.Background(), "a.bin", strings.NewReader("abcdef"), 3, false},
		{"source read error", context.Background(), "a.bin", io.MultiReader(strings.NewReader("ab"), errReader{}), 10, false},
		{"context canceled", canceled, "a.bin", strings.NewReader("abc"), 3, false},
		{"absolute path", context.Background(), "/etc/passwd", strings.NewReader("x"), 1, true},
		{"path leaving the root", context.Background(), "../outside", strings.NewReader("x"), 1, true},
		{"path leaving the root via a folder", context.Background(), "a/../../outside", strings.NewReader("x"), 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t)
			err := tr.Put(tt.ctx, tt.path, tt.src, tt.size)
			if err == nil {
				t.Fatal("Put succeeded")
			}
			if got := delivery.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
			if l := leftovers(t, tr.Root()); len(l) != 0 {
				t.Errorf("files left under root: %v", l)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(tr.Root()), "outside")); err == nil {
				t.Error("a file was written outside the root")
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, syscall.EIO }

// TestPutNeverShowsPartialFile reads the final name while Put is writing:
// it must not exist until it holds everything.
func TestPutNeverShowsPartialFile(t *testing.T) {
	tr := newTransport(t)
	const size = 4 << 20
	final := filepath.Join(tr.Root(), "big.wav")
	src := &pausingReader{r: io.LimitReader(zeros{}, size), pauseEvery: 64 << 10, check: func() {
		if _, err := os.Stat(final); err == nil {
			t.Error("final name exists while the upload is in progress")
		}
	}}
	if err := tr.Put(context.Background(), "big.wav", src, size); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(final); err != nil || fi.Size() != size {
		t.Fatalf("final file: %v, %v; want %d bytes", fi, err, size)
	}
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) { clear(b); return len(b), nil }

// pausingReader calls check every pauseEvery bytes of reading.
type pausingReader struct {
	r          io.Reader
	pauseEvery int
	n          int
	check      func()
}

func (p *pausingReader) Read(b []byte) (int, error) {
	if len(b) > p.pauseEvery {
		b = b[:p.pauseEvery]
	}
	n, err := p.r.Read(b)
	p.n += n
	p.check()
	return n, err
}

func TestStatListOpen(t *testing.T) {
	tr := newTransport(t)
	ctx := context.Background()
	for _, f := range []string{"acks/b.xml", "acks/a.xml", "acks/sub/c.xml"} {
		if err := tr.Put(ctx, f, strings.NewReader(f), int64(len(f))); err != nil {
			t.Fatal(err)
		}
	}
	// An interrupted write's temp file must not be listed.
	os.WriteFile(filepath.Join(tr.Root(), "acks", ".d.xml.123"+TempSuffix), []byte("x"), 0o644)

	size, err := tr.Stat(ctx, "acks/a.xml")
	if err != nil || size != int64(len("acks/a.xml")) {
		t.Errorf("Stat = %d, %v", size, err)
	}
	if _, err := tr.Stat(ctx, "acks/missing.xml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat of a missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := tr.Stat(ctx, "acks/sub"); err == nil {
		t.Error("Stat of a folder succeeded")
	}

	files, err := tr.List(ctx, "acks")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "a.xml,b.xml" {
		t.Errorf("List = %v, want [a.xml b.xml]", names)
	}
	if files, err := tr.List(ctx, "no/such/folder"); err != nil || len(files) != 0 {
		t.Errorf("List of a missing folder = %v, %v; want empty", files, err)
	}

	rc, err := tr.Open(ctx, "acks/b.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); string(b) != "acks/b.xml" {
		t.Errorf("Open read %q", b)
	}
	if _, err := tr.Open(ctx, "acks/missing.xml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open of a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestNewNeedsExistingFolder(t *testing.T) {
	_, err := New(filepath.Join(t.TempDir(), "not-mounted"))
	if err == nil || !delivery.IsPermanent(err) {
		t.Fatalf("New on a missing folder: %v, want a permanent error", err)
	}
}

// TestClassify uses the errors the os package returns for these faults;
// running as root, the permission ones cannot be provoked for real.
func TestClassify(t *testing.T) {
	tests := []struct {
		err       error
		permanent bool
	}{
		{&os.PathError{Op: "open", Path: "/drop/a", Err: syscall.EACCES}, true},
		{&os.PathError{Op: "open", Path: "/drop/a", Err: syscall.EPERM}, true},
		{&os.PathError{Op: "open", Path: "/drop/a", Err: syscall.EROFS}, true},
		{&os.PathError{Op: "write", Path: "/drop/a", Err: syscall.ENOSPC}, false},
		{&os.PathError{Op: "write", Path: "/drop/a", Err: syscall.EDQUOT}, false},
		{&os.PathError{Op: "write", Path: "/drop/a", Err: syscall.EIO}, false},
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.ESTALE}, false},
	}
	for _, tt := range tests {
		if got := delivery.IsPermanent(classify(tt.err)); got != tt.permanent {
			t.Errorf("classify(%v) permanent = %v, want %v", tt.err, got, tt.permanent)
		}
	}
}
