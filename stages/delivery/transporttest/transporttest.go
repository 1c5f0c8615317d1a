// Package transporttest is the conformance suite every delivery.Transport
// must pass: the contract written in the Transport's doc comment, checked
// the same way against each backend (local folder, SFTP, the sandbox, S3,
// distributor packages), as restic's backend tests do. A transport's own
// tests call Run with a constructor; each subtest gets a fresh transport.
package transporttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery"
)

// Options adjust the suite to a backend.
type Options struct {
	// Base is prepended to every path the suite writes, so that several
	// runs can share one bucket or server folder. Empty: the root.
	Base string
	// Size is the size of the large file written by the atomicity and
	// cancellation checks; 0 means 1 MiB. Backends that switch strategy
	// above a threshold (multipart) can ask for a size above it.
	Size int
}

// Run runs every conformance check against transports made by newT, one
// fresh transport per subtest. newT should register its own cleanup;
// the suite calls Close itself and checks its result once.
func Run(t *testing.T, newT func(t *testing.T) delivery.Transport, o Options) {
	if o.Size == 0 {
		o.Size = 1 << 20
	}
	s := &suite{o: o}
	for _, c := range []struct {
		name string
		fn   func(*testing.T, delivery.Transport)
	}{
		{"PutStatOpen", s.putStatOpen},
		{"ParentsCreated", s.parentsCreated},
		{"StatMissing", s.statMissing},
		{"OpenMissing", s.openMissing},
		{"ListMissingIsEmpty", s.listMissing},
		{"ListFilesOnly", s.listFilesOnly},
		{"Overwrite", s.overwrite},
		{"EmptyFile", s.emptyFile},
		{"NothingVisibleWhilePutting", s.atomicNew},
		{"OldContentWhileOverwriting", s.atomicOverwrite},
		{"ShortSourceLeavesNothing", s.shortSource},
		{"CancelLeavesNothing", s.cancel},
		{"CancelledBeforeStart", s.cancelledBefore},
		{"Close", s.close},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newT(t)) })
	}
}

type suite struct{ o Options }

// p names a path of the calling check under the base folder.
func (s *suite) p(t *testing.T, elem ...string) string {
	name := strings.ReplaceAll(path.Base(t.Name()), "/", "_")
	return path.Join(append([]string{s.o.Base, name}, elem...)...)
}

// Data returns n reproducible pseudo-random bytes.
func Data(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

func put(t *testing.T, tr delivery.Transport, p string, data []byte) {
	t.Helper()
	if err := tr.Put(context.Background(), p, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("Put %s: %v", p, err)
	}
}

// ReadBack opens p and returns its content.
func ReadBack(t testing.TB, tr delivery.Transport, p string) []byte {
	t.Helper()
	rc, err := tr.Open(context.Background(), p)
	if err != nil {
		t.Fatalf("Open %s: %v", p, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", p, err)
	}
	return b
}

func wantSize(t *testing.T, tr delivery.Transport, p string, want int) {
	t.Helper()
	got, err := tr.Stat(context.Background(), p)
	if err != nil || got != int64(want) {
		t.Fatalf("Stat %s = %d, %v; want %d", p, got, err, want)
	}
}

func wantMissing(t *testing.T, tr delivery.Transport, p string) {
	t.Helper()
	size, err := tr.Stat(context.Background(), p)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat %s = %d, %v; want an error wrapping fs.ErrNotExist", p, size, err)
	}
	files, err := tr.List(context.Background(), path.Dir(p))
	if err != nil {
		t.Fatalf("List %s: %v", path.Dir(p), err)
	}
	for _, f := range files {
		if f.Name == path.Base(p) {
			t.Fatalf("List %s shows %s (%d bytes), which must not exist", path.Dir(p), f.Name, f.Size)
		}
	}
}

func (s *suite) putStatOpen(t *testing.T, tr delivery.Transport) {
	data := Data(300_000, 1)
	p := s.p(t, "resources", "a.flac")
	put(t, tr, p, data)
	wantSize(t, tr, p, len(data))
	if got := ReadBack(t, tr, p); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes that differ from the %d put", len(got), len(data))
	}
}

func (s *suite) parentsCreated(t *testing.T, tr delivery.Transport) {
	p := s.p(t, "a", "b", "c", "d.xml")
	put(t, tr, p, []byte("<deep/>"))
	wantSize(t, tr, p, 7)
	if got := ReadBack(t, tr, p); string(got) != "<deep/>" {
		t.Fatalf("read back %q", got)
	}
}

func (s *suite) statMissing(t *testing.T, tr delivery.Transport) {
	put(t, tr, s.p(t, "present.xml"), []byte("x"))
	for _, p := range []string{s.p(t, "absent.xml"), s.p(t, "nowhere", "absent.xml")} {
		_, err := tr.Stat(context.Background(), p)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat %s: %v; want an error wrapping fs.ErrNotExist", p, err)
		}
		if delivery.IsPermanent(err) {
			t.Errorf("Stat %s: a missing file is not a permanent fault: %v", p, err)
		}
	}
}

func (s *suite) openMissing(t *testing.T, tr delivery.Transport) {
	rc, err := tr.Open(context.Background(), s.p(t, "none.xml"))
	if err == nil {
		rc.Close()
		t.Fatal("Open of a missing file succeeded")
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open of a missing file: %v; want an error wrapping fs.ErrNotExist", err)
	}
}

func (s *suite) listMissing(t *testing.T, tr delivery.Transport) {
	files, err := tr.List(context.Background(), s.p(t, "acknowledgements"))
	if err != nil || len(files) != 0 {
		t.Fatalf("List of a missing folder = %v, %v; want empty and no error", files, err)
	}
}

func (s *suite) listFilesOnly(t *testing.T, tr delivery.Transport) {
	put(t, tr, s.p(t, "acks", "ACK_2.xml"), []byte("22"))
	put(t, tr, s.p(t, "acks", "ACK_1.xml"), []byte("1"))
	put(t, tr, s.p(t, "acks", "old", "ACK_0.xml"), []byte("000"))
	put(t, tr, s.p(t, "acksmore.xml"), []byte("0000")) // shares the prefix, outside
	files, err := tr.List(context.Background(), s.p(t, "acks"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, f := range files {
		got[f.Name] = f.Size
	}
	want := map[string]int64{"ACK_1.xml": 1, "ACK_2.xml": 2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("List = %v; want the files directly inside with their sizes, %v (no folders, nothing outside)", got, want)
	}
}

func (s *suite) overwrite(t *testing.T, tr delivery.Transport) {
	p := s.p(t, "msg.xml")
	put(t, tr, p, []byte("<first version, longer/>"))
	put(t, tr, p, []byte("<second/>"))
	wantSize(t, tr, p, 9)
	if got := ReadBack(t, tr, p); string(got) != "<second/>" {
		t.Fatalf("after overwrite read %q", got)
	}
}

func (s *suite) emptyFile(t *testing.T, tr delivery.Transport) {
	p := s.p(t, "empty.txt")
	put(t, tr, p, nil)
	wantSize(t, tr, p, 0)
	if got := ReadBack(t, tr, p); len(got) != 0 {
		t.Fatalf("read %d bytes from an empty file", len(got))
	}
}

// gate is a reader that hands out the first half of data, then blocks
// until released: the state of the destination while a slow source
// feeds Put can be looked at.
type gate struct {
	data    []byte
	off     int
	half    chan struct{} // closed when the first half is read
	release chan struct{} // close to let the rest through
	once    sync.Once
	fail    error // returned instead of the rest, when set
}

func newGate(data []byte) *gate {
	return &gate{data: data, half: make(chan struct{}), release: make(chan struct{})}
}

func (g *gate) Read(b []byte) (int, error) {
	mid := len(g.data) / 2
	if g.off >= mid {
		g.once.Do(func() { close(g.half) })
		<-g.release
		if g.fail != nil {
			return 0, g.fail
		}
	}
	if g.off >= len(g.data) {
		return 0, io.EOF
	}
	end := len(g.data)
	if g.off < mid {
		end = mid
	}
	n := copy(b, g.data[g.off:end])
	g.off += n
	return n, nil
}

// whileHalfRead runs Put of data at p with a source that stalls halfway,
// calls check while it stalls, then lets it finish.
func whileHalfRead(t *testing.T, tr delivery.Transport, p string, data []byte, check func()) {
	t.Helper()
	g := newGate(data)
	done := make(chan error, 1)
	go func() { done <- tr.Put(context.Background(), p, g, int64(len(data))) }()
	select {
	case <-g.half:
	case err := <-done:
		t.Fatalf("Put returned before reading its whole source: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("Put did not read half its source in 30s")
	}
	func() {
		defer close(g.release)
		check()
	}()
	if err := <-done; err != nil {
		t.Fatalf("Put %s: %v", p, err)
	}
}

func (s *suite) atomicNew(t *testing.T, tr delivery.Transport) {
	data := Data(s.o.Size, 2)
	p := s.p(t, "resources", "big.wav")
	whileHalfRead(t, tr, p, data, func() { wantMissing(t, tr, p) })
	wantSize(t, tr, p, len(data))
	if got := ReadBack(t, tr, p); !bytes.Equal(got, data) {
		t.Fatal("content differs after a slow Put")
	}
}

func (s *suite) atomicOverwrite(t *testing.T, tr delivery.Transport) {
	p := s.p(t, "resources", "big.wav")
	old := []byte("the previous version")
	put(t, tr, p, old)
	data := Data(s.o.Size, 3)
	whileHalfRead(t, tr, p, data, func() {
		wantSize(t, tr, p, len(old))
		if got := ReadBack(t, tr, p); !bytes.Equal(got, old) {
			t.Fatalf("while overwriting, read %d bytes; want the old %d", len(got), len(old))
		}
	})
	wantSize(t, tr, p, len(data))
}

func (s *suite) shortSource(t *testing.T, tr delivery.Transport) {
	p := s.p(t, "short.wav")
	data := Data(1000, 4)
	err := tr.Put(context.Background(), p, bytes.NewReader(data), 5000)
	if err == nil {
		t.Fatal("Put of a source shorter than its size succeeded")
	}
	wantMissing(t, tr, p)
	g := newGate(Data(s.o.Size, 5))
	g.fail = errors.New("disk read error")
	close(g.release)
	if err := tr.Put(context.Background(), p, g, int64(s.o.Size)); err == nil {
		t.Fatal("Put of a failing source succeeded")
	}
	wantMissing(t, tr, p)
}

func (s *suite) cancel(t *testing.T, tr delivery.Transport) {
	p := s.p(t, "resources", "cancelled.wav")
	data := Data(s.o.Size, 6)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g := newGate(data)
	done := make(chan error, 1)
	go func() { done <- tr.Put(ctx, p, g, int64(len(data))) }()
	select {
	case <-g.half:
	case <-time.After(30 * time.Second):
		t.Fatal("Put did not read half its source in 30s")
	}
	cancel()
	close(g.release)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Put succeeded after its context was cancelled")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Put did not return within 30s of its context's end")
	}
	wantMissing(t, tr, p)
}

func (s *suite) cancelledBefore(t *testing.T, tr delivery.Transport) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := s.p(t, "never.xml")
	if err := tr.Put(ctx, p, strings.NewReader("<x/>"), 4); err == nil {
		t.Fatal("Put with a cancelled context succeeded")
	}
	wantMissing(t, tr, p)
}

func (s *suite) close(t *testing.T, tr delivery.Transport) {
	put(t, tr, s.p(t, "x.xml"), []byte("x"))
	if err := tr.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// PutFiles uploads count files named f0000.bin… of size bytes each from
// the folder dir into prefix on t, parallel at a time: the many-small-files
// benchmark every transport runs against its reference tool.
func PutFiles(ctx context.Context, t delivery.Transport, dir, prefix string, count int, size int64, parallel int) error {
	names := make(chan string)
	errs := make(chan error, count)
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for name := range names {
				f, err := os.Open(filepath.Join(dir, name))
				if err != nil {
					errs <- err
					continue
				}
				errs <- t.Put(ctx, path.Join(prefix, name), f, size)
				f.Close()
			}
		})
	}
	for i := range count {
		names <- fmt.Sprintf("f%04d.bin", i)
	}
	close(names)
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}
