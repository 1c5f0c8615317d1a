// Package local is a delivery.Transport that writes deliveries into a folder
// on this machine: a distributor's bulk-upload drop or a mounted share.
// Every file appears atomically: it is written to a temporary file in the
// same folder, flushed to disk, renamed, and the folder is flushed, so a
// reader of the folder, or a crash, never sees a partial file under its
// final name.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/files"
)

// TempSuffix ends the names of files being written; with a leading dot it
// keeps folder scanners away from them. List leaves them out.
const TempSuffix = ".ferry-tmp"

// Transport writes under Root.
type Transport struct {
	root string
}

var _ delivery.Transport = (*Transport)(nil)

// New returns a Transport writing under root, which must be an existing
// folder: a missing one is a configuration fault (permanent), not
// something to create silently on an unmounted share's mount point.
func New(root string) (*Transport, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, delivery.Permanent(fmt.Errorf("local transport folder %q: %w", root, err))
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, delivery.Permanent(fmt.Errorf("local transport folder: %w", err))
	}
	if !fi.IsDir() {
		return nil, delivery.Permanent(fmt.Errorf("local transport folder %s is not a folder", abs))
	}
	return &Transport{root: abs}, nil
}

// Root is the folder files are written under.
func (t *Transport) Root() string { return t.root }

// errBadPath marks a path that is absolute or leaves the root.
var errBadPath = errors.New("invalid path")

// local maps a slash-separated path relative to the root to a file path.
func (t *Transport) local(p string) (string, error) {
	if p == "" || p == "." {
		return t.root, nil
	}
	clean := path.Clean(p)
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || strings.ContainsRune(p, 0) {
		return "", delivery.Permanent(fmt.Errorf("%w %q: want a path inside %s", errBadPath, p, t.root))
	}
	return filepath.Join(t.root, filepath.FromSlash(clean)), nil
}

// Put writes size bytes from r to p atomically: temp file in the same
// folder, fsync, rename over p, fsync of the folder. Missing folders are
// created. On failure the temp file is removed.
func (t *Transport) Put(ctx context.Context, p string, r io.Reader, size int64) (err error) {
	dst, err := t.local(p)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = classify(fmt.Errorf("write %s: %w", dst, err))
		}
	}()
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".*"+TempSuffix)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := files.CopyExact(ctx, f, r, size); err != nil {
		return err
	}
	// CreateTemp makes 0600 files; a drop folder's readers need 0644.
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		// EINVAL: the filesystem (some network shares) cannot sync folders.
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}

// Stat returns the size of the file at p, or an error wrapping
// fs.ErrNotExist.
func (t *Transport) Stat(_ context.Context, p string) (int64, error) {
	full, err := t.local(p)
	if err != nil {
		return 0, err
	}
	fi, err := os.Stat(full)
	if err != nil {
		return 0, classify(err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("stat %s: not a regular file", full)
	}
	return fi.Size(), nil
}

// List returns the regular files directly inside dir, sorted by name,
// without files being written; a missing dir is empty.
func (t *Transport) List(_ context.Context, dir string) ([]delivery.RemoteFile, error) {
	full, err := t.local(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(full)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, classify(err)
	}
	var files []delivery.RemoteFile
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || (strings.HasPrefix(name, ".") && strings.HasSuffix(name, TempSuffix)) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		files = append(files, delivery.RemoteFile{Name: name, Size: fi.Size(), ModTime: fi.ModTime()})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// Open reads the file at p.
func (t *Transport) Open(_ context.Context, p string) (io.ReadCloser, error) {
	full, err := t.local(p)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(full)
	if err != nil {
		return nil, classify(err)
	}
	return f, nil
}

// Close does nothing: a folder holds no connection.
func (t *Transport) Close() error { return nil }

// classify marks permission faults (and a read-only filesystem)
// permanent; others, such as a full disk (ENOSPC, EDQUOT) or an I/O
// error on a share, stay transient.
func classify(err error) error {
	if errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return delivery.Permanent(err)
	}
	return err
}
