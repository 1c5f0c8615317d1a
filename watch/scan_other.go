//go:build !linux

package watch

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// platformScanner needs no state off Linux: folders are read with
// os.File.ReadDir and files stat'ed by path.
type platformScanner struct{}

// scan fills res with the tree at path (an inbox entry). An entry that
// vanished gives an error matching fs.ErrNotExist.
func (s *scanner) scan(path string, res *scanResult) error {
	*res = scanResult{dirs: res.dirs[:0]}
	s.res = res
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		res.sig.addFile(0, "", fi.Size(), fi.ModTime().UnixNano(), uint32(fi.Mode()))
		return nil
	}
	res.isDir = true
	if s.collect {
		res.dirs = append(res.dirs, "")
	}
	if err := s.walk(path, 0, 0, "", false); err != nil {
		return fmt.Errorf("scan %s: %w", path, err)
	}
	return nil
}

// walk reads the folder at abs; rel is its path inside the entry.
func (s *scanner) walk(abs string, depth int, dirHash uint64, rel string, inState bool) error {
	if depth >= maxDepth {
		return nil // not scanned deeper (see maxDepth)
	}
	f, err := os.Open(abs)
	if err != nil {
		if depth > 0 && os.IsNotExist(err) {
			return nil // removed since listed; the next scan sees the change
		}
		return err
	}
	list, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return err
	}
	for _, de := range list {
		name := de.Name()
		fi, err := de.Info()
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return &fs.PathError{Op: "stat", Path: joinRel(rel, name), Err: err}
		}
		isDir := fi.IsDir()
		childState := s.visit(depth, rel, name, isDir, inState)
		if !isDir {
			s.res.sig.addFile(dirHash, name, fi.Size(), fi.ModTime().UnixNano(), uint32(fi.Mode()))
			continue
		}
		h := s.res.sig.addDir(dirHash, name)
		childRel := joinRel(rel, name)
		if s.collect {
			s.res.dirs = append(s.res.dirs, childRel)
		}
		if err := s.walk(filepath.Join(abs, name), depth+1, h, childRel, childState); err != nil {
			return err
		}
	}
	return nil
}
