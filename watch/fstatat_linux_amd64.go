package watch

import "golang.org/x/sys/unix"

// sysFstatat is fstatat(2), called newfstatat on amd64.
const sysFstatat = unix.SYS_NEWFSTATAT
