package watch

import (
	"os"
	"time"
)

// fullRescan lists every inbox and checks every entry: new ones are
// tracked, vanished ones forgotten, changed ones dated now. It is the
// poll-mode scan, the safety net of notify and auto modes, and the
// recovery after lost events. An entry sent at least a Rescan period ago
// and still present unchanged is sent again.
func (w *Watcher) fullRescan(reason string, now time.Time) {
	w.m.Rescan(reason)
	w.rescanAt = time.Time{}
	w.epoch++
	resendBefore := now.Add(-w.opts.Rescan)
	unreadable := make([]bool, len(w.opts.Dirs))
	for i, dir := range w.opts.Dirs {
		if w.src != nil {
			// Re-adding is harmless, and restores the watch of an inbox
			// that was removed and created again.
			w.addWatch(dir)
		}
		names, err := readNames(dir)
		if err != nil {
			unreadable[i] = true
			w.log.Warn("cannot read inbox", "inbox", dir, "err", err)
			continue
		}
		for _, name := range names {
			if !w.isDrop(name) {
				continue
			}
			k := entryKey{i, name}
			e := w.entries[k]
			if e == nil {
				e = w.track(k, now)
			}
			e.epoch = w.epoch
			w.check(e, now, e.state == sent && !e.sentAt.After(resendBefore))
		}
	}
	for _, e := range w.entries {
		if e.epoch != w.epoch && !unreadable[e.key.dir] {
			w.forget(e)
		}
	}
}

// isDrop reports whether an inbox top-level name is a drop: not a
// temporary, hidden or system name (those are ignored, not loose files),
// and not a ready marker beside a folder.
func (w *Watcher) isDrop(name string) bool {
	if _, ok := w.marker.folderOf(name); ok {
		return false
	}
	return !isTempName(name) && !isSystemName(name)
}

// readNames lists a folder's names, unsorted.
func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}
