package watch

import (
	"container/heap"
	"time"
)

// schedule is a min-heap of pending entry checks, earliest first. Moving
// an entry's check pushes a new item and bumps entry.gen; items whose gen
// no longer matches are skipped when popped, so rescheduling is O(log n)
// with no search.
type schedule []scheduled

type scheduled struct {
	at  time.Time
	e   *entry
	gen uint64
}

func (s schedule) Len() int           { return len(s) }
func (s schedule) Less(i, j int) bool { return s[i].at.Before(s[j].at) }
func (s schedule) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }
func (s *schedule) Push(x any)        { *s = append(*s, x.(scheduled)) }
func (s *schedule) Pop() any {
	old := *s
	it := old[len(old)-1]
	old[len(old)-1] = scheduled{}
	*s = old[:len(old)-1]
	return it
}

// set makes at the entry's next check, replacing any earlier plan. The
// same plan again is a no-op, so that polls re-planning unchanged
// deadlines do not fill the heap with stale items.
func (s *schedule) set(e *entry, at time.Time) {
	if !e.due.IsZero() && e.due.Equal(at) {
		return
	}
	e.gen++
	e.due = at
	heap.Push(s, scheduled{at: at, e: e, gen: e.gen})
}

// cancel drops the entry's planned check.
func (s *schedule) cancel(e *entry) {
	e.gen++
	e.due = time.Time{}
}

// next returns the earliest live check time, discarding stale items; zero
// if none.
func (s *schedule) next() time.Time {
	for len(*s) > 0 {
		it := (*s)[0]
		if it.gen == it.e.gen && !it.e.gone {
			return it.at
		}
		heap.Pop(s)
	}
	return time.Time{}
}

// popDue removes and returns one live entry due at or before now, or nil.
func (s *schedule) popDue(now time.Time) *entry {
	for len(*s) > 0 {
		it := (*s)[0]
		if it.gen != it.e.gen || it.e.gone {
			heap.Pop(s)
			continue
		}
		if it.at.After(now) {
			return nil
		}
		heap.Pop(s)
		it.e.due = time.Time{}
		return it.e
	}
	return nil
}
