package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
)

// UploadStats says what an upload did.
type UploadStats struct {
	Files, Bytes               int64 // sent
	SkippedFiles, SkippedBytes int64 // already on the server
	Total                      int64 // bytes the delivery holds
}

// Progress receives the bytes sent so far, as they go. It is called from
// the upload's goroutine for every read, so it must be cheap: callers
// sample it at their own pace.
type Progress func(sent int64)

// Upload sends the packaged delivery in dir through t into remoteBase:
// resources first, then the message, then a manifest, in the order of
// delivery.json. A file recorded as uploaded with the same hash whose
// remote size still matches is not sent again, except the message and
// manifest when a resource had to be sent. Each file is recorded as soon
// as it is on the server.
func Upload(ctx context.Context, t Transport, dir, remoteBase string, progress Progress) (UploadStats, error) {
	var st UploadStats
	var d record.Delivery
	if err := files.ReadJSON(filepath.Join(dir, record.ItemDir, record.DeliveryFile), &d); err != nil {
		return st, Permanent(fmt.Errorf("read the packaged delivery: %w", err))
	}
	recPath := filepath.Join(dir, record.ItemDir, record.UploadedFile)
	rec := record.UploadedRecord{}
	if err := files.ReadJSON(recPath, &rec); err != nil && !errors.Is(err, fs.ErrNotExist) {
		rec = record.UploadedRecord{} // a damaged record only costs a re-send
	}
	for _, f := range d.Files {
		if f.Provided {
			st.Total += f.Size
		}
	}
	for _, f := range d.Files {
		if !f.Provided {
			continue
		}
		if err := ctx.Err(); err != nil {
			return st, err
		}
		remote := path.Join(remoteBase, f.Remote)
		// The message and the manifest tell the DSP its files are in place:
		// after any resource was sent they go again, last.
		signal := f.Role != record.RoleResource
		if prev, ok := rec[f.Remote]; ok && prev.BLAKE3 == f.BLAKE3 && prev.Size == f.Size && !(signal && st.Files > 0) {
			if size, err := t.Stat(ctx, remote); err == nil && size == f.Size {
				st.SkippedFiles++
				st.SkippedBytes += f.Size
				continue
			}
		}
		local := filepath.Join(dir, record.ItemDir, record.PackageDir, filepath.FromSlash(f.Package))
		sentBefore := st.Bytes + st.SkippedBytes
		onRead := func(n int64) {
			if progress != nil {
				progress(sentBefore + n)
			}
		}
		if err := putFile(ctx, t, local, remote, f.Size, onRead); err != nil {
			return st, err
		}
		st.Files++
		st.Bytes += f.Size
		rec[f.Remote] = record.UploadedEntry{BLAKE3: f.BLAKE3, Size: f.Size}
		if err := files.WriteJSONAtomic(recPath, rec); err != nil {
			return st, err
		}
	}
	return st, nil
}

func putFile(ctx context.Context, t Transport, local, remote string, size int64, onRead func(int64)) error {
	f, err := os.Open(local)
	if err != nil {
		return Permanent(fmt.Errorf("open %s: %w", local, err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != size {
		return Permanent(fmt.Errorf("%s changed after packaging (%d bytes, packaged %d): move the folder back to inbox/ to package it again", filepath.Base(local), fi.Size(), size))
	}
	if err := t.Put(ctx, remote, &countingReader{r: f, onRead: onRead}, size); err != nil {
		return fmt.Errorf("upload %s: %w", remote, err)
	}
	return nil
}

// countingReader reports how much has been read through it.
type countingReader struct {
	r      io.Reader
	n      int64
	onRead func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.onRead(c.n)
	return n, err
}
