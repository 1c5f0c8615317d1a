package watch

import (
	"fmt"
	"strings"
)

// namePlaceholder in Options.ReadyMarker stands for the release folder's
// name and makes the marker a file beside the folder.
const namePlaceholder = "<name>"

// marker is a parsed Options.ReadyMarker. The zero value means no marker:
// settling decides.
type marker struct {
	inside         string // file name inside the folder, or ""
	prefix, suffix string // beside the folder: prefix + name + suffix
	beside         bool
}

// parseMarker checks and parses the ReadyMarker syntax documented on
// Options.
func parseMarker(s string) (marker, error) {
	if s == "" {
		return marker{}, nil
	}
	if strings.ContainsAny(s, `/\`) || s == "." || s == ".." {
		return marker{}, fmt.Errorf("watch: ready marker %q: want a file name, not a path", s)
	}
	n := strings.Count(s, namePlaceholder)
	switch {
	case n == 0:
		return marker{inside: s}, nil
	case n > 1:
		return marker{}, fmt.Errorf("watch: ready marker %q: %s may appear once", s, namePlaceholder)
	case s == namePlaceholder:
		return marker{}, fmt.Errorf("watch: ready marker %q names the folder itself; add a prefix or suffix such as %s.done", s, namePlaceholder)
	}
	i := strings.Index(s, namePlaceholder)
	return marker{prefix: s[:i], suffix: s[i+len(namePlaceholder):], beside: true}, nil
}

// set reports whether a marker decides readiness.
func (m marker) set() bool { return m.inside != "" || m.beside }

// besideName is the marker file name for folder name.
func (m marker) besideName(name string) string { return m.prefix + name + m.suffix }

// folderOf reports whether the inbox entry name is a beside-marker, and
// for which folder.
func (m marker) folderOf(name string) (string, bool) {
	if !m.beside || len(name) <= len(m.prefix)+len(m.suffix) {
		return "", false
	}
	if !strings.HasPrefix(name, m.prefix) || !strings.HasSuffix(name, m.suffix) {
		return "", false
	}
	return name[len(m.prefix) : len(name)-len(m.suffix)], true
}
