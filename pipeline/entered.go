package pipeline

import (
	"sync"
	"time"
)

// enteredCache remembers when items entered their stage, from their
// records, keyed by the folder's ctime: a scrape reads the record of an
// item only when the item moved or was claimed since the last one, so a
// scrape of 10,000 waiting items reads almost nothing.
type enteredCache struct {
	mu      sync.Mutex
	entries map[string]enteredEntry
}

type enteredEntry struct {
	ctime, entered time.Time
}

// entered is when the item at path entered its stage: its record's
// StageSince, or ctime for an item without one (just dropped, not ours).
func (e *Engine) entered(path string, ctime time.Time) time.Time {
	c := &e.enteredAt
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]enteredEntry{}
	}
	if en, ok := c.entries[path]; ok && en.ctime.Equal(ctime) {
		c.mu.Unlock()
		return en.entered
	}
	c.mu.Unlock()
	t := ctime
	if st, err := e.rec.Peek(path); err == nil && !st.StageSince.IsZero() {
		t = st.StageSince
	}
	c.mu.Lock()
	if len(c.entries) > 200_000 { // items come and go: start over rather than grow
		c.entries = map[string]enteredEntry{}
	}
	c.entries[path] = enteredEntry{ctime: ctime, entered: t}
	c.mu.Unlock()
	return t
}
