package pipeline

import (
	"log/slog"
	"sync"
)

// errorLog logs a recurring error once when it appears, again when it
// changes, and once when it clears, instead of on every try: a DSP that
// is down for an hour, polled every minute by a hundred waiting items,
// is one line, not six thousand (syncthing's setError does the same).
type errorLog struct {
	mu   sync.Mutex
	last map[string]string
}

// report records the outcome of one try of what key names (a DSP's
// acknowledgement folder, say); err nil is success.
func (l *errorLog) report(log *slog.Logger, key, what string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]string{}
	}
	prev, had := l.last[key]
	switch {
	case err == nil && had:
		delete(l.last, key)
		log.Info(what+": works again", "after", prev)
	case err != nil && (!had || prev != err.Error()):
		l.last[key] = err.Error()
		log.Warn(what, "err", err)
	}
}
