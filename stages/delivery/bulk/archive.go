package bulk

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/files"
)

// entry is one file of an archive being assembled.
type entry struct {
	size   int64
	header int64 // offset of its local header in the temporary file
	data   int64 // offset of its content
	mod    time.Time
}

// archive is one delivery's zip being assembled in a temporary file.
type archive struct {
	folder string
	dir    string
	write  sync.Mutex // one Put at a time writes

	mu         sync.Mutex // guards entries
	entries    map[string]entry
	superseded int // files put again: their first copy is left out at the end

	f    *os.File
	tmp  string
	cw   *countWriter
	zw   *zip.Writer
	msg  *ern.Message
	msgP string // the message's path, for the sheet's file column
	gone bool
}

func newArchive(dir, folder string) (*archive, error) {
	f, err := os.CreateTemp(dir, "."+folder+".*.zip"+TempSuffix)
	if err != nil {
		return nil, err
	}
	cw := &countWriter{w: f}
	return &archive{folder: folder, dir: dir, entries: map[string]entry{}, f: f, tmp: f.Name(), cw: cw, zw: zip.NewWriter(cw)}, nil
}

// countWriter knows how much went through it: the offset in the file.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// add streams one file into the archive. The local header is written
// with the size known and the CRC patched in once the content has gone
// through: no data descriptor, which some unzip libraries (Java's
// ZipInputStream) refuse for stored entries.
func (a *archive) add(ctx context.Context, t *Transport, clean string, r io.Reader, size int64) error {
	if a.gone {
		return errors.New("the archive was abandoned")
	}
	name := t.inArchive(clean)
	a.mu.Lock()
	_, again := a.entries[clean]
	clash := ""
	for p := range a.entries {
		if p != clean && t.inArchive(p) == name {
			clash = p
		}
	}
	a.mu.Unlock()
	if clash != "" {
		return delivery.Permanent(fmt.Errorf("%s and %s would both be %s in a %s archive", clash, clean, name, t.o.Layout))
	}
	if err := a.zw.Flush(); err != nil {
		return err
	}
	header := a.cw.n
	fh := &zip.FileHeader{Name: name, Method: zip.Store, Modified: t.o.Now().UTC(),
		CompressedSize64: uint64(size), UncompressedSize64: uint64(size)}
	fh.SetMode(0o644)
	w, err := a.zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	if err := a.zw.Flush(); err != nil {
		return err
	}
	data := a.cw.n
	crc := crc32.NewIEEE()
	var msg *bytes.Buffer
	isMessage := strings.EqualFold(path.Ext(clean), ".xml") && !strings.HasPrefix(path.Base(clean), "BatchComplete_") && size <= maxMessage
	dst := io.MultiWriter(w, crc)
	if isMessage {
		msg = &bytes.Buffer{}
		dst = io.MultiWriter(w, crc, msg)
	}
	if err := files.CopyExact(ctx, dst, r, size); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fh.CRC32 = crc.Sum32() // the central directory takes it from fh
	if err := a.zw.Flush(); err != nil {
		return err
	}
	var sum [4]byte
	putUint32(sum[:], fh.CRC32)
	if _, err := a.f.WriteAt(sum[:], header+14); err != nil { // local header: CRC-32 at byte 14
		return err
	}
	if isMessage {
		if m, err := messageOf(msg.Bytes()); err == nil {
			a.msg, a.msgP = m, clean
		} else if t.o.Sheet != nil {
			return delivery.Permanent(fmt.Errorf("the message cannot be read to fill the metadata sheet: %w", err))
		}
	}
	a.mu.Lock()
	if again {
		a.superseded++
	}
	a.entries[clean] = entry{size: size, header: header, data: data, mod: fh.Modified}
	a.mu.Unlock()
	return nil
}

func putUint32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func (a *archive) entry(clean string) (entry, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.entries[clean]
	return e, ok
}

func (a *archive) snapshot() map[string]entry {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := make(map[string]entry, len(a.entries))
	for k, v := range a.entries {
		m[k] = v
	}
	return m
}

// open reads a file already in the temporary archive (stored, so its
// bytes are there as they are).
func (a *archive) open(clean string) (io.ReadCloser, bool) {
	e, ok := a.entry(clean)
	if !ok {
		return nil, false
	}
	return io.NopCloser(io.NewSectionReader(a.f, e.data, e.size)), true
}

// finish completes the archive: the first copies of files put twice are
// left out, the sheet is added, the zip is closed, flushed to disk and
// given its final name without replacing any file. It returns that name.
func (a *archive) finish(t *Transport) (string, error) {
	if a.superseded > 0 {
		if err := a.compact(); err != nil {
			return "", err
		}
	}
	if t.o.Sheet != nil {
		if a.msg == nil {
			return "", delivery.Permanent(errors.New("no ERN message in the delivery to fill the metadata sheet from"))
		}
		sheet, err := t.o.Sheet.render(a.msg, func(uri string) string {
			return t.inArchive(path.Join(path.Dir(a.msgP), uri))
		})
		if err != nil {
			return "", delivery.Permanent(err)
		}
		fh := &zip.FileHeader{Name: t.o.Sheet.Name, Method: zip.Store, Modified: t.o.Now().UTC(),
			CRC32: crc32.ChecksumIEEE(sheet), CompressedSize64: uint64(len(sheet)), UncompressedSize64: uint64(len(sheet))}
		fh.SetMode(0o644)
		w, err := a.zw.CreateRaw(fh)
		if err != nil {
			return "", err
		}
		if _, err := w.Write(sheet); err != nil {
			return "", err
		}
	}
	if err := a.zw.Close(); err != nil {
		return "", err
	}
	if err := a.f.Chmod(0o644); err != nil {
		return "", err
	}
	if err := a.f.Sync(); err != nil {
		return "", err
	}
	if err := a.f.Close(); err != nil {
		return "", err
	}
	name, err := renderName(t.o.Name, a.folder, a.msg, t.o.Now())
	if err != nil {
		return "", delivery.Permanent(err)
	}
	final, err := publish(a.tmp, filepath.Join(a.dir, name))
	if err != nil {
		return "", classify(err)
	}
	a.gone = true
	return final, files.SyncDir(a.dir)
}

// compact rewrites the archive without the superseded copies. It only
// happens when a file was put twice into one unfinished delivery, which
// delivery.Upload never does; it keeps the archive free of duplicate
// names whatever the caller does.
func (a *archive) compact() error {
	if err := a.zw.Close(); err != nil {
		return err
	}
	live := map[int64]bool{}
	for _, e := range a.entries {
		live[e.data] = true
	}
	zr, err := zip.NewReader(a.f, a.cw.n)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(a.dir, "."+a.folder+".*.zip"+TempSuffix)
	if err != nil {
		return err
	}
	cw := &countWriter{w: f}
	zw := zip.NewWriter(cw)
	for _, zf := range zr.File {
		if off, err := zf.DataOffset(); err == nil && live[off] {
			if err := zw.Copy(zf); err != nil {
				f.Close()
				os.Remove(f.Name())
				return err
			}
		}
	}
	a.f.Close()
	os.Remove(a.tmp)
	a.f, a.tmp, a.cw, a.zw, a.superseded = f, f.Name(), cw, zw, 0
	return nil
}

// discard abandons the archive and removes its temporary file.
func (a *archive) discard() {
	if a.gone {
		return
	}
	a.gone = true
	a.f.Close()
	os.Remove(a.tmp)
}

// publish links tmp to dst, or to dst with _2, _3… before its extension
// when dst exists: an archive already written (a portal may be uploading
// it) is never replaced. Filesystems without hard links get a rename
// after a check.
func publish(tmp, dst string) (string, error) {
	ext := filepath.Ext(dst)
	base := strings.TrimSuffix(dst, ext)
	for i := 1; i <= 1000; i++ {
		name := dst
		if i > 1 {
			name = fmt.Sprintf("%s_%d%s", base, i, ext)
		}
		err := os.Link(tmp, name)
		switch {
		case err == nil:
			return name, os.Remove(tmp)
		case errors.Is(err, os.ErrExist):
			continue
		}
		if _, serr := os.Lstat(name); serr == nil {
			continue
		}
		return name, os.Rename(tmp, name)
	}
	return "", fmt.Errorf("%s and 999 numbered names beside it exist", dst)
}
