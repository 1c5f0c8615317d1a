package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// maxEventBatch bounds how many queued events are handled before the loop
// looks at its timers and the consumer again.
const maxEventBatch = 512

// sourceChans returns the event source's channels, nil while polling.
func (w *Watcher) sourceChans() (<-chan fsnotify.Event, <-chan error) {
	if w.src == nil {
		return nil, nil
	}
	return w.src.Events(), w.src.Errors()
}

// handleEvents handles ev and whatever else is already queued, up to a
// batch, and counts them.
func (w *Watcher) handleEvents(ev fsnotify.Event, events <-chan fsnotify.Event) {
	now := time.Now()
	n := 1
	w.handleEvent(ev, now)
drain:
	for n < maxEventBatch && w.src != nil {
		select {
		case ev, ok := <-events:
			if !ok {
				break drain
			}
			n++
			w.handleEvent(ev, now)
		default:
			break drain
		}
	}
	w.m.Events(n)
}

// handleEvent turns one filesystem event into activity on the drop it
// belongs to. Events only date changes and trigger scans; scans decide.
func (w *Watcher) handleEvent(ev fsnotify.Event, now time.Time) {
	dir, top, rest, ok := w.route(ev.Name)
	if !ok {
		return
	}
	if top == "" {
		// The inbox itself was removed or renamed: its watch is gone.
		w.log.Warn("inbox changed under the watcher", "inbox", w.opts.Dirs[dir], "event", ev.Op.String())
		w.requestRescan("error", now.Add(w.quiet))
		return
	}
	if folder, isMarker := w.marker.folderOf(top); isMarker {
		// A marker appeared or went: check its folder now.
		if e := w.entries[entryKey{dir, folder}]; rest == "" && e != nil && (e.due.IsZero() || e.due.After(now)) {
			w.plan(e, now)
		}
		return
	}
	if !w.isDrop(top) {
		return
	}
	k := entryKey{dir, top}
	e := w.entries[k]
	switch {
	case e == nil:
		e = w.track(k, now)
	case rest == "" && ev.Has(fsnotify.Create) && e.state != tracking:
		// Reappeared (moved back from failed/ to retry): a new drop.
		e.firstSeen, e.slowLogged = now, false
	}
	if rest == "" && (ev.Has(fsnotify.Rename) || ev.Has(fsnotify.Remove)) {
		// The tree under these watches moved away or is going.
		w.unwatch(e)
	}
	e.lastEvent = now
	e.changedAt = now
	e.state = tracking
	if ev.Has(fsnotify.Create) && w.src != nil {
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
			w.watchTree(e, ev.Name)
		}
	}
	if at := now.Add(w.quiet); e.due.IsZero() || e.due.After(at) {
		w.plan(e, at)
	}
}

// route splits an event path into its inbox, the drop's name and the path
// inside the drop. top is "" for an event on the inbox itself.
func (w *Watcher) route(name string) (dir int, top, rest string, ok bool) {
	for i, d := range w.opts.Dirs {
		if name == d {
			return i, "", "", true
		}
		if len(name) > len(d) && strings.HasPrefix(name, d) && name[len(d)] == filepath.Separator {
			top, rest, _ = strings.Cut(name[len(d)+1:], string(filepath.Separator))
			return i, top, rest, true
		}
	}
	return 0, "", "", false
}

// handleError reacts to an event source error: lost events mean a full
// rescan.
func (w *Watcher) handleError(err error) {
	now := time.Now()
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		w.log.Warn("filesystem event queue overflowed; rescanning inboxes")
		w.requestRescan("overflow", now.Add(w.quiet))
		return
	}
	w.log.Warn("filesystem events", "err", err)
	w.requestRescan("error", now.Add(w.quiet))
}

// sourceClosed handles an event source that stopped on its own.
func (w *Watcher) sourceClosed() {
	w.watchFailed(errors.New("event source closed"))
}

// addWatch watches one folder; a missing folder is not an error (it was
// removed, and a scan will notice).
func (w *Watcher) addWatch(path string) bool {
	if w.src == nil {
		return false
	}
	err := w.src.Add(path)
	switch {
	case err == nil:
		return true
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir):
		return false
	case isWatchLimit(err):
		w.watchFailed(fmt.Errorf("add watch %s: %w (raise fs.inotify.max_user_watches, or use mode poll)", path, err))
	default:
		w.log.Warn("cannot watch folder; relying on rescans", "path", path, "err", err)
	}
	return false
}

// watchFailed handles the loss of event watching: auto mode falls back to
// polling; notify mode stops Run with the error.
func (w *Watcher) watchFailed(err error) {
	if w.src == nil {
		return
	}
	if w.opts.Mode != ModeAuto {
		w.fatal = fmt.Errorf("watch: %w", err)
		return
	}
	w.switchToPolling(err.Error())
}

// syncWatches makes the watched folders of an entry match its scan.
func (w *Watcher) syncWatches(e *entry, dirs []string) {
	if e.watched == nil {
		e.watched = make(map[string]uint64, len(dirs))
	}
	w.mark++
	for _, rel := range dirs {
		if _, ok := e.watched[rel]; !ok {
			if !w.addWatch(joinPath(e.path, rel)) {
				if w.src == nil {
					return // fell back to polling
				}
				continue
			}
		}
		e.watched[rel] = w.mark
	}
	for rel, m := range e.watched {
		if m != w.mark {
			w.src.Remove(joinPath(e.path, rel))
			delete(e.watched, rel)
		}
	}
}

// watchTree watches a folder that just appeared inside a drop, and the
// folders already in it, so writes there are not missed until the next
// scan. The scan remains the authority on what the tree holds.
func (w *Watcher) watchTree(e *entry, abs string) {
	rel, err := filepath.Rel(e.path, abs)
	if err != nil {
		return
	}
	if rel == "." {
		rel = ""
	}
	rel = filepath.ToSlash(rel)
	if e.watched == nil {
		e.watched = make(map[string]uint64)
	}
	if _, ok := e.watched[rel]; !ok && w.addWatch(abs) {
		e.watched[rel] = w.mark
	}
	list, err := os.ReadDir(abs)
	if err != nil {
		return
	}
	for _, de := range list {
		if de.IsDir() && w.src != nil {
			w.watchTree(e, filepath.Join(abs, de.Name()))
		}
	}
}

// unwatch removes an entry's watches (it left, or its tree was replaced).
func (w *Watcher) unwatch(e *entry) {
	if w.src != nil {
		for rel := range e.watched {
			// Errors are expected: the kernel drops watches of deleted
			// folders, and fsnotify those of a moved drop folder.
			w.src.Remove(joinPath(e.path, rel))
		}
	}
	e.watched = nil
}

// joinPath joins an entry path and a slash-separated relative path.
func joinPath(base, rel string) string {
	if rel == "" {
		return base
	}
	return base + string(filepath.Separator) + filepath.FromSlash(rel)
}
