package watch

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"unsafe"

	"golang.org/x/sys/unix"
)

// platformScanner holds one getdents buffer per tree depth, reused across
// scans. Folders are read with getdents(2) and stat'ed relative to their
// folder's descriptor with fstatat(2), so the kernel never re-walks a full
// path and no FileInfo is built per file.
type platformScanner struct {
	bufs [][]byte
}

const (
	direntBufSize = 32 << 10
	openDirFlags  = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	// linux_dirent64 layout: d_ino u64, d_off s64, d_reclen u16, d_type u8, d_name.
	direntReclen = 16
	direntType   = 18
	direntName   = 19
)

// scan fills res with the tree at path (an inbox entry). An entry that
// vanished gives an error matching fs.ErrNotExist.
func (s *scanner) scan(path string, res *scanResult) error {
	*res = scanResult{dirs: res.dirs[:0]}
	s.res = res
	var st unix.Stat_t
	if err := ignoringEINTR(func() error { return unix.Lstat(path, &st) }); err != nil {
		return &fs.PathError{Op: "lstat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		res.sig.addFile(0, "", st.Size, mtimeNs(&st), st.Mode)
		return nil
	}
	res.isDir = true
	var fd int
	err := ignoringEINTR(func() (err error) { fd, err = unix.Open(path, openDirFlags, 0); return err })
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	if s.collect {
		res.dirs = append(res.dirs, "")
	}
	if err := s.walk(fd, 0, 0, "", false); err != nil {
		return fmt.Errorf("scan %s: %w", path, err)
	}
	return nil
}

// walk reads the folder open at fd; rel is its path inside the entry.
func (s *scanner) walk(fd, depth int, dirHash uint64, rel string, inState bool) error {
	if depth >= maxDepth {
		return nil // not scanned deeper (see maxDepth)
	}
	for len(s.bufs) <= depth {
		s.bufs = append(s.bufs, make([]byte, direntBufSize))
	}
	buf := s.bufs[depth]
	var st unix.Stat_t
	for {
		var n int
		err := ignoringEINTR(func() (err error) { n, err = unix.Getdents(fd, buf); return err })
		if err != nil {
			return &fs.PathError{Op: "getdents", Path: rel, Err: err}
		}
		if n <= 0 {
			return nil
		}
		for off := 0; off < n; {
			reclen := int(binary.NativeEndian.Uint16(buf[off+direntReclen:]))
			typ := buf[off+direntType]
			nb := buf[off+direntName : off+reclen]
			i := bytes.IndexByte(nb, 0)
			if i < 0 {
				return &fs.PathError{Op: "getdents", Path: rel, Err: unix.EINVAL}
			}
			nameNUL := nb[:i+1]
			nb = nb[:i]
			off += reclen
			// name points into buf: used only until the next getdents on
			// this depth, and copied (joinRel) when kept.
			name := unsafe.String(unsafe.SliceData(nb), len(nb))
			if name == "." || name == ".." || name == "" {
				continue
			}
			isDir := typ == unix.DT_DIR
			if typ != unix.DT_DIR {
				// Files need size and mtime; unknown types need the type.
				err := ignoringEINTR(func() error { return fstatatNUL(fd, nameNUL, &st) })
				if err == unix.ENOENT {
					continue // removed since listed; the next scan sees the change
				}
				if err != nil {
					return &fs.PathError{Op: "stat", Path: joinRel(rel, name), Err: err}
				}
				isDir = st.Mode&unix.S_IFMT == unix.S_IFDIR
			}
			childState := s.visit(depth, rel, name, isDir, inState)
			if !isDir {
				s.res.sig.addFile(dirHash, name, st.Size, mtimeNs(&st), st.Mode)
				continue
			}
			h := s.res.sig.addDir(dirHash, name)
			var cfd int
			err := ignoringEINTR(func() (err error) { cfd, err = unix.Openat(fd, name, openDirFlags, 0); return err })
			if err == unix.ENOENT || err == unix.ENOTDIR || err == unix.ELOOP {
				continue // replaced since listed; the next scan sees the change
			}
			if err != nil {
				return &fs.PathError{Op: "open", Path: joinRel(rel, name), Err: err}
			}
			childRel := joinRel(rel, name)
			if s.collect {
				s.res.dirs = append(s.res.dirs, childRel)
			}
			err = s.walk(cfd, depth+1, h, childRel, childState)
			unix.Close(cfd)
			if err != nil {
				return err
			}
		}
	}
}

func mtimeNs(st *unix.Stat_t) int64 {
	sec, nsec := st.Mtim.Unix()
	return sec*1e9 + nsec
}

// ignoringEINTR retries a system call interrupted by a signal, as package
// os does.
func ignoringEINTR(f func() error) error {
	for {
		if err := f(); err != unix.EINTR {
			return err
		}
	}
}
