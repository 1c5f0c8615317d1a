package files

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// copyFile copies src to dst (fsynced), keeping the mode bits.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// LinkOrCopy makes dst the same file as src: a hard link, or a copy when
// the two are on different filesystems (or links are refused).
func LinkOrCopy(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), DirPerm); err != nil {
		return err
	}
	_ = os.Remove(dst)
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	return copyFile(src, dst)
}
