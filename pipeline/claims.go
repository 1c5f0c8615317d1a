package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ferrydelivery/ferry/stages/files"
	"golang.org/x/sys/unix"
)

// nodeLock is held for as long as a daemon runs: <root>/.ferry/nodes/<node>.lock,
// locked with flock. A node whose lock can be taken is not running, so its
// claims may be released.
type nodeLock struct{ f *os.File }

func lockNode(l Layout, node string) (*nodeLock, error) {
	if err := os.MkdirAll(l.State("nodes"), files.DirPerm); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(l.State("nodes", node+".lock"), os.O_CREATE|os.O_RDWR, files.FilePerm)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another ferry with node name %q is running on %s (set a different `node` in the config for a second daemon)", node, l.Root)
		}
		return nil, fmt.Errorf("lock node %s: %w", node, err)
	}
	f.Truncate(0)
	fmt.Fprintf(f, "%d\n", os.Getpid())
	return &nodeLock{f: f}, nil
}

func (n *nodeLock) release() { n.f.Close() }

// nodeLocked reports whether the daemon named node holds its lock. Where
// the share does not pass locks between machines this says false for a
// daemon running elsewhere: only a true is evidence (see lease.go).
func nodeLocked(l Layout, node string) bool {
	f, err := os.OpenFile(l.State("nodes", node+".lock"), os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return true
	}
	unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return false
}

// fanoutSuffix marks the folders beside a claimed release where ferry
// before 2026-12 built delivery instances; a root left by such a version
// may still hold some, which are removed like any half-built fan-out.
const fanoutSuffix = ".fanout"

// releaseStaleClaims puts back into their stage folder the items claimed
// by daemons that are no longer running (alive says false), and removes their half-built
// fan-out folders. At startup this node's own claims are stale too (left
// by its previous run); later they are its work in progress.
func releaseStaleClaims(l Layout, self string, startup bool, alive func(node string) bool) (int, error) {
	n := 0
	for _, s := range Stages {
		nodes, err := os.ReadDir(filepath.Join(l.Dir(s), claimsDir))
		if err != nil {
			continue
		}
		for _, nd := range nodes {
			node := nd.Name()
			if node == self && !startup || node != self && alive(node) {
				continue
			}
			dir := filepath.Join(l.Dir(s), claimsDir, node)
			items, _ := os.ReadDir(dir)
			for _, it := range items {
				p := filepath.Join(dir, it.Name())
				if strings.HasSuffix(it.Name(), fanoutSuffix) {
					os.RemoveAll(p) // rebuilt from the release when it is packaged again
					continue
				}
				if _, err := moveInto(p, l.Dir(s)); err != nil {
					return n, fmt.Errorf("release claim %s: %w", p, err)
				}
				n++
			}
		}
	}
	return n, nil
}
