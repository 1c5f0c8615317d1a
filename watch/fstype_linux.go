package watch

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// eventlessFS maps statfs(2) f_type magic numbers (linux/magic.h) to the
// names of filesystems on which inotify only sees changes made through
// this machine's kernel: network, cluster and FUSE filesystems. A label
// copying onto the same share from another machine produces no event
// there, so auto mode polls them.
var eventlessFS = map[uint32]string{
	0x6969:     "nfs",
	0x517b:     "smb",
	0xff534d42: "cifs",
	0xfe534d42: "smb2",
	0x65735546: "fuse", // sshfs, rclone, gcsfuse, virtiofs, Docker Desktop mounts
	0x01021997: "9p",
	0x00c36400: "ceph",
	0x5346414f: "afs",
	0x6b414653: "afs",
	0x73757245: "coda",
	0x564c:     "ncp",
	0x01161970: "gfs2",
	0x7461636f: "ocfs2",
	0x0bd00bd0: "lustre",
}

// eventlessFSAt names the filesystem holding dir when it is one listed in
// eventlessFS, and returns "" for a local filesystem.
func eventlessFSAt(dir string) (string, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return "", fmt.Errorf("statfs %s: %w", dir, err)
	}
	return eventlessFS[uint32(st.Type)], nil
}
