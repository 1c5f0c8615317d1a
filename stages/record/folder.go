package record

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Folder is a stage folder opened to list its items' states (`ferry
// status` over 10,000 items). Peek gives what Root.Peek gives, verified
// the same way, in a third of the system calls: the item's state file is
// opened in one openat2(2) that refuses a link anywhere on the way (the
// item folder, its record folder, the file) and never leaves the stage
// folder, and it is read through the bare descriptor. Where the kernel
// lacks openat2 (before Linux 5.6, or a sandbox forbidding it), and for
// every item the fast open fails on, Peek takes Root.Peek's way, so that
// errors are the same too. A Folder is safe for concurrent use.
type Folder struct {
	r   *Root
	dir *os.File
	fd  int // dir's descriptor, for openat2
}

// noOpenat2 is set once openat2 is found missing or forbidden.
var noOpenat2 atomic.Bool

// OpenFolder opens the stage folder dir for Peek. Close it when done.
func (r *Root) OpenFolder(dir string) (*Folder, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	return &Folder{r: r, dir: d, fd: int(d.Fd())}, nil
}

// Close closes the folder.
func (f *Folder) Close() error { return f.dir.Close() }

// Peek reads the state of the item name (a name in the folder, not a
// path), as Root.Peek does.
func (f *Folder) Peek(name string) (State, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
		return State{}, fmt.Errorf("%q is not an item name in %s", name, f.dir.Name())
	}
	if !noOpenat2.Load() {
		raw, err := f.readState(name)
		if err == nil {
			if st, err := f.r.decodeState(raw); err == nil {
				return st, nil
			}
			// Not verified: read again the slow way, which also says why.
		}
		if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.E2BIG) {
			noOpenat2.Store(true)
		}
	}
	return f.r.Peek(filepath.Join(f.dir.Name(), name))
}

// readState reads name/.ferry/state.json under the folder with one open
// and one read, refusing links and anything but a regular file up to its
// size cap. Any error sends the caller the slow way, which says what is
// wrong.
func (f *Folder) readState(name string) ([]byte, error) {
	how := unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_NONBLOCK | unix.O_CLOEXEC | unix.O_NOFOLLOW,
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	}
	var fd int
	var err error
	for {
		fd, err = unix.Openat2(f.fd, name+"/"+ItemDir+"/"+stateFile, &how)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size > maxStateSize {
		return nil, fmt.Errorf("%s: %w", name, ErrNotRegular)
	}
	// One read of one byte more than the size: a file that grew since
	// the stat, or a short read, goes the slow way (a record cut short
	// never verifies).
	buf := make([]byte, st.Size+1)
	n, err := unix.Read(fd, buf)
	if err != nil {
		return nil, err
	}
	if int64(n) > st.Size {
		return nil, fmt.Errorf("%s grew while read", name)
	}
	return buf[:n], nil
}
