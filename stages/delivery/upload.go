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
	"strings"

	"github.com/ferrydelivery/ferry/stages/digest"
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

// Upload sends delivery d, laid out in pkgRoot, through t: resources
// first, then the message, then a manifest, in the delivery's order. A
// file up records with the same content is not sent again if the server
// still has its size; a file up does not record but that the server
// holds under its final name (a crash came between the rename and the
// record) is read back and, when its BLAKE3 matches, recorded instead of
// sent again, so that the DSP never gets the same message twice. The
// message and manifest go again, last, whenever a resource was sent.
func Upload(ctx context.Context, t Transport, pkgRoot string, d *record.Delivery, up *record.Uploads, progress Progress) (UploadStats, error) {
	var st UploadStats
	for _, f := range d.Files {
		if f.Provided {
			st.Total += f.Size
		}
	}
	server := serverView{t: t, dirs: map[string]map[string]int64{}}
	// A transport that uploads many files at once gets the resources in
	// one batch, sent before the first message or manifest.
	bp, batching := t.(BatchPutter)
	var batch []batchEntry
	flush := func() error {
		err := putBatch(ctx, bp, batch, st.Bytes+st.SkippedBytes, progress, &st)
		batch = nil
		return err
	}
	for _, f := range d.Files {
		if !f.Provided {
			continue
		}
		if err := ctx.Err(); err != nil {
			return st, err
		}
		// The message and the manifest tell the DSP its files are in place:
		// after any resource was sent they go again, last.
		signal := f.Role != record.RoleResource
		if signal && len(batch) > 0 {
			if err := flush(); err != nil {
				return st, err
			}
		}
		if signal {
			if err := up.Flush(); err != nil {
				return st, err
			}
		}
		if !(signal && st.Files > 0) {
			have, err := server.has(ctx, f, up.Has(f.Remote, f.BLAKE3, f.Size))
			if err != nil {
				return st, err
			}
			if have {
				st.SkippedFiles++
				st.SkippedBytes += f.Size
				if err := up.Mark(f.Remote, record.UploadedEntry{BLAKE3: f.BLAKE3, Size: f.Size}); err != nil {
					return st, err
				}
				continue
			}
		}
		local := filepath.Join(pkgRoot, filepath.FromSlash(f.Package))
		if batching && !signal {
			entry := record.UploadedEntry{BLAKE3: f.BLAKE3, Size: f.Size}
			batch = append(batch, batchEntry{local: local, remote: f.Remote, size: f.Size, uploaded: func() error {
				return up.Mark(f.Remote, entry)
			}})
			continue
		}
		sentBefore := st.Bytes + st.SkippedBytes
		onRead := func(n int64) {
			if progress != nil {
				progress(sentBefore + n)
			}
		}
		if err := putFile(ctx, t, local, f.Remote, f.Size, onRead); err != nil {
			return st, err
		}
		st.Files++
		st.Bytes += f.Size
		if err := up.Mark(f.Remote, record.UploadedEntry{BLAKE3: f.BLAKE3, Size: f.Size}); err != nil {
			return st, err
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return st, err
		}
	}
	return st, up.Flush()
}

// serverView answers whether files are on the server from one listing of
// each remote folder, taken when first needed: one request per folder
// rather than a stat per file, which over a 100 ms link is the difference
// between a second and two minutes for a thousand files.
type serverView struct {
	t    Transport
	dirs map[string]map[string]int64
}

// has reports whether the server holds f under its final name. recorded
// says the record has it with this content: then its size is enough.
// Otherwise the file is read back and its BLAKE3 compared.
func (v *serverView) has(ctx context.Context, f record.DeliveredFile, recorded bool) (bool, error) {
	dir, name := path.Split(f.Remote)
	files, ok := v.dirs[dir]
	if !ok {
		// A folder the server does not let us list (a write-only drop
		// box) is asked about file by file instead: files stays nil.
		if list, err := v.t.List(ctx, strings.TrimSuffix(dir, "/")); err == nil {
			files = map[string]int64{}
			for _, e := range list {
				files[e.Name] = e.Size
			}
		}
		v.dirs[dir] = files
	}
	size, ok := files[name]
	if files == nil {
		var err error
		size, err = v.t.Stat(ctx, f.Remote)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("look on the server: %w", err) // err names the file
		}
		ok = true
	}
	if !ok || size != f.Size {
		return false, nil
	}
	if recorded {
		return true, nil
	}
	rc, err := v.t.Open(ctx, f.Remote)
	if err != nil {
		return false, fmt.Errorf("read back: %w", err) // err names the file
	}
	defer rc.Close()
	sums, err := digest.Reader(rc, "")
	if err != nil {
		return false, fmt.Errorf("read back: %w", err) // err names the file
	}
	return sums.Size == f.Size && sums.BLAKE3 == f.BLAKE3, nil
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
	// Put's errors name the file already (Transport's contract): wrapping
	// them again would only push the cause further right.
	return t.Put(ctx, remote, &countingReader{r: f, onRead: onRead}, size)
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
