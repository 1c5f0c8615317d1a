package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sync"

	"github.com/pkg/sftp"
)

// Put uploads size bytes from r to p. The bytes go to a temporary name in
// the same folder (".<name>.ferry-tmp", overwritten if an earlier attempt
// left it), written with up to Concurrency requests in flight; the remote
// size is checked, then the file is renamed to its final name
// (posix-rename@openssh.com where offered, which replaces an existing
// file atomically; else remove and rename). So a file never exists under
// its final name unless complete. Missing folders below the base folder
// are created. At most MaxSessions Puts run at once; the others wait.
//
// On failure the temporary file is removed if the connection still
// works. Errors are classified: see classify.
func (c *Client) Put(ctx context.Context, p string, r io.Reader, size int64) error {
	dst, err := c.remote(p)
	if err != nil {
		return classify(fmt.Errorf("upload %s: %w", p, err))
	}
	select {
	case c.uploads <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("upload %s to %s: %w", p, c.addr, ctx.Err())
	}
	defer func() { <-c.uploads }()

	cn, err := c.get(ctx)
	if err != nil {
		return fmt.Errorf("upload %s: %w", p, err)
	}
	if err := c.put(ctx, cn, dst, r, size); err != nil {
		return c.putFailed(cn, p, err)
	}
	return nil
}

// errSizeMismatch: the server holds a different number of bytes than
// were sent.
var errSizeMismatch = errors.New("remote size differs")

// sourceError is a failure reading the local data, not a remote fault.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return "read source: " + e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

func (c *Client) put(ctx context.Context, cn *conn, dst string, r io.Reader, size int64) error {
	if n := c.streamsFor(cn, size); n > 1 {
		return c.putSplit(ctx, cn, dst, r, size, n)
	}
	dir := path.Dir(dst)
	tmp := tempName(dst)
	if err := c.mkdirAll(cn, dir); err != nil {
		return err
	}
	f, err := cn.sftp.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if errors.Is(err, errNotExist) {
		// The folder was removed behind the cache's back: create it again.
		cn.dirs.Delete(dir)
		if err := c.mkdirAll(cn, dir); err != nil {
			return err
		}
		f, err = cn.sftp.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	abandon := func(err error) error {
		_ = f.Close()
		if !cn.dead() {
			_ = cn.sftp.Remove(tmp)
		}
		return err
	}

	src := &exactReader{ctx: ctx, r: r, left: size}
	n, err := c.write(cn, f, src, size)
	if src.err != nil {
		return abandon(&sourceError{src.err})
	}
	if err != nil {
		return abandon(fmt.Errorf("write %s (%d of %d bytes sent): %w", tmp, n, size, err))
	}
	if err := src.checkEnd(); err != nil {
		return abandon(&sourceError{err})
	}
	// A file sent in one write request to a truncated file is complete
	// when that request is answered: its size needs no check.
	if size > int64(cn.packetSize) {
		fi, err := f.Stat()
		if err != nil {
			return abandon(fmt.Errorf("stat %s: %w", tmp, err))
		}
		if fi.Size() != size {
			return abandon(fmt.Errorf("%w: %s holds %d bytes, sent %d", errSizeMismatch, tmp, fi.Size(), size))
		}
	}
	if err := c.closeAndRename(cn, f, tmp, dst); err != nil {
		if !cn.dead() {
			_ = cn.sftp.Remove(tmp)
		}
		return err
	}
	return nil
}

// closeAndRename closes f, the complete temporary file tmp, and renames
// it to dst. Every write was answered before, so the data is in place;
// with OpenSSH, whose server handles requests in the order sent, close
// and rename go out together and cost one round trip, not two.
func (c *Client) closeAndRename(cn *conn, f *sftp.File, tmp, dst string) error {
	if !cn.inOrder {
		if err := f.Close(); err != nil {
			return fmt.Errorf("close %s: %w", tmp, err)
		}
		return c.rename(cn, tmp, dst)
	}
	closed := make(chan error, 1)
	go func() { closed <- f.Close() }()
	rerr := c.rename(cn, tmp, dst)
	if err := <-closed; err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	return rerr
}

// write sends size bytes from src to f. A file that fits one write
// request goes as one, from a pooled buffer; larger ones are pipelined
// with up to Concurrency requests in flight (never more than it has
// packets: pkg/sftp starts a goroutine per allowed request and allocates
// a packet-sized buffer per call, which dominated the cost of small
// files).
func (c *Client) write(cn *conn, f *sftp.File, src io.Reader, size int64) (int64, error) {
	if size <= int64(cn.packetSize) {
		bp := smallFiles.Get().(*[]byte)
		defer smallFiles.Put(bp)
		if int64(cap(*bp)) < size {
			*bp = make([]byte, size)
		}
		buf := (*bp)[:size]
		n, err := io.ReadFull(src, buf)
		if err != nil {
			return int64(n), err
		}
		written, err := f.Write(buf)
		return int64(written), err
	}
	packets := (size + int64(cn.packetSize) - 1) / int64(cn.packetSize)
	return f.ReadFromWithConcurrency(src, int(min(int64(c.o.Concurrency), packets)))
}

// smallFiles recycles the buffers of single-request uploads.
var smallFiles = sync.Pool{New: func() any { return new([]byte) }}

// rename moves tmp to dst, replacing dst.
func (c *Client) rename(cn *conn, tmp, dst string) error {
	if cn.posixRename {
		if err := cn.sftp.PosixRename(tmp, dst); err != nil {
			return fmt.Errorf("rename %s to %s: %w", tmp, dst, err)
		}
		return nil
	}
	// Plain SFTP rename fails if dst exists.
	if err := cn.sftp.Remove(dst); err != nil && !errors.Is(err, errNotExist) {
		return fmt.Errorf("replace %s: %w", dst, err)
	}
	if err := cn.sftp.Rename(tmp, dst); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp, dst, err)
	}
	return nil
}

// mkdirAll creates dir and its parents, remembering folders that exist.
// Concurrent uploads into a new folder create it once: the others wait
// for the first.
func (c *Client) mkdirAll(cn *conn, dir string) error {
	if dir == "." || dir == "/" {
		return nil
	}
	v, _ := cn.dirs.LoadOrStore(dir, &dirOnce{})
	d, ok := v.(*dirOnce)
	if !ok {
		return nil // the base folder, checked at connection
	}
	d.once.Do(func() { d.err = cn.sftp.MkdirAll(dir) })
	if d.err != nil {
		cn.dirs.CompareAndDelete(dir, d)
		return fmt.Errorf("create folder %s: %w", dir, d.err)
	}
	return nil
}

// dirOnce is a folder's creation, shared by the uploads that need it.
type dirOnce struct {
	once sync.Once
	err  error
}

// exactReader yields exactly left bytes of r, stops at ctx's end, and
// records its own failures apart from the writer's.
type exactReader struct {
	ctx  context.Context
	r    io.Reader
	left int64
	err  error
}

func (e *exactReader) Read(b []byte) (int, error) {
	if err := e.ctx.Err(); err != nil {
		e.err = err
		return 0, err
	}
	if e.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > e.left {
		b = b[:e.left]
	}
	n, err := e.r.Read(b)
	e.left -= int64(n)
	switch {
	case err == io.EOF && e.left > 0:
		e.err = fmt.Errorf("source ended %d bytes short of its size", e.left)
		return n, e.err
	case err != nil && err != io.EOF:
		e.err = err
		return n, err
	}
	if e.left == 0 {
		return n, io.EOF
	}
	return n, nil
}

// checkEnd reports a source longer than its declared size.
func (e *exactReader) checkEnd() error {
	var one [1]byte
	n, err := io.ReadFull(e.r, one[:])
	if n > 0 {
		return errors.New("source is longer than its declared size")
	}
	if err != nil && err != io.EOF {
		return err
	}
	return nil
}
