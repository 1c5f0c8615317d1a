package pipeline

import (
	"os"
	"testing"
	"time"
)

// A node is dead to another only after its lease counter stood still for
// leaseExpiry by the observer's own clock; a renewal revives it.
func TestLeaseExpiresOnlyAfterStandingStill(t *testing.T) {
	l := Layout{Root: t.TempDir()}
	if err := l.Create(); err != nil {
		t.Fatal(err)
	}
	other := newLease(l, "other")
	os.MkdirAll(l.State("nodes"), 0o755)
	if err := other.renew(); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1000, 0)
	w := leases{now: func() time.Time { return now }}
	steps := []struct {
		advance time.Duration
		renew   bool
		alive   bool
	}{
		{0, false, true},                          // first look: alive until proven otherwise
		{leaseExpiry - time.Second, false, true},  // standing still, not yet expired
		{2 * time.Second, false, false},           // expired
		{time.Second, true, true},                 // renewed: alive again
		{leaseExpiry + time.Second, false, false}, // expired again
		{-100 * time.Hour, false, true},           // a clock jump backwards keeps it alive
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		if s.renew {
			other.renew()
		}
		if got := w.alive(l, "other"); got != s.alive {
			t.Errorf("step %d: alive %v, want %v", i, got, s.alive)
		}
	}
	// A node that never wrote a lease (or removed it at a clean stop) is
	// dead once leaseExpiry has passed since it was first looked at.
	if !w.alive(l, "never") {
		t.Error("a node without a lease was dead at first look")
	}
	now = now.Add(leaseExpiry)
	if w.alive(l, "never") {
		t.Error("a node without a lease stayed alive past the expiry")
	}
}
