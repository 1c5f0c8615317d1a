package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
)

// batchOf makes count files of size bytes (seed i each) under dir, plus
// one of large bytes (seed 1000) when large > 0.
func batchOf(dir string, count int, size, large int64) []delivery.BatchFile {
	var files []delivery.BatchFile
	add := func(name string, seed uint64, size int64) {
		files = append(files, delivery.BatchFile{Path: dir + "/" + name, Size: size, Open: func() (io.ReadCloser, error) {
			return io.NopCloser(randomStream(seed, size)), nil
		}})
	}
	for i := range count {
		add(fmt.Sprintf("f%03d.bin", i), uint64(i), size)
	}
	if large > 0 {
		add("large.bin", 1000, large)
	}
	return files
}

func TestPutBatch(t *testing.T) {
	s := sshdtest.Start(t)
	o := options(t, s)
	o.Streams = 3
	c := newClient(t, o)
	files := batchOf("R1/resources", 200, 50_000, 48<<20)
	seen := make([]int, len(files))
	err := c.PutBatch(context.Background(), files, func(i int, err error) {
		if err != nil {
			t.Errorf("%s: %v", files[i].Path, err)
		}
		seen[i]++
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("done called %d times for %s", n, files[i].Path)
		}
	}
	for i := range 200 {
		sameAsSource(t, s, fmt.Sprintf("R1/resources/f%03d.bin", i), uint64(i), 50_000)
	}
	sameAsSource(t, s, "R1/resources/large.bin", 1000, 48<<20)
	if got := len(serverFiles(t, s.Root)); got != len(files) {
		t.Errorf("server holds %d files, want %d", got, len(files))
	}
}

func TestPutBatchStopsAtTheFirstFailure(t *testing.T) {
	s := sshdtest.Start(t)
	c := newClient(t, options(t, s))
	files := batchOf("R1", 300, 20_000, 0)
	broken := errors.New("disk read error")
	files[100].Open = func() (io.ReadCloser, error) { return nil, broken }
	var ok, failed int
	err := c.PutBatch(context.Background(), files, func(i int, err error) {
		if err != nil {
			failed++
			return
		}
		ok++
		sameAsSource(t, s, files[i].Path, uint64(i), 20_000)
	})
	if !errors.Is(err, broken) {
		t.Fatalf("PutBatch = %v, want the source's error", err)
	}
	if ok+failed >= len(files) {
		t.Errorf("%d files done after the failure at the 101st: want the rest not started", ok+failed)
	}
	if got := len(serverFiles(t, s.Root)); got != ok {
		t.Errorf("server holds %d files, %d reported done: temp files left?", got, ok)
	}
}
