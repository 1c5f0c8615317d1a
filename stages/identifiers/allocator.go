package identifiers

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ferrydelivery/ferry/config"
)

// Paths under the root.
const (
	// Dir is the allocator's folder, relative to the root.
	Dir         = ".ferry/ids"
	journalName = "journal.jsonl"
	lockName    = "lock"
)

// Options tune an Allocator; the zero value is fine.
type Options struct {
	// Now is the clock ISRC years and record times come from; nil:
	// time.Now.
	Now func() time.Time
	// Node names this process in the journal; default: host name and
	// process id.
	Node string
}

// Allocator hands out codes from the configured blocks, never twice,
// and keeps the journal of every code it knows. It is safe for
// concurrent use, and several processes may use one root at once.
type Allocator struct {
	dir    string
	blocks map[Kind][]*block
	loc    *time.Location
	now    func() time.Time
	node   string

	mu      sync.Mutex
	lock    *os.File
	journal *os.File
	offset  int64 // bytes of the journal applied to st
	st      *state
	stale   bool // st may hold what the journal lacks: reload it
}

// Open opens (creating it when needed) the allocator of root with the
// blocks of cfg and reads its journal.
func Open(root string, cfg *config.Identifiers, opt Options) (*Allocator, error) {
	blocks, err := blocksOf(cfg)
	if err != nil {
		return nil, err
	}
	a := &Allocator{dir: filepath.Join(root, filepath.FromSlash(Dir)), blocks: blocks, loc: cfg.Location(), now: opt.Now, node: opt.Node}
	if a.now == nil {
		a.now = time.Now
	}
	if a.node == "" {
		host, _ := os.Hostname()
		a.node = host + ":" + strconv.Itoa(os.Getpid())
	}
	if err := os.MkdirAll(a.dir, 0o777); err != nil {
		return nil, fmt.Errorf("identifiers: create %s: %w", a.dir, err)
	}
	if err := syncDir(filepath.Dir(a.dir)); err != nil {
		return nil, err
	}
	if a.lock, err = os.OpenFile(filepath.Join(a.dir, lockName), os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o666); err != nil {
		return nil, fmt.Errorf("identifiers: open lock file: %w", err)
	}
	err = a.locked(func() error { return nil })
	if err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// Close releases the allocator's files.
func (a *Allocator) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	for _, f := range []*os.File{a.journal, a.lock} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	a.journal, a.lock = nil, nil
	return errors.Join(errs...)
}

// locked runs fn holding the process's mutex and the root's exclusive
// flock, with the state brought up to date with the journal.
func (a *Allocator) locked(fn func() error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.lock == nil {
		return errors.New("identifiers: allocator is closed")
	}
	if err := flock(a.lock, unix.LOCK_EX); err != nil {
		return fmt.Errorf("identifiers: lock %s: %w", filepath.Join(a.dir, lockName), err)
	}
	defer flock(a.lock, unix.LOCK_UN)
	if err := a.refresh(); err != nil {
		return err
	}
	return fn()
}

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return err
		}
	}
}

// refresh applies what other processes appended since the last look, or
// reads the whole journal when it was replaced or when this process's
// state may be ahead of it. A torn last record (its writer died before
// its fsync, so its codes were never handed out) is cut off and the cut
// recorded.
func (a *Allocator) refresh() error {
	path := filepath.Join(a.dir, journalName)
	if a.journal != nil {
		fi, err := os.Lstat(path)
		cur, serr := a.journal.Stat()
		if err != nil || serr != nil || !os.SameFile(fi, cur) {
			a.journal.Close()
			a.journal, a.stale = nil, true
		}
	}
	if a.journal == nil {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND|unix.O_NOFOLLOW, 0o666)
		if err != nil {
			return fmt.Errorf("identifiers: open journal: %w", err)
		}
		if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
			f.Close()
			return fmt.Errorf("identifiers: %s is not a regular file", path)
		}
		if err := syncDir(a.dir); err != nil {
			f.Close()
			return err
		}
		a.journal, a.stale = f, true
	}
	fi, err := a.journal.Stat()
	if err != nil {
		return fmt.Errorf("identifiers: journal: %w", err)
	}
	if a.stale || fi.Size() < a.offset {
		a.st, a.offset, a.stale = newState(), 0, false
	}
	if fi.Size() == a.offset {
		return nil
	}
	data := make([]byte, fi.Size()-a.offset)
	if _, err := a.journal.ReadAt(data, a.offset); err != nil && err != io.EOF {
		return fmt.Errorf("identifiers: read journal: %w", err)
	}
	used, torn, err := a.st.decodeLines(data, a.offset, a.blocks)
	a.offset += int64(used)
	if err != nil {
		a.stale = true
		return fmt.Errorf("identifiers: %s: %w", path, err)
	}
	if torn {
		dropped := fi.Size() - a.offset
		if err := a.journal.Truncate(a.offset); err != nil {
			a.stale = true
			return fmt.Errorf("identifiers: cut the torn end of the journal: %w", err)
		}
		return a.append(&record{Op: opRepair, Note: fmt.Sprintf("cut %d bytes of a record torn by a crash; its codes were never handed out", dropped)})
	}
	return nil
}

// append writes r at the end of the journal and fsyncs it; only then is
// r applied to the state. On failure the journal is cut back to where it
// was and the state reloaded before the next use.
func (a *Allocator) append(r *record) error {
	r.At, r.Node = a.now().UTC(), a.node
	line, err := r.encode()
	if err != nil {
		return fmt.Errorf("identifiers: encode record: %w", err)
	}
	n, err := a.journal.Write(line)
	if err == nil && n != len(line) {
		err = io.ErrShortWrite
	}
	if err == nil {
		err = unix.Fdatasync(int(a.journal.Fd()))
	}
	if err != nil {
		a.journal.Truncate(a.offset)
		a.stale = true
		return fmt.Errorf("identifiers: write journal: %w", err)
	}
	a.st.apply(r, a.blocks)
	a.offset += int64(len(line))
	return nil
}

// take finds the next free code of kind, in the first block that has
// one, and marks it in taken (codes already chosen for the record being
// built).
func (a *Allocator) take(kind Kind, yy int, taken map[string]bool) (string, error) {
	bs := a.blocks[kind]
	if len(bs) == 0 {
		return "", fmt.Errorf("no [[identifiers.%s]] block is configured: ferry cannot allocate a %s", kind, kindName(kind))
	}
	for _, b := range bs {
		code, err := a.takeFrom(b, yy, taken)
		if code != "" || err != nil {
			return code, err
		}
	}
	names := make([]string, len(bs))
	for i, b := range bs {
		names[i] = b.name
	}
	return "", fmt.Errorf("every %s block is used up (%s): add a block to [identifiers]", kindName(kind), strings.Join(names, ", "))
}

// takeFrom is take within one block; "" when the block is used up.
func (a *Allocator) takeFrom(b *block, yy int, taken map[string]bool) (string, error) {
	for n := max(a.st.next[keyOf(b, yy)], b.first); n <= b.last; n++ {
		code, err := b.code(n, yy)
		if err != nil {
			return "", fmt.Errorf("identifiers: %s block %s: %w", b.kind, b.name, err)
		}
		p, _ := parse(code)
		if a.st.codes[p.key] == nil && !taken[p.key] {
			taken[p.key] = true
			return code, nil
		}
	}
	return "", nil
}

// issue allocates one code per entry of kinds with the given operation
// and returns them in order, after their record is on disk.
func (a *Allocator) issue(op, purpose, note string, kinds []Kind) ([]string, error) {
	var codes []string
	err := a.locked(func() error {
		yy := a.now().In(a.loc).Year() % 100
		taken := map[string]bool{}
		for _, k := range kinds {
			c, err := a.take(k, yy, taken)
			if err != nil {
				return err
			}
			codes = append(codes, c)
		}
		if len(codes) == 0 {
			return nil
		}
		return a.append(&record{Op: op, For: purpose, Note: note, Codes: codes})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// Allocate hands out one code for each entry of kinds (e.g. UPC, GRid,
// ISRC, ISRC), in that order, for purpose (the release folder's name,
// kept in the journal). The codes are durable when it returns; a failed
// call hands out none.
func (a *Allocator) Allocate(purpose string, kinds ...Kind) ([]string, error) {
	return a.issue(opAllocate, purpose, "", kinds)
}

// Reserve sets n codes of kind aside now, for a release that does not
// exist yet (a studio needs ISRCs before mastering); note says for what.
func (a *Allocator) Reserve(kind Kind, n int, note string) ([]string, error) {
	if n < 1 {
		return nil, fmt.Errorf("reserve %d %s codes: the number must be at least 1", n, kind)
	}
	kinds := make([]Kind, n)
	for i := range kinds {
		kinds[i] = kind
	}
	return a.issue(opReserve, "", note, kinds)
}

// ImportResult says what an import did.
type ImportResult struct {
	Added   int // codes new to the journal
	Known   int // codes it already had as allocated, reserved or imported
	Outside int // of the added, codes in none of the configured blocks
}

// maxCodesPerRecord keeps journal lines short when a large import is
// written.
const maxCodesPerRecord = 1000

// Import records codes issued outside ferry (before it existed) so that
// they are never allocated. Importing the same codes again changes
// nothing. Every string must be a valid UPC/EAN, ISRC or GRid.
func (a *Allocator) Import(codes []string, note string) (ImportResult, error) {
	var res ImportResult
	for _, c := range codes {
		if _, ok := parse(c); !ok {
			return res, fmt.Errorf("import: %q is not a valid UPC/EAN, ISRC or GRid", c)
		}
	}
	err := a.locked(func() error {
		var add []string
		seen := map[string]bool{}
		for _, c := range codes {
			p, _ := parse(c)
			if seen[p.key] {
				continue
			}
			seen[p.key] = true
			if e := a.st.codes[p.key]; e != nil && e.status >= statusImported {
				res.Known++
				continue
			}
			add = append(add, p.code)
			if !a.inBlock(&p) {
				res.Outside++
			}
		}
		for len(add) > 0 {
			n := min(len(add), maxCodesPerRecord)
			if err := a.append(&record{Op: opImport, Note: note, Codes: add[:n]}); err != nil {
				return err
			}
			res.Added += n
			add = add[n:]
		}
		return nil
	})
	return res, err
}

// Observe records the codes of a release that fall inside a configured
// block and that the journal does not know, so that they are never
// allocated. Codes outside every block, or already known, cost nothing.
func (a *Allocator) Observe(purpose string, codes ...string) error {
	return a.locked(func() error {
		var add []string
		for _, c := range codes {
			p, ok := parse(c)
			if ok && a.st.codes[p.key] == nil && a.inBlock(&p) && !slices.Contains(add, p.code) {
				add = append(add, p.code)
			}
		}
		if len(add) == 0 {
			return nil
		}
		return a.append(&record{Op: opSeen, For: purpose, Codes: add})
	})
}

// Confirm records that codes were written into the release they were
// allocated for; allocated codes never confirmed are the gaps a crash
// left, shown by `ferry ids show`.
func (a *Allocator) Confirm(purpose string, codes ...string) error {
	if len(codes) == 0 {
		return nil
	}
	return a.locked(func() error {
		return a.append(&record{Op: opConfirm, For: purpose, Codes: codes})
	})
}

// Status is what the allocator knows of one code.
type Status struct {
	// InBlock is true when the code lies in one of the label's blocks;
	// Block names it.
	InBlock bool
	Block   string
	// Issued is true when ferry allocated or reserved the code, or it was
	// imported as issued before ferry.
	Issued bool
}

// Lookup says whether code lies in a block and whether it was issued.
func (a *Allocator) Lookup(code string) (Status, error) {
	var s Status
	p, ok := parse(code)
	if !ok {
		return s, nil
	}
	err := a.locked(func() error {
		for _, b := range a.blocks[p.kind] {
			q := p
			if b.contains(&q) {
				s.InBlock, s.Block = true, b.name
				break
			}
		}
		if e := a.st.codes[p.key]; e != nil {
			s.Issued = e.status >= statusImported
		}
		return nil
	})
	return s, err
}

// inBlock reports whether p lies in a configured block.
func (a *Allocator) inBlock(p *parsed) bool {
	for _, b := range a.blocks[p.kind] {
		q := *p
		if b.contains(&q) {
			return true
		}
	}
	return false
}

func kindName(k Kind) string {
	switch k {
	case UPC:
		return "UPC/EAN"
	case ISRC:
		return "ISRC"
	}
	return "GRid"
}

// syncDir fsyncs a folder so that a file created in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("identifiers: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("identifiers: sync %s: %w", dir, err)
	}
	return nil
}
