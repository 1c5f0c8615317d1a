package watch

import "golang.org/x/sys/unix"

// sysFstatat is fstatat(2) on arm64.
const sysFstatat = unix.SYS_FSTATAT
