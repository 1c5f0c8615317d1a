package watch

import (
	"errors"
	"syscall"

	"github.com/fsnotify/fsnotify"
)

// eventBuffer is fsnotify's channel buffer. The kernel queue is the real
// buffer; this one only smooths bursts while the watcher scans.
const eventBuffer = 1024

// eventSource is the part of fsnotify the watcher uses. Tests wrap it to
// lose events or inject a queue overflow.
type eventSource interface {
	Events() <-chan fsnotify.Event
	Errors() <-chan error
	Add(path string) error
	Remove(path string) error
	Close() error
}

// errorBuffer holds fsnotify errors until the watcher loop reads them.
const errorBuffer = 64

// fsnotifySource adapts *fsnotify.Watcher to eventSource.
type fsnotifySource struct {
	w    *fsnotify.Watcher
	errs chan error
}

func newFsnotifySource() (eventSource, error) {
	w, err := fsnotify.NewBufferedWatcher(eventBuffer)
	if err != nil {
		return nil, err
	}
	s := fsnotifySource{w: w, errs: make(chan error, errorBuffer)}
	go s.forwardErrors()
	return s, nil
}

// forwardErrors drains fsnotify's errors at once. fsnotify sends some
// errors while holding the lock that Add and Remove take, so a watcher
// loop busy in Remove must never be what that send waits for (it
// deadlocked both). When the buffer is full an error is already pending
// and the loop will rescan; dropping more loses nothing.
func (s fsnotifySource) forwardErrors() {
	for err := range s.w.Errors {
		select {
		case s.errs <- err:
		default:
		}
	}
	close(s.errs)
}

func (s fsnotifySource) Events() <-chan fsnotify.Event { return s.w.Events }
func (s fsnotifySource) Errors() <-chan error          { return s.errs }
func (s fsnotifySource) Add(path string) error         { return s.w.Add(path) }
func (s fsnotifySource) Remove(path string) error      { return s.w.Remove(path) }
func (s fsnotifySource) Close() error                  { return s.w.Close() }

// isWatchLimit reports whether err means the system ran out of watches or
// watcher instances (fs.inotify.max_user_watches, max_user_instances, open
// file limits): more watches cannot be had, so auto mode polls instead.
func isWatchLimit(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}

// errNotDir is what adding a watch on a path that became a file returns.
var errNotDir = syscall.ENOTDIR
