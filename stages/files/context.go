package files

import (
	"context"
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
