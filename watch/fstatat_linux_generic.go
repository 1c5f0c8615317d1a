//go:build linux && !amd64 && !arm64

package watch

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// fstatatNUL is fstatat(2) with AT_SYMLINK_NOFOLLOW on a NUL-terminated
// name; on this architecture it goes through unix.Fstatat (one small
// allocation per call), whose stat layout handling differs per arch.
func fstatatNUL(dirfd int, nameAndNUL []byte, st *unix.Stat_t) error {
	name := unsafe.String(unsafe.SliceData(nameAndNUL), len(nameAndNUL)-1)
	return unix.Fstatat(dirfd, name, st, unix.AT_SYMLINK_NOFOLLOW)
}
