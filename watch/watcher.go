package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// Ready reports one inbox entry that is complete and may be claimed.
type Ready struct {
	// Dir is the inbox holding the entry, as an absolute path.
	Dir string
	// Name is the entry's name in Dir.
	Name string
	// Loose is true when the entry is not a folder (a plain file or a
	// symlink dropped at the inbox top level); the pipeline moves it to
	// failed/ with an explanation of the expected drop format.
	Loose bool
	// Marker is the path of the ready marker beside the folder when
	// ReadyMarker uses the "<name>" form, else "". The consumer removes
	// it after claiming, so that a later retry of the same name waits for
	// a fresh marker.
	Marker string
}

// Path is the entry's full path.
func (r Ready) Path() string { return filepath.Join(r.Dir, r.Name) }

// Watcher tells when drops in the inboxes are complete. Create it with New
// and start it with Run.
type Watcher struct {
	opts   Options
	marker marker
	log    *slog.Logger
	m      Metrics
	quiet  time.Duration // events this close together form one burst

	// Hooks that tests replace.
	newSource    func() (eventSource, error)
	probeTimeout time.Duration

	running atomic.Bool

	// Run state, owned by the Run goroutine.
	src          eventSource // nil while polling
	entries      map[entryKey]*entry
	sched        schedule
	queue        []queuedEntry
	scan         scanner
	res          scanResult
	epoch        uint64
	mark         uint64
	rescanAt     time.Time // a full rescan is pending at this time
	rescanReason string
	pollTick     *time.Ticker
	rescanTick   *time.Ticker
	fatal        error // stops Run (notify mode only)
}

// queuedEntry is a ready entry waiting for the consumer.
type queuedEntry struct {
	e    *entry
	qgen uint64
}

// New checks opts, fills in defaults, and returns a Watcher ready to Run.
func New(opts Options) (*Watcher, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	mk, _ := parseMarker(o.ReadyMarker)
	quiet := min(o.Settle/4, 500*time.Millisecond)
	return &Watcher{
		opts:         o,
		marker:       mk,
		log:          o.Logger.With("stage", "inbox"),
		m:            o.Metrics,
		quiet:        max(quiet, 10*time.Millisecond),
		newSource:    newFsnotifySource,
		probeTimeout: 3 * time.Second,
	}, nil
}

// Run watches until ctx is done, sending each entry to out once it is
// ready. A full out blocks sending (events keep being read meanwhile). An
// entry still in the inbox a Rescan period after it was sent, unchanged,
// is sent again: the consumer deduplicates, and claims an entry by moving
// it out of the inbox. Run returns nil when ctx is done, or an error if an
// inbox is missing or, in notify mode, watching fails.
func (w *Watcher) Run(ctx context.Context, out chan<- Ready) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("watch: Run is already running")
	}
	defer w.running.Store(false)
	for _, d := range w.opts.Dirs {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("watch: inbox: %w", err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("watch: inbox %s is not a folder", d)
		}
	}
	w.entries = make(map[entryKey]*entry)
	w.sched = nil
	w.queue = nil
	w.fatal = nil
	w.scan = scanner{inside: w.marker.inside}
	if err := w.start(ctx); err != nil {
		return err
	}
	defer w.stop()
	if ctx.Err() != nil {
		return nil
	}
	w.fullRescan("startup", time.Now())
	return w.loop(ctx, out)
}

// loop is Run's event loop: the only goroutine touching the state.
func (w *Watcher) loop(ctx context.Context, out chan<- Ready) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var armed time.Time
	for w.fatal == nil {
		if next := w.nextWake(); !next.Equal(armed) {
			armed = next
			if next.IsZero() {
				timer.Stop()
			} else {
				timer.Reset(max(time.Until(next), 0))
			}
		}
		var send chan<- Ready
		var ready Ready
		if e := w.head(); e != nil {
			send, ready = out, w.readyOf(e)
		}
		var events, errs = w.sourceChans()
		var pollC, rescanC <-chan time.Time
		if w.pollTick != nil {
			pollC = w.pollTick.C
		}
		if w.rescanTick != nil {
			rescanC = w.rescanTick.C
		}
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				w.sourceClosed()
				continue
			}
			w.handleEvents(ev, events)
		case err, ok := <-errs:
			if !ok {
				w.sourceClosed()
				continue
			}
			w.handleError(err)
		case <-timer.C:
			armed = time.Time{}
			w.runDue(time.Now())
		case <-pollC:
			w.fullRescan("poll", time.Now())
		case <-rescanC:
			w.fullRescan("periodic", time.Now())
		case send <- ready:
			w.markSent(time.Now())
		}
	}
	return w.fatal
}

// nextWake is the earliest planned check or pending rescan; zero if none.
func (w *Watcher) nextWake() time.Time {
	next := w.sched.next()
	if !w.rescanAt.IsZero() && (next.IsZero() || w.rescanAt.Before(next)) {
		next = w.rescanAt
	}
	return next
}

// runDue runs every check planned at or before now, and a pending rescan.
func (w *Watcher) runDue(now time.Time) {
	if !w.rescanAt.IsZero() && !now.Before(w.rescanAt) {
		w.fullRescan(w.rescanReason, now)
	}
	for e := w.sched.popDue(now); e != nil; e = w.sched.popDue(now) {
		w.fire(e, now)
	}
}

// requestRescan plans a full rescan at at, merging with one already
// planned (several overflows in a burst cost one rescan).
func (w *Watcher) requestRescan(reason string, at time.Time) {
	if w.rescanAt.IsZero() || at.Before(w.rescanAt) {
		w.rescanAt = at
		w.rescanReason = reason
	}
}

// plan makes at the entry's next check.
func (w *Watcher) plan(e *entry, at time.Time) { w.sched.set(e, at) }

// enqueue puts a ready entry in the send queue.
func (w *Watcher) enqueue(e *entry) {
	e.state = queued
	e.qgen++
	w.queue = append(w.queue, queuedEntry{e, e.qgen})
}

// head returns the next entry to send, dropping queue items made stale by
// a change or a disappearance since they were queued.
func (w *Watcher) head() *entry {
	for len(w.queue) > 0 {
		q := w.queue[0]
		if !q.e.gone && q.e.state == queued && q.qgen == q.e.qgen {
			return q.e
		}
		w.queue = w.queue[1:]
	}
	w.queue = nil
	return nil
}

// markSent records that the queue's head reached the consumer.
func (w *Watcher) markSent(now time.Time) {
	e := w.queue[0].e
	w.queue = w.queue[1:]
	e.state = sent
	e.sentAt = now
	w.log.Info("drop ready", "release", e.key.name, "inbox", w.opts.Dirs[e.key.dir],
		"loose", e.loose, "files", e.sig.files, "bytes", e.sig.bytes,
		"waited", now.Sub(e.firstSeen).Round(time.Millisecond))
}

// readyOf builds the message for a ready entry.
func (w *Watcher) readyOf(e *entry) Ready {
	r := Ready{Dir: w.opts.Dirs[e.key.dir], Name: e.key.name, Loose: e.loose}
	if w.marker.beside && !e.loose {
		r.Marker = filepath.Join(r.Dir, w.marker.besideName(e.key.name))
	}
	return r
}

// track starts following a newly seen entry.
func (w *Watcher) track(k entryKey, now time.Time) *entry {
	e := &entry{
		key:       k,
		path:      filepath.Join(w.opts.Dirs[k.dir], k.name),
		firstSeen: now,
		changedAt: now,
	}
	w.entries[k] = e
	return e
}

// forget drops an entry that left the inbox (claimed, or removed).
func (w *Watcher) forget(e *entry) {
	w.unwatch(e)
	w.sched.cancel(e)
	e.gone = true
	delete(w.entries, e.key)
}
