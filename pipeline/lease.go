package pipeline

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ferrydelivery/ferry/stages/files"
)

// Several daemons on one share tell each other they are alive with a
// lease: a file per node, <root>/.ferry/nodes/<node>.lease, rewritten
// every leaseRenew with a counter that only grows. Another node counts a
// daemon dead only when it has seen that counter stand still for
// leaseExpiry by its own clock, so clocks need not agree and no lock
// semantics of the share are assumed (sshfs and some SMB setups keep
// flock local to each client). A held flock is extra evidence of life
// where the share does pass locks on; its absence proves nothing.
//
// leaseExpiry is long for a reason: a network filesystem may show another
// machine's file as it was some seconds ago (sshfs caches for 20 s by
// default, NFS and SMB attributes for up to 60 s where close-to-open
// consistency does not apply), and a live daemon seen through a stale
// cache must not look dead. A dead daemon's claims wait that long.
var (
	leaseRenew  = 2 * time.Second
	leaseExpiry = 15 * leaseRenew
)

// lease keeps this node's lease file renewed.
type lease struct {
	path    string
	counter uint64
}

func newLease(l Layout, node string) *lease {
	return &lease{path: l.State("nodes", node+".lease")}
}

// renew writes the next counter value.
func (ls *lease) renew() error {
	ls.counter++
	data := fmt.Sprintf("%d %d %s\n", ls.counter, os.Getpid(), time.Now().UTC().Format(time.RFC3339Nano))
	return files.WriteFileAtomic(ls.path, []byte(data), files.FilePerm)
}

// keep renews the lease every leaseRenew until ctx is done, reporting
// failed renewals (a full or unreachable share: other nodes will take
// this node's claims once the lease expires).
func (ls *lease) keep(ctx context.Context, report func(error)) {
	t := time.NewTicker(leaseRenew)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := ls.renew(); err != nil {
				report(err)
			}
		}
	}
}

// leases judges other nodes' leases from what this node has seen of them.
type leases struct {
	mu   sync.Mutex
	now  func() time.Time
	seen map[string]leaseSeen
}

type leaseSeen struct {
	counter string
	changed time.Time // by this node's clock
}

// alive reports whether node's lease has moved within leaseExpiry of
// this node's first or last look at it.
func (w *leases) alive(l Layout, node string) bool {
	b, _ := os.ReadFile(l.State("nodes", node+".lease"))
	counter, _, _ := strings.Cut(string(b), " ")
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen == nil {
		w.seen = map[string]leaseSeen{}
	}
	s, ok := w.seen[node]
	if !ok || s.counter != counter {
		w.seen[node] = leaseSeen{counter: counter, changed: now}
		return true
	}
	return now.Sub(s.changed) < leaseExpiry
}
