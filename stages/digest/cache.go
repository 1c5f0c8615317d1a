package digest

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"
)

// Metrics receives what a Cache does, for Prometheus counters. A nil
// Metrics on a Cache records nothing.
type Metrics interface {
	// Hashed counts bytes read and hashed (once per file read).
	Hashed(bytes int64)
	// CacheHit counts a Sum answered without reading the file.
	CacheHit()
	// CacheMiss counts a Sum that had to read the file.
	CacheMiss()
}

// Cache defaults, chosen for a label's working set: a release is tens of
// files and an entry about 250 bytes in memory, so the cap holds thousands
// of releases in ~25 MB. Re-drops that matter happen within days (the same
// files, moved back from failed/ or dropped again); older entries are
// usually for files that no longer exist.
const (
	DefaultMaxEntries = 100_000
	DefaultMaxAge     = 30 * 24 * time.Hour
	DefaultRacyWindow = 2 * time.Second
)

// Cache remembers the Sums of files by (device, inode, size, mtime in ns)
// so a file that did not change is never read twice, across restarts too.
// A hard link is the same file (same device and inode) and hits the cache;
// a file whose size or mtime changed is always read again.
//
// Like rsync and make, it trusts mtime: a tool that rewrites a file with
// the same size and then restores its mtime defeats it. Sizes and mtimes
// to the nanosecond make that unlikely by accident.
//
// A Cache is safe for concurrent use. Concurrent Sums of the same file
// read it once. Exported fields are settings: set them before the Cache is
// shared.
type Cache struct {
	// Metrics, if not nil, receives bytes hashed and hits and misses.
	Metrics Metrics
	// MaxEntries caps the entries kept; past it, the least recently used
	// are dropped (down to 90% of the cap, so eviction is rare).
	MaxEntries int
	// MaxAge drops, at Save, entries no Sum has used for this long.
	MaxAge time.Duration
	// RacyWindow is how old a file's mtime must be, when its read starts,
	// for its sums to be kept. A write right after the read can leave the
	// mtime unchanged on filesystems with coarse timestamps (Linux ticks,
	// 2 s on FAT); such a fresh file is hashed again next time instead.
	// ferry reads files only after they settled, so this costs nothing.
	RacyWindow time.Duration

	path string
	now  func() time.Time

	mu       sync.Mutex
	entries  map[fileKey]*entry
	inflight map[fileKey]chan struct{}
	dirty    bool

	saveMu sync.Mutex
}

// fileKey identifies one content of one file; see keyOf.
type fileKey struct {
	Dev, Ino uint64
	Size     int64
	MtimeNS  int64
}

// entry holds the digests known for one fileKey, raw to keep memory
// small. A zero-length slice means "not computed yet".
type entry struct {
	blake3 [32]byte
	md5    []byte
	sha1   []byte
	sha256 []byte
	seen   int64 // unix seconds of the last Sum that used it
}

func (e *entry) sum(algorithm string) []byte {
	switch algorithm {
	case MD5:
		return e.md5
	case SHA1:
		return e.sha1
	case SHA256:
		return e.sha256
	}
	return nil
}

func (e *entry) hasAll(algorithms []string) bool {
	for _, alg := range algorithms {
		if alg != NoHashSum && len(e.sum(alg)) == 0 {
			return false
		}
	}
	return true
}

func (e *entry) set(algorithm string, sum []byte) {
	switch algorithm {
	case MD5:
		e.md5 = sum
	case SHA1:
		e.sha1 = sum
	case SHA256:
		e.sha256 = sum
	}
}

// pass returns the entry as if a read had just computed algorithms.
func (e *entry) pass(size int64, algorithms []string) pass {
	p := pass{size: size, blake3: e.blake3, digest: make(map[string][]byte, len(algorithms))}
	for _, alg := range algorithms {
		if alg != NoHashSum {
			p.digest[alg] = e.sum(alg)
		}
	}
	return p
}

// seenResolution is how far a hit must move an entry's last-use time
// before the cache counts as changed; hits alone then rewrite the file at
// most hourly.
const seenResolution = int64(time.Hour / time.Second)

// newCache returns an empty Cache persisted at path, with defaults.
func newCache(path string) *Cache {
	return &Cache{
		MaxEntries: DefaultMaxEntries,
		MaxAge:     DefaultMaxAge,
		RacyWindow: DefaultRacyWindow,
		path:       path,
		now:        time.Now,
		entries:    make(map[fileKey]*entry),
		inflight:   make(map[fileKey]chan struct{}),
	}
}

// Len returns the number of files the cache holds sums for.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Sum returns the Sums of the file at path with the HashSum of algorithm
// (see File). hit is true when they came from the cache, in which case no
// byte of the file was read. When the cached entry lacks algorithm, the
// file is read again and the entry then holds both algorithms.
func (c *Cache) Sum(path string, algorithm string) (s Sums, hit bool, err error) {
	return c.SumContext(context.Background(), path, algorithm)
}

// SumContext is Sum, abandoned between reads when ctx is done: a 2 GiB
// file is not read to its end after the daemon's grace period.
func (c *Cache) SumContext(ctx context.Context, path string, algorithm string) (s Sums, hit bool, err error) {
	if err := CheckAlgorithm(algorithm); err != nil {
		return Sums{}, false, fmt.Errorf("hash %s: %w", path, err)
	}
	p, hit, err := c.lookup(ctx, path, []string{algorithm})
	if err != nil {
		return Sums{}, false, err
	}
	return p.sums(algorithm), hit, nil
}

// lookup returns the sums of algorithms (checked names) for the file at
// path, from the cache when it holds all of them, else from one read that
// computes all of them.
func (c *Cache) lookup(ctx context.Context, path string, algorithms []string) (p pass, hit bool, err error) {
	for {
		fi, err := os.Stat(path)
		if err != nil {
			return pass{}, false, fmt.Errorf("hash: %w", err)
		}
		key, ok := keyOf(fi)
		if !ok {
			c.miss()
			return c.read(ctx, path, algorithms)
		}
		c.mu.Lock()
		if e := c.entries[key]; e != nil && e.hasAll(algorithms) {
			c.touch(e)
			p := e.pass(key.Size, algorithms)
			c.mu.Unlock()
			c.hit()
			return p, true, nil
		}
		if wait, busy := c.inflight[key]; busy {
			// Someone is reading this very file: wait and look again.
			c.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return pass{}, false, ctx.Err()
			}
			continue
		}
		done := make(chan struct{})
		c.inflight[key] = done
		c.mu.Unlock()

		c.miss()
		p, hit, err := c.read(ctx, path, algorithms)

		c.mu.Lock()
		delete(c.inflight, key)
		c.mu.Unlock()
		close(done)
		return p, hit, err
	}
}

// read hashes the file and stores the result under the key the file had
// when the read began, unless its mtime is too fresh to trust.
func (c *Cache) read(ctx context.Context, path string, algorithms []string) (pass, bool, error) {
	start := c.now()
	p, fi, err := readFile(ctx, path, algorithms)
	if p.size > 0 && c.Metrics != nil {
		c.Metrics.Hashed(p.size)
	}
	if err != nil {
		return pass{}, false, err
	}
	key, ok := keyOf(fi)
	if !ok || key.MtimeNS > start.Add(-c.RacyWindow).UnixNano() {
		return p, false, nil
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e == nil || p.blake3 != e.blake3 {
		// New file, or the same key with other content (rewritten with
		// its mtime restored): sums of the old content are worthless.
		e = &entry{blake3: p.blake3}
		c.entries[key] = e
		c.evictOver(key)
	}
	for alg, sum := range p.digest {
		e.set(alg, sum)
	}
	e.seen = c.now().Unix()
	c.dirty = true
	return p, false, nil
}

// touch records a hit on e; the caller holds c.mu.
func (c *Cache) touch(e *entry) {
	now := c.now().Unix()
	if now-e.seen >= seenResolution {
		c.dirty = true
	}
	if now > e.seen {
		e.seen = now
	}
}

// evictOver drops the least recently used entries when the cache holds
// more than MaxEntries, down to 90% of it, never the entry just added
// under keep; the caller holds c.mu.
func (c *Cache) evictOver(keep fileKey) {
	if c.MaxEntries <= 0 || len(c.entries) <= c.MaxEntries {
		return
	}
	type aged struct {
		key  fileKey
		seen int64
	}
	all := make([]aged, 0, len(c.entries))
	for k, e := range c.entries {
		if k != keep {
			all = append(all, aged{k, e.seen})
		}
	}
	slices.SortFunc(all, func(a, b aged) int { return cmp.Compare(a.seen, b.seen) })
	drop := len(c.entries) - max(c.MaxEntries*9/10, 1)
	for _, a := range all[:drop] {
		delete(c.entries, a.key)
	}
	c.dirty = true
}

// expire drops entries not used within MaxAge; the caller holds c.mu.
func (c *Cache) expire() {
	if c.MaxAge <= 0 {
		return
	}
	oldest := c.now().Add(-c.MaxAge).Unix()
	for k, e := range c.entries {
		if e.seen < oldest {
			delete(c.entries, k)
			c.dirty = true
		}
	}
}

func (c *Cache) hit() {
	if c.Metrics != nil {
		c.Metrics.CacheHit()
	}
}

func (c *Cache) miss() {
	if c.Metrics != nil {
		c.Metrics.CacheMiss()
	}
}
