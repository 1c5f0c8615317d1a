package files

import (
	"context"
	"fmt"
	"io"
)

// ContextReader reads r until ctx is done: a copy or a hash pass over a
// large file stops at its next read once the daemon's grace period ends.
func ContextReader(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// CopyExact copies exactly size bytes of src to dst until ctx is done: a
// source that ends early, or holds more, is an error, so a file that
// changed after it was measured is never delivered cut or grown.
func CopyExact(ctx context.Context, dst io.Writer, src io.Reader, size int64) error {
	n, err := io.Copy(dst, ContextReader(ctx, io.LimitReader(src, size)))
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("source ended after %d of %d bytes", n, size)
	}
	var one [1]byte
	if m, _ := io.ReadFull(src, one[:]); m > 0 {
		return fmt.Errorf("source is longer than its declared size %d", size)
	}
	return nil
}
