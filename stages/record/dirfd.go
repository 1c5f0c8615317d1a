package record

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/ferrydelivery/ferry/stages/files"
)

// A dropped folder may hold links, FIFOs, devices or huge sparse files
// where ferry expects its own records. Every record file is therefore
// reached through an open folder descriptor, never through a path: the
// folder and the file are opened with O_NOFOLLOW, the file non-blocking,
// checked to be regular on the open descriptor, and read only up to a cap.

// Errors for a record name that holds anything but a regular file (a
// link, a FIFO, a device, a folder), and for a record over its size cap:
// the same as for any file opened in a drop.
var (
	ErrNotRegular = files.ErrNotRegular
	ErrTooLarge   = files.ErrTooLarge
)

// tmpPrefix names the temporary files of atomic writes inside a record
// folder. They live in .ferry/, which the inbox watcher ignores, and are
// removed whenever ferry opens the folder.
const tmpPrefix = "tmp-"

// openDir opens the folder name inside parent (parent may be nil for an
// absolute or relative path) without following a link.
func openDir(parent *os.File, name string) (*os.File, error) {
	fd, err := openat(parent, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
			return nil, fmt.Errorf("%s: %w", name, ErrNotRegular)
		}
		return nil, err
	}
	return os.NewFile(uintptr(fd), dirName(parent, name)), nil
}

// openat opens name relative to parent (or the current folder when parent
// is nil), retrying on EINTR.
func openat(parent *os.File, name string, flags int, perm uint32) (int, error) {
	dirfd := unix.AT_FDCWD
	if parent != nil {
		dirfd = int(parent.Fd())
	}
	for {
		fd, err := unix.Openat(dirfd, name, flags, perm)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: dirName(parent, name), Err: err}
		}
		return fd, nil
	}
}

func dirName(parent *os.File, name string) string {
	if parent == nil {
		return name
	}
	return filepath.Join(parent.Name(), name)
}

// ensureDir opens the folder name inside parent, creating it when missing.
// A link or file in its place is an error (ErrNotRegular), never followed.
func ensureDir(parent *os.File, name string) (*os.File, error) {
	d, err := openDir(parent, name)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return d, err
	}
	if err := unix.Mkdirat(int(parent.Fd()), name, uint32(files.DirPerm)); err != nil && err != unix.EEXIST {
		return nil, &os.PathError{Op: "mkdir", Path: dirName(parent, name), Err: err}
	}
	if err := parent.Sync(); err != nil {
		return nil, fmt.Errorf("sync %s: %w", parent.Name(), err)
	}
	return openDir(parent, name)
}

// readFile reads the regular file name inside dir, at most max bytes.
func readFile(dir *os.File, name string, max int64) ([]byte, error) {
	fd, err := openat(dir, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, fmt.Errorf("%s: %w", dirName(dir, name), ErrNotRegular)
		}
		return nil, err
	}
	f := os.NewFile(uintptr(fd), dirName(dir, name))
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", f.Name(), ErrNotRegular)
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%s is %d bytes: %w", f.Name(), fi.Size(), ErrTooLarge)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s grew past %d bytes: %w", f.Name(), max, ErrTooLarge)
	}
	return data, nil
}

// writeFile replaces name in dst with data so that a crash leaves the old
// content or the new: a temporary file in tmpDir (on the same
// filesystem), fsync, rename into dst, fsync of dst.
func writeFile(tmpDir, dst *os.File, name string, data []byte) error {
	var b [8]byte
	rand.Read(b[:])
	tmp := tmpPrefix + hex.EncodeToString(b[:])
	fd, err := openat(tmpDir, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(files.FilePerm))
	if err != nil {
		return fmt.Errorf("write %s: %w", dirName(dst, name), err)
	}
	f := os.NewFile(uintptr(fd), dirName(tmpDir, tmp))
	removeTmp := func() { unix.Unlinkat(int(tmpDir.Fd()), tmp, 0) }
	if _, err := f.Write(data); err != nil {
		f.Close()
		removeTmp()
		return fmt.Errorf("write %s: %w", dirName(dst, name), err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		removeTmp()
		return fmt.Errorf("sync %s: %w", dirName(dst, name), err)
	}
	if err := f.Close(); err != nil {
		removeTmp()
		return fmt.Errorf("write %s: %w", dirName(dst, name), err)
	}
	if err := unix.Renameat(int(tmpDir.Fd()), tmp, int(dst.Fd()), name); err != nil {
		removeTmp()
		return fmt.Errorf("write %s: %w", dirName(dst, name), err)
	}
	if err := dst.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dst.Name(), err)
	}
	return nil
}

// appendLine appends one line to name in dir (created when missing) and
// fsyncs it. A crash may leave a torn last line, which readers skip.
func appendLine(dir *os.File, name string, line []byte) error {
	fd, err := openat(dir, name, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, uint32(files.FilePerm))
	if err != nil {
		return fmt.Errorf("append to %s: %w", dirName(dir, name), err)
	}
	f := os.NewFile(uintptr(fd), dirName(dir, name))
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("append to %s: %w", f.Name(), ErrNotRegular)
	}
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("append to %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", f.Name(), err)
	}
	return nil
}

// removeTemps deletes what interrupted atomic writes left in dir.
func removeTemps(dir *os.File) {
	names, err := readNames(dir)
	if err != nil {
		return
	}
	for _, n := range names {
		if strings.HasPrefix(n, tmpPrefix) {
			unix.Unlinkat(int(dir.Fd()), n, 0)
		}
	}
}

// readNames lists dir from its descriptor (from the start).
func readNames(dir *os.File) ([]string, error) {
	if _, err := dir.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return dir.Readdirnames(-1)
}

// unlinkIn removes the file name inside dir.
func unlinkIn(dir *os.File, name string) error {
	if err := unix.Unlinkat(int(dir.Fd()), name, 0); err != nil {
		return &os.PathError{Op: "remove", Path: dirName(dir, name), Err: err}
	}
	return nil
}
