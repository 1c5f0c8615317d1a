package watch

import "strings"

// stateDir is the sub-folder ferry keeps inside every item. A folder moved
// back from failed/ carries one; it is ferry's own and never a temp name.
const stateDir = ".ferry"

// tempSuffixes are the endings copy tools give files still being written:
// Firefox and curl (.part), many tools (.tmp), Chrome (.crdownload),
// WinSCP over SFTP (.filepart). Matched without regard to case.
var tempSuffixes = []string{".part", ".tmp", ".crdownload", ".filepart"}

// isTempName reports whether one path component is a temporary or system
// name: such files are never taken and keep their folder from being ready.
// Hidden names (a leading dot) cover .DS_Store, AppleDouble "._x" files and
// rsync's ".x.Ab12Cd" temporaries; "~$x" is an open Office document.
func isTempName(name string) bool {
	if name == "" {
		return false
	}
	if name[0] == '.' || strings.HasPrefix(name, "~$") {
		return true
	}
	if strings.EqualFold(name, "Thumbs.db") {
		return true
	}
	for _, s := range tempSuffixes {
		if len(name) > len(s) && strings.EqualFold(name[len(name)-len(s):], s) {
			return true
		}
	}
	return false
}
