package watch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// start chooses the mode in effect and sets it up.
//
// Auto mode polls when an inbox is on a filesystem known not to report
// other machines' writes (NFS, SMB/CIFS, FUSE... by statfs magic number,
// Linux only), when watches cannot be set up, or when a probe file written
// in each inbox produces no event within probeTimeout (a filesystem whose
// events never arrive at all). Local writes do produce events on NFS, so
// the probe alone could not detect network mounts; the magic number alone
// could not detect every event-less filesystem; both are used.
func (w *Watcher) start(ctx context.Context) error {
	switch w.opts.Mode {
	case ModePoll:
		w.startPolling("configured")
		return nil
	case ModeNotify:
		if err := w.startNotify(); err != nil {
			return err
		}
		w.started(ModeNotify, "configured")
		return nil
	}
	for _, d := range w.opts.Dirs {
		fsName, err := eventlessFSAt(d)
		if err != nil {
			w.startPolling(err.Error())
			return nil
		}
		if fsName != "" {
			w.startPolling(fmt.Sprintf("inbox %s is on %s, which reports no events for other machines' writes", d, fsName))
			return nil
		}
	}
	if err := w.startNotify(); err != nil {
		w.startPolling(err.Error())
		return nil
	}
	for _, d := range w.opts.Dirs {
		if err := w.probe(ctx, d); err != nil {
			w.src.Close()
			w.src = nil
			w.startPolling(err.Error())
			return nil
		}
	}
	w.started(ModeNotify, "auto: filesystem events work")
	return nil
}

// startNotify creates the event source and watches every inbox.
func (w *Watcher) startNotify() error {
	src, err := w.newSource()
	if err != nil {
		return fmt.Errorf("watch: start filesystem events: %w", err)
	}
	for _, d := range w.opts.Dirs {
		if err := src.Add(d); err != nil {
			src.Close()
			return fmt.Errorf("watch: watch inbox %s: %w", d, err)
		}
	}
	w.src = src
	return nil
}

// started records the mode in effect.
func (w *Watcher) started(mode, why string) {
	if mode == ModePoll {
		w.pollTick = time.NewTicker(w.opts.PollInterval)
	} else {
		w.rescanTick = time.NewTicker(w.opts.Rescan)
	}
	w.m.Mode(mode)
	w.log.Info("watching inboxes", "mode", mode, "why", why, "inboxes", w.opts.Dirs,
		"settle", w.opts.Settle, "ready_marker", w.opts.ReadyMarker)
}

// startPolling sets up poll mode.
func (w *Watcher) startPolling(why string) { w.started(ModePoll, why) }

// switchToPolling abandons events for polling (auto mode, at run time).
func (w *Watcher) switchToPolling(why string) {
	w.log.Warn("filesystem events unusable; falling back to polling", "err", why, "poll_interval", w.opts.PollInterval)
	w.src.Close()
	w.src = nil
	for _, e := range w.entries {
		e.watched = nil
	}
	if w.rescanTick != nil {
		w.rescanTick.Stop()
		w.rescanTick = nil
	}
	w.started(ModePoll, "fallback: "+why)
	w.requestRescan("fallback", time.Now())
}

// stop releases what start set up.
func (w *Watcher) stop() {
	if w.src != nil {
		w.src.Close()
		w.src = nil
	}
	for _, t := range []**time.Ticker{&w.pollTick, &w.rescanTick} {
		if *t != nil {
			(*t).Stop()
			*t = nil
		}
	}
}

// probe writes a hidden temporary file in dir and waits for its event.
// Other events read meanwhile are dropped: the startup rescan that
// follows sees whatever they were about.
func (w *Watcher) probe(ctx context.Context, dir string) error {
	var b [6]byte
	rand.Read(b[:])
	path := filepath.Join(dir, fmt.Sprintf(".ferry-probe-%d-%s.tmp", os.Getpid(), hex.EncodeToString(b[:])))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("probe inbox %s: %w", dir, err)
	}
	f.Close()
	defer os.Remove(path)
	timeout := time.NewTimer(w.probeTimeout)
	defer timeout.Stop()
	for {
		select {
		case ev, ok := <-w.src.Events():
			if !ok {
				return fmt.Errorf("probe inbox %s: event source closed", dir)
			}
			w.m.Events(1)
			if ev.Name == path {
				return nil
			}
		case <-w.src.Errors():
		case <-timeout.C:
			return fmt.Errorf("probe inbox %s: no filesystem event within %v", dir, w.probeTimeout)
		case <-ctx.Done():
			return nil
		}
	}
}
