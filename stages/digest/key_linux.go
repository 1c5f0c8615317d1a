package digest

import (
	"os"
	"syscall"
)

// keyOf returns the cache key of a file: device and inode say which file
// it is (hard links share it), size and mtime in nanoseconds say which
// content. ok is false when the platform gives no inode.
func keyOf(fi os.FileInfo) (key fileKey, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, false
	}
	return fileKey{
		Dev:     uint64(st.Dev),
		Ino:     uint64(st.Ino),
		Size:    st.Size,
		MtimeNS: st.Mtim.Nano(),
	}, true
}
