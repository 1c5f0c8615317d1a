package watch

import "strings"

// stateDir is the sub-folder ferry keeps inside every item. A folder moved
// back from failed/ carries one; it is ferry's own and never a temp name.
const stateDir = ".ferry"

// tempSuffixes are the endings copy tools give files still being written:
// Firefox and curl (.part), many tools (.tmp), Chrome (.crdownload),
// WinSCP over SFTP (.filepart). Matched without regard to case.
var tempSuffixes = []string{".part", ".tmp", ".crdownload", ".filepart"}

// isTempName reports whether one path component is a temporary name:
// such files are never taken and keep their folder from being ready.
// Hidden names (a leading dot) cover rsync's ".x.Ab12Cd" temporaries and
// every editor's swap files; "~$x" is an open Office document. System
// names (isSystemName) are hidden too, but are not temporary.
func isTempName(name string) bool {
	if name == "" || isSystemName(name) {
		return false
	}
	if name[0] == '.' || strings.HasPrefix(name, "~$") {
		return true
	}
	for _, s := range tempSuffixes {
		if len(name) > len(s) && strings.EqualFold(name[len(name)-len(s):], s) {
			return true
		}
	}
	return false
}

// isSystemName reports whether a name is one the desktop puts into any
// folder it shows: Finder's .DS_Store and AppleDouble "._x" files on
// shares, Explorer's Thumbs.db and desktop.ini. They never go away while
// someone browses the share, so they must not keep a folder waiting (the
// issue asked that they do; see the README); they are never delivered,
// because only the files release.toml names are.
func isSystemName(name string) bool {
	return name == ".DS_Store" || strings.HasPrefix(name, "._") ||
		strings.EqualFold(name, "Thumbs.db") || strings.EqualFold(name, "desktop.ini")
}
