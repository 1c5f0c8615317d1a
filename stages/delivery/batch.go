package delivery

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// batchEntry is a resource waiting to go in one PutBatch.
type batchEntry struct {
	local, remote string
	size          int64
	// uploaded records the file as on the server.
	uploaded func() error
}

// putBatch uploads entries through bp, several at once. progress gets
// sentBefore plus the bytes read for every entry so far. Each entry's
// uploaded runs as soon as it is on the server, one at a time; st counts
// it.
func putBatch(ctx context.Context, bp BatchPutter, entries []batchEntry, sentBefore int64, progress Progress, st *UploadStats) error {
	var read atomic.Int64
	var mu sync.Mutex // progress is called by one caller at a time
	onRead := func(delta int64) {
		if progress != nil {
			n := read.Add(delta)
			mu.Lock()
			progress(sentBefore + n)
			mu.Unlock()
		}
	}
	files := make([]BatchFile, len(entries))
	for i, e := range entries {
		files[i] = BatchFile{Path: e.remote, Size: e.size, Open: func() (io.ReadCloser, error) {
			return openPackaged(e.local, e.size, onRead)
		}}
	}
	var failed error
	err := bp.PutBatch(ctx, files, func(i int, err error) {
		if err == nil {
			st.Files++
			st.Bytes += entries[i].size
			err = entries[i].uploaded()
		}
		if err != nil && failed == nil {
			failed = fmt.Errorf("upload %s: %w", entries[i].remote, err)
		}
	})
	if failed != nil {
		return failed
	}
	return err
}

// openPackaged opens a packaged file for upload, checking that it still
// has its packaged size, and reports each read's size to onRead.
func openPackaged(local string, size int64, onRead func(delta int64)) (io.ReadCloser, error) {
	f, err := os.Open(local)
	if err != nil {
		return nil, Permanent(fmt.Errorf("open %s: %w", local, err))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi.Size() != size {
		f.Close()
		return nil, Permanent(fmt.Errorf("%s changed after packaging (%d bytes, packaged %d): move the folder back to inbox/ to package it again", filepath.Base(local), fi.Size(), size))
	}
	return &deltaReader{f: f, onRead: onRead}, nil
}

// deltaReader reports the size of each read.
type deltaReader struct {
	f      *os.File
	onRead func(int64)
}

func (d *deltaReader) Read(p []byte) (int, error) {
	n, err := d.f.Read(p)
	d.onRead(int64(n))
	return n, err
}

func (d *deltaReader) Close() error { return d.f.Close() }
