package watch

import "time"

// entryKey names one drop: an inbox (index into Options.Dirs) and the
// entry's name in it.
type entryKey struct {
	dir  int
	name string
}

// entryState is where a drop stands between first sight and its claim.
type entryState uint8

const (
	// tracking: not ready yet (changing, holding a temp name, or waiting
	// for its marker).
	tracking entryState = iota
	// queued: ready, waiting for the consumer to take it from the queue.
	queued
	// sent: handed to the consumer; forgotten once it leaves the inbox.
	sent
)

// entry is the watcher's knowledge of one drop. The Run goroutine owns it.
type entry struct {
	key  entryKey
	path string

	state     entryState
	firstSeen time.Time // when this drop was first seen; for "still being copied"
	changedAt time.Time // last known change: an event, or a scan that found a new signature
	lastEvent time.Time // last filesystem event inside the drop (notify mode)
	sentAt    time.Time

	scanned   bool // sig and the fields below hold a scan's result
	scannedAt time.Time
	sig       signature
	loose     bool   // not a folder
	temp      string // a temporary name inside, "" if none
	hasMarker bool   // its ready marker exists

	due  time.Time // next planned check, zero if none
	gen  uint64    // bumped on every (re)schedule; stale heap items are skipped
	qgen uint64    // bumped on every enqueue; stale queue items are skipped
	gone bool      // forgotten: left the inbox

	epoch      uint64            // last full rescan that saw it
	watched    map[string]uint64 // folders under a notify watch (relative path -> mark)
	slowLogged bool              // "still being copied" already logged
	errLogged  bool              // a scan error already logged
}
