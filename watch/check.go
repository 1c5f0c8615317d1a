package watch

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// fire runs an entry's planned check. While filesystem events still arrive
// for it (a burst), the scan waits until the burst has been quiet a moment.
func (w *Watcher) fire(e *entry, now time.Time) {
	if w.src != nil && !e.lastEvent.IsZero() {
		if q := e.lastEvent.Add(w.quiet); now.Before(q) {
			w.plan(e, q)
			return
		}
	}
	w.check(e, now, false)
}

// check scans an entry and decides what follows: forget it, queue it as
// ready, or plan the next check. resend queues an already sent entry again
// if it is unchanged.
//
// Change detection: a scan whose signature differs from the previous one
// is a change. If filesystem events arrived since that previous scan they
// explain it and changedAt already holds the last event's time; otherwise
// (polling, or events lost) the change is dated at this scan.
func (w *Watcher) check(e *entry, now time.Time, resend bool) {
	r := &w.res
	w.scan.collect = w.src != nil
	if err := w.scan.scan(e.path, r); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			w.forget(e)
			return
		}
		if !e.errLogged {
			e.errLogged = true
			w.log.Warn("cannot read drop; will retry", "release", e.key.name, "inbox", w.opts.Dirs[e.key.dir], "err", err)
		}
		w.plan(e, now.Add(w.opts.PollInterval))
		return
	}
	e.errLogged = false
	if w.src != nil && r.isDir {
		w.syncWatches(e, r.dirs)
	}
	changed := !e.scanned || r.sig != e.sig || r.isDir == e.loose
	if changed {
		if e.scanned && !e.lastEvent.After(e.scannedAt) {
			e.changedAt = now
		}
		e.sig = r.sig
		e.state = tracking
	}
	e.scanned = true
	e.scannedAt = now
	e.loose = !r.isDir
	e.temp = r.temp
	e.hasMarker = w.markerPresent(e, r)

	switch e.state {
	case sent:
		if resend {
			w.enqueue(e)
		}
		return
	case queued:
		return
	}
	w.evaluate(e, now)
}

// evaluate queues a tracked entry that is ready, or plans its next check
// and logs, once, a drop that has been arriving for too long.
func (w *Watcher) evaluate(e *entry, now time.Time) {
	ready, wait, why := w.readiness(e, now)
	if ready {
		w.enqueue(e)
		return
	}
	var next time.Time
	if wait > 0 {
		next = now.Add(wait)
	}
	if !e.slowLogged {
		slowAt := e.firstSeen.Add(w.opts.StillCopyingAfter)
		if !now.Before(slowAt) {
			e.slowLogged = true
			w.log.Warn("still being copied", "release", e.key.name, "inbox", w.opts.Dirs[e.key.dir],
				"for", now.Sub(e.firstSeen).Round(time.Second), "files", e.sig.files, "bytes", e.sig.bytes, "waiting", why)
		} else if next.IsZero() || slowAt.Before(next) {
			next = slowAt
		}
	}
	if !next.IsZero() {
		w.plan(e, next)
	}
}

// readiness says whether a scanned entry is ready; if not, how long until
// it may be (0: only a change can make it ready) and why not.
func (w *Watcher) readiness(e *entry, now time.Time) (ready bool, wait time.Duration, why string) {
	if !e.loose {
		if e.temp != "" {
			return false, 0, "temporary or system file " + e.temp
		}
		if w.marker.set() {
			if e.hasMarker {
				return true, 0, ""
			}
			return false, 0, "ready marker " + w.markerName(e)
		}
	}
	if settled := now.Sub(e.changedAt); settled < w.opts.Settle {
		return false, w.opts.Settle - settled, "files still changing"
	}
	return true, 0, ""
}

// markerPresent reports whether the entry's ready marker exists.
func (w *Watcher) markerPresent(e *entry, r *scanResult) bool {
	switch {
	case !r.isDir:
		return false
	case w.marker.inside != "":
		return r.marker
	case w.marker.beside:
		_, err := os.Lstat(filepath.Join(w.opts.Dirs[e.key.dir], w.marker.besideName(e.key.name)))
		return err == nil
	}
	return false
}

// markerName is the marker an entry waits for, for logs.
func (w *Watcher) markerName(e *entry) string {
	if w.marker.beside {
		return w.marker.besideName(e.key.name) + " beside the folder"
	}
	return w.marker.inside + " inside the folder"
}
