//go:build linux && (amd64 || arm64)

package watch

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// fstatatNUL is fstatat(2) with AT_SYMLINK_NOFOLLOW on a name that is
// already NUL-terminated in memory (as in a getdents buffer), so that no
// C string is allocated per file. nameAndNUL must include the NUL.
func fstatatNUL(dirfd int, nameAndNUL []byte, st *unix.Stat_t) error {
	_, _, e := unix.Syscall6(sysFstatat, uintptr(dirfd), uintptr(unsafe.Pointer(unsafe.SliceData(nameAndNUL))),
		uintptr(unsafe.Pointer(st)), unix.AT_SYMLINK_NOFOLLOW, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
