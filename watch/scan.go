package watch

import "strings"

// maxDepth bounds how deep a drop's tree is scanned: what lies deeper is
// left out of its signature rather than exhausting file descriptors (or
// paths past PATH_MAX). Such a drop still settles and is handed on, and
// validation refuses it (rule folder-depth) saying why; an error here
// would leave it in the inbox, retried for ever, with nothing said.
const maxDepth = 64

// scanResult is what one scan of an inbox entry found.
type scanResult struct {
	sig    signature
	isDir  bool     // the entry is a folder (else a loose file, symlink...)
	temp   string   // first temporary or system name found (relative path), "" if none
	marker bool     // the inside ready marker exists directly in the folder
	dirs   []string // folders, relative ("" is the entry itself); only when asked
}

// scanner walks one inbox entry at a time. It keeps its buffers between
// scans so that a poll over a large inbox allocates little. Not safe for
// concurrent use.
type scanner struct {
	inside  string // the inside ready marker name, "" if none
	collect bool   // fill scanResult.dirs (notify mode needs it to add watches)
	res     *scanResult
	platformScanner
}

// visit applies the naming rules to one name found at depth (0 = directly
// inside the entry) and reports whether a folder of that name belongs to
// ferry's state, where no naming rule applies.
func (s *scanner) visit(depth int, rel, name string, isDir, inState bool) (childInState bool) {
	switch {
	case inState:
		return true
	case depth == 0 && isDir && name == stateDir:
		return true
	case depth == 0 && !isDir && s.inside != "" && name == s.inside:
		s.res.marker = true
	case s.res.temp == "" && isTempName(name):
		s.res.temp = joinRel(rel, name)
	}
	return false
}

// joinRel joins a relative folder path and a name into a new string (never
// sharing memory with name, which may point into a reused buffer).
func joinRel(rel, name string) string {
	if rel == "" {
		return strings.Clone(name)
	}
	return rel + "/" + name
}
