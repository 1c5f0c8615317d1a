package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
	"golang.org/x/sys/unix"
)

// renameNoReplace renames src to dst and fails with fs.ErrExist when dst
// exists: rename(2) would silently replace an empty folder. Filesystems
// without RENAME_NOREPLACE (some network mounts) get a check-then-rename.
func renameNoReplace(src, dst string) error {
	err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		if _, serr := os.Lstat(dst); serr == nil {
			return &os.LinkError{Op: "rename", Old: src, New: dst, Err: os.ErrExist}
		}
		err = os.Rename(src, dst)
	}
	if err != nil {
		if errors.Is(err, unix.EEXIST) || errors.Is(err, unix.ENOTEMPTY) {
			return &os.LinkError{Op: "rename", Old: src, New: dst, Err: os.ErrExist}
		}
		return err
	}
	return nil
}

// moveInto moves src into folder dir under its own name, or under
// "<name>~2", "<name>~3"… when that name is taken there (a release
// delivered again, a failed item copied back). It returns the new path.
// Across filesystems (an extra inbox on another mount) it copies the tree
// to a hidden name in dir first, so the item never appears half-copied.
func moveInto(src, dir string) (string, error) {
	dst, err := placeUnique(src, dir, filepath.Base(src))
	if !errors.Is(err, syscall.EXDEV) {
		return dst, err
	}
	tmp := filepath.Join(dir, ".incoming-"+filepath.Base(src))
	os.RemoveAll(tmp)
	if err := copyTree(src, tmp, false); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("copy %s across filesystems: %w", src, err)
	}
	if dst, err = placeUnique(tmp, dir, filepath.Base(src)); err != nil {
		return "", err
	}
	// The copy is complete and in place; a crash before this removal
	// leaves the source to be taken again, never a lost item.
	if err := os.RemoveAll(src); err != nil {
		return dst, fmt.Errorf("remove %s after copying it: %w", src, err)
	}
	return dst, nil
}

// placeUnique renames src to dir/name, or the first free name~N.
func placeUnique(src, dir, name string) (string, error) {
	for i := 1; ; i++ {
		dst := filepath.Join(dir, name)
		if i > 1 {
			dst = filepath.Join(dir, name+"~"+strconv.Itoa(i))
		}
		err := renameNoReplace(src, dst)
		switch {
		case err == nil:
			return dst, files.SyncDir(dir)
		case errors.Is(err, os.ErrExist):
			continue
		default:
			return "", err
		}
	}
}

// copyTree recreates folder src at dst: folders made, regular files
// hard-linked (copied across filesystems), links and devices never
// carried. For a new delivery instance (instance true) ferry's record
// folder is left out: the record starts the instance's own.
func copyTree(src, dst string, instance bool) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir() && instance && rel == record.ItemDir:
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(target, files.DirPerm)
		case !d.Type().IsRegular():
			return nil
		}
		return files.LinkOrCopy(p, target)
	})
}
