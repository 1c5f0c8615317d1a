package sftp

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path"
	"sync"
	"sync/atomic"

	"github.com/pkg/sftp"
)

const (
	// rangeSize is the unit a split upload records as complete: a retry
	// re-sends only ranges not recorded, so a broken 1 GiB upload loses
	// at most one range per stream.
	rangeSize = 8 << 20
	// streamInFlight is the data each stream keeps in write requests:
	// more than sshd's 2 MiB channel window, so the window, not ferry,
	// is what bounds a stream.
	streamInFlight = 4 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// partial is what a split upload that failed part-way left on the
// server: the temporary file holds the ranges in done, each with the
// CRC-32C of the bytes sent, so a retry can tell that the source has not
// changed before it skips them.
type partial struct {
	size int64
	mu   sync.Mutex
	done map[int64]uint32 // range index → CRC-32C
}

func (p *partial) get(k int64) (uint32, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	crc, ok := p.done[k]
	return crc, ok
}

func (p *partial) set(k int64, crc uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done[k] = crc
}

func (p *partial) drop(k int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.done, k)
}

// end is where the last range recorded as done ends.
func (p *partial) end() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var end int64
	for k := range p.done {
		end = max(end, min(p.size, (k+1)*rangeSize))
	}
	return end
}

// partialFor returns the record of an earlier attempt at dst of the same
// size, or a new empty one, registered for the next attempt.
func (c *Client) partialFor(dst string, size int64) *partial {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.partials[dst]; ok && p.size == size {
		return p
	}
	p := &partial{size: size, done: map[int64]uint32{}}
	if c.partials == nil {
		c.partials = map[string]*partial{}
	}
	c.partials[dst] = p
	return p
}

func (c *Client) forgetPartial(dst string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.partials, dst)
}

// piece is one write request of a split upload.
type piece struct {
	buf *[]byte
	n   int
	off int64
	rng *rangeState
}

// rangeState counts a range's write requests not yet answered, plus one
// held by the reader until the whole range is read.
type rangeState struct {
	k      int64
	left   atomic.Int32
	crc    uint32
	failed atomic.Bool
}

// putSplit uploads size bytes from r to dst over the main connection cn
// and up to streams-1 more, as putSingle does (a temporary name, one
// rename when complete), writing each part of the one temporary file at
// its offset from whichever stream has room. Ranges answered by the
// server are recorded; when the upload fails (the connection breaks, the
// server restarts), the temporary file is kept and the next attempt at
// the same path and size re-sends only the ranges not recorded, after
// checking that the source's bytes for the others are unchanged.
func (c *Client) putSplit(ctx context.Context, cn *conn, dst string, r io.Reader, size int64, streams int) error {
	dir, tmp := path.Dir(dst), tempName(dst)
	if err := c.mkdirAll(cn, dir); err != nil {
		return err
	}
	rec := c.partialFor(dst, size)
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if end := rec.end(); end > 0 {
		// Resume only onto a temporary file that still holds what the
		// record says it does.
		if fi, err := cn.sftp.Stat(tmp); err == nil && fi.Size() >= end && fi.Size() <= size {
			flags = os.O_WRONLY
		} else {
			rec = &partial{size: size, done: map[int64]uint32{}}
			c.mu.Lock()
			c.partials[dst] = rec
			c.mu.Unlock()
		}
	}
	f, err := cn.sftp.OpenFile(tmp, flags)
	if err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	packet := cn.packetSize

	// The main stream starts at once; the others join as they connect,
	// and those not up when the data is all sent are let go.
	joined := make(chan *sftp.File)
	finished := make(chan struct{})
	dialCtx, stopDials := context.WithCancel(ctx)
	extras := make(chan []*conn, 1)
	go func() {
		extras <- c.extraStreams(dialCtx, cn, streams-1, func(s *conn) {
			sf, err := s.sftp.OpenFile(tmp, os.O_WRONLY)
			if err != nil {
				c.o.Logger.Warn("sftp stream could not open the file: going on without it", "addr", c.addr, "file", tmp, "err", err)
				return
			}
			select {
			case joined <- sf:
			case <-finished:
				_ = sf.Close()
			}
		})
	}()
	defer func() {
		stopDials()
		c.releaseStreams(<-extras)
	}()

	files, sent, werr := c.writeSplit(ctx, f, joined, finished, packet, r, size, rec)
	closeAll := func() error {
		var errs []error
		for _, sf := range files {
			errs = append(errs, sf.Close())
		}
		return errors.Join(errs...)
	}
	if werr != nil {
		_ = closeAll()
		// The temporary file stays for the next attempt.
		var src *sourceError
		if errors.As(werr, &src) {
			return werr
		}
		return fmt.Errorf("write %s over %d streams (%d of %d bytes sent): %w", tmp, len(files), sent, size, werr)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = closeAll()
		return fmt.Errorf("stat %s: %w", tmp, err)
	}
	if fi.Size() != size {
		_ = closeAll()
		c.forgetPartial(dst)
		if !cn.dead() {
			_ = cn.sftp.Remove(tmp)
		}
		return fmt.Errorf("%w: %s holds %d bytes, sent %d", errSizeMismatch, tmp, fi.Size(), size)
	}
	if err := closeAll(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := c.rename(cn, tmp, dst); err != nil {
		return err
	}
	c.forgetPartial(dst)
	return nil
}

// writeSplit reads r once, in order, and writes every range not already
// recorded in rec to its offset, through main and every file that
// arrives on joined until the data is all read (then it closes
// finished), each stream with up to streamInFlight bytes of requests in
// flight. It returns the files written through (main first) and the
// bytes sent in this attempt.
func (c *Client) writeSplit(ctx context.Context, main *sftp.File, joined <-chan *sftp.File, finished chan<- struct{}, packet int, r io.Reader, size int64, rec *partial) ([]*sftp.File, int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	perStream := max(4, min(c.o.Concurrency, (streamInFlight+packet-1)/packet))
	pieces := make(chan piece, perStream)
	pool := sync.Pool{New: func() any { b := make([]byte, packet); return &b }}
	var sent atomic.Int64
	var once sync.Once
	var firstErr error
	fail := func(err error) {
		once.Do(func() { firstErr = err; cancel() })
	}
	finish := func(rs *rangeState) {
		if rs.left.Add(-1) == 0 && !rs.failed.Load() {
			rec.set(rs.k, rs.crc)
		}
	}
	stream := func(f *sftp.File) {
		for p := range pieces {
			if ctx.Err() == nil {
				n, err := f.WriteAt((*p.buf)[:p.n], p.off)
				if err == nil && n < p.n {
					err = io.ErrShortWrite
				}
				if err != nil {
					p.rng.failed.Store(true)
					fail(err)
				} else {
					sent.Add(int64(n))
					c.splitSent.Add(int64(n))
				}
			} else {
				p.rng.failed.Store(true)
			}
			pool.Put(p.buf)
			finish(p.rng)
		}
	}

	var wg sync.WaitGroup
	files := []*sftp.File{main}
	var filesMu sync.Mutex
	for range perStream {
		wg.Go(func() { stream(main) })
	}
	readDone := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case f := <-joined:
				filesMu.Lock()
				files = append(files, f)
				filesMu.Unlock()
				for range perStream {
					wg.Go(func() { stream(f) })
				}
			case <-readDone:
				close(finished)
				return
			}
		}
	})

	src := &exactReader{ctx: ctx, r: r, left: size}
	readErr := c.readRanges(ctx, src, size, packet, rec, &pool, pieces, finish)
	close(readDone)
	close(pieces)
	wg.Wait()
	if readErr == nil {
		if err := src.checkEnd(); err != nil {
			readErr = &sourceError{err}
		}
	}
	if firstErr != nil {
		readErr = firstErr
	}
	return files, sent.Load(), readErr
}

// readRanges reads src range by range and queues the pieces of every
// range to be sent. A range recorded as done is read whole first: if its
// CRC matches, it is skipped; else it is sent like the others.
func (c *Client) readRanges(ctx context.Context, src *exactReader, size int64, packet int, rec *partial, pool *sync.Pool, pieces chan<- piece, finish func(*rangeState)) error {
	var whole []byte // a recorded range, read before deciding
	queue := func(p piece) bool {
		select {
		case pieces <- p:
			return true
		case <-ctx.Done():
			pool.Put(p.buf)
			return false
		}
	}
	for k := int64(0); k*rangeSize < size; k++ {
		start := k * rangeSize
		n := min(rangeSize, size-start)
		rs := &rangeState{k: k}
		rs.left.Store(1)
		if want, ok := rec.get(k); ok {
			if whole == nil {
				whole = make([]byte, rangeSize)
			}
			if _, err := io.ReadFull(src, whole[:n]); err != nil {
				return &sourceError{err}
			}
			if crc32.Checksum(whole[:n], castagnoli) == want {
				continue
			}
			// The source changed since: send this range again.
			rec.drop(k)
			for off := int64(0); off < n; off += int64(packet) {
				buf := pool.Get().(*[]byte)
				m := copy(*buf, whole[off:min(n, off+int64(packet))])
				rs.left.Add(1)
				rs.crc = crc32.Update(rs.crc, castagnoli, (*buf)[:m])
				if !queue(piece{buf: buf, n: m, off: start + off, rng: rs}) {
					return ctx.Err()
				}
			}
			finish(rs)
			continue
		}
		for off := int64(0); off < n; off += int64(packet) {
			buf := pool.Get().(*[]byte)
			m := int(min(int64(packet), n-off))
			if _, err := io.ReadFull(src, (*buf)[:m]); err != nil {
				pool.Put(buf)
				if src.err != nil {
					return &sourceError{src.err}
				}
				return &sourceError{err}
			}
			rs.left.Add(1)
			rs.crc = crc32.Update(rs.crc, castagnoli, (*buf)[:m])
			if !queue(piece{buf: buf, n: m, off: start + off, rng: rs}) {
				return ctx.Err()
			}
		}
		finish(rs)
	}
	return nil
}
