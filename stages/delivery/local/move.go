package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Move renames the file at from to to, creating to's folder when
// missing, for archiving acknowledgements (ack.archive). An existing file
// at to is not replaced: the move fails instead.
func (t *Transport) Move(_ context.Context, from, to string) error {
	src, err := t.local(from)
	if err != nil {
		return err
	}
	dst, err := t.local(to)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return classify(fmt.Errorf("move %s: %w", from, err))
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("move %s: %s already exists", src, dst)
	}
	if err := os.Rename(src, dst); err != nil {
		return classify(fmt.Errorf("move %s to %s: %w", src, dst, err))
	}
	return syncDir(filepath.Dir(dst))
}
