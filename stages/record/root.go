package record

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ferrydelivery/ferry/stages/files"
)

// RootDir is the folder under a root where ferry keeps what belongs to
// the root rather than to an item: the key, the ledger, node leases, the
// hash cache, the sandbox.
const RootDir = ".ferry"

// keyFile holds the root's secret: 32 random bytes, mode 0600. Whoever
// can read it can forge item records, so it never leaves the root.
const keyFile = "record.key"

// Record files are small: these caps bound what ferry will ever read
// from a folder a stranger may have filled.
const (
	maxStateSize    = 1 << 20
	maxDeliverySize = 64 << 20 // 10,000 tracks take about 4 MB
	maxUploadedSize = 64 << 20
	maxHistorySize  = 16 << 20
	maxLedgerSize   = 64 << 20
)

// Root is ferry's record of one root: the key that seals item records,
// the delivery ledger, and this node's folder for temporary files. It is
// the only code that reads or writes record files, in items or in
// <root>/.ferry.
type Root struct {
	root string
	node string
	seal sealer
	now  func() time.Time
}

// OpenRoot prepares <root>/.ferry for node: the key (made on first use,
// crash-safe, shared by every daemon on the root) and an empty temporary
// folder for the node.
func OpenRoot(root, node string, now func() time.Time) (*Root, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(filepath.Join(root, RootDir), files.DirPerm); err != nil {
		return nil, fmt.Errorf("create %s: %w", filepath.Join(root, RootDir), err)
	}
	r := &Root{root: root, node: node, now: now}
	key, err := r.loadKey()
	if err != nil {
		return nil, err
	}
	r.seal = newSealer(key)
	tmp := r.path("tmp", node)
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("clear %s: %w", tmp, err)
	}
	if err := os.MkdirAll(tmp, files.DirPerm); err != nil {
		return nil, fmt.Errorf("create %s: %w", tmp, err)
	}
	return r, nil
}

func (r *Root) path(parts ...string) string {
	return filepath.Join(append([]string{r.root, RootDir}, parts...)...)
}

// loadKey reads the root's key, or makes it. Two daemons starting on a
// fresh root at once both write a candidate; link(2) lets exactly one
// become the key, and the other reads it. A key file left empty or short
// by a crash before fsync was never used to seal anything and is
// replaced.
func (r *Root) loadKey() ([]byte, error) {
	p := r.path(keyFile)
	for range 3 {
		b, err := os.ReadFile(p)
		if err == nil && len(b) == 32 {
			return b, nil
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("read the root's record key %s: %w", p, err)
		}
		if err == nil {
			os.Remove(p) // torn by a crash: nothing was sealed with it
		}
		key := make([]byte, 32)
		rand.Read(key)
		tmp := fmt.Sprintf("%s.%d.new", p, os.Getpid())
		if err := os.WriteFile(tmp, key, 0o600); err != nil {
			return nil, fmt.Errorf("write the root's record key: %w", err)
		}
		f, err := os.Open(tmp)
		if err == nil {
			err = f.Sync()
			f.Close()
		}
		if err != nil {
			os.Remove(tmp)
			return nil, fmt.Errorf("sync the root's record key: %w", err)
		}
		err = os.Link(tmp, p)
		os.Remove(tmp)
		if err == nil {
			if err := files.SyncDir(filepath.Dir(p)); err != nil {
				return nil, err
			}
			return key, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("install the root's record key: %w", err)
		}
	}
	return nil, fmt.Errorf("the root's record key %s keeps changing: is another program writing it?", p)
}

// openTmp opens this node's temporary folder under <root>/.ferry.
func (r *Root) openTmp() (*os.File, error) {
	return openDir(nil, r.path("tmp", r.node))
}

// writeRootFile writes a file under <root>/.ferry (dir is relative to
// it) atomically, with its temporary file in the node's folder so that
// an interrupted write never leaves one beside the real file.
func (r *Root) writeRootFile(dir, name string, data []byte) error {
	full := r.path(dir)
	if err := os.MkdirAll(full, files.DirPerm); err != nil {
		return fmt.Errorf("create %s: %w", full, err)
	}
	d, err := openDir(nil, full)
	if err != nil {
		return err
	}
	defer d.Close()
	tmp, err := r.openTmp()
	if err != nil {
		return err
	}
	defer tmp.Close()
	return writeFile(tmp, d, name, data)
}

// Writable checks that a record can be written under the root now: a
// small file written, fsynced and removed, as a record write would. A
// full disk or a read-only mount fails here before it fails an item.
func (r *Root) Writable() error {
	tmp, err := r.openTmp()
	if err != nil {
		return fmt.Errorf("root %s: %w", r.root, err)
	}
	defer tmp.Close()
	name := "writable-probe"
	if err := writeFile(tmp, tmp, name, make([]byte, 4096)); err != nil {
		return fmt.Errorf("root %s is not writable: %w", r.root, err)
	}
	unix.Unlinkat(int(tmp.Fd()), name, 0)
	return nil
}

// OpenReader opens a root's records for reading only (`ferry status`):
// nothing is created. An error means the key cannot be read (ferry never
// ran here, or this user may not read it); item states then cannot be
// verified and are not shown.
func OpenReader(root string) (*Root, error) {
	r := &Root{root: root, now: time.Now}
	b, err := os.ReadFile(r.path(keyFile))
	if err != nil {
		return nil, fmt.Errorf("read the root's record key: %w", err)
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("the root's record key %s is damaged", r.path(keyFile))
	}
	r.seal = newSealer(b)
	return r, nil
}

// Nodes lists the nodes with a temporary folder under the root.
func (r *Root) Nodes() []string {
	es, _ := os.ReadDir(r.path("tmp"))
	var out []string
	for _, e := range es {
		if e.IsDir() && ValidName(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// ClearNode empties the temporary folder of a node known to be dead
// (another node's lease expired), removing what its interrupted writes
// left; a live node's is never touched.
func (r *Root) ClearNode(node string) error {
	if node == r.node || !ValidName(node) {
		return nil
	}
	return os.RemoveAll(r.path("tmp", node))
}
