package files

import (
	"os"
	"syscall"
)

// Item folders and files are created with these permissions less the
// process umask, so that a delivery team sharing the root through a group
// (umask 002, as the systemd unit sets) can move and fix what ferry made.
const (
	DirPerm  os.FileMode = 0o777
	FilePerm os.FileMode = 0o666
)

// umask is read once, while the program is single-threaded: reading it
// means setting it, which must not race with files being created.
var umask = readUmask()

func readUmask() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}

// maskPerm applies the umask to perm, for files whose mode is set with
// chmod (the kernel applies the umask only at creation).
func maskPerm(perm os.FileMode) os.FileMode { return perm &^ umask }
