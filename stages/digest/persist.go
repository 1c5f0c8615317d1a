package digest

import (
	"bufio"
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ferrydelivery/ferry/stages/files"
)

// The cache file is JSON lines: a header naming the format, then one
// record per file. It is a cache: a record that does not parse, or a file
// in an unknown format, is dropped and the files are simply read again.
const (
	cacheFormat  = "ferry-hash-cache"
	cacheVersion = 1
)

type cacheHeader struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
}

type cacheRecord struct {
	Dev     uint64 `json:"dev"`
	Ino     uint64 `json:"ino"`
	Size    int64  `json:"size"`
	MtimeNS int64  `json:"mtime_ns"`
	Seen    int64  `json:"seen"`
	BLAKE3  string `json:"blake3"`
	MD5     string `json:"md5,omitempty"`
	SHA1    string `json:"sha1,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
}

// OpenCache loads the cache persisted at path (for ferry,
// <root>/.ferry/hashcache.jsonl); a missing file is an empty cache.
// Nothing is written until Save. Only an unreadable file is an error.
func OpenCache(path string) (*Cache, error) {
	c := newCache(path)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open hash cache: %w", err)
	}
	defer f.Close()
	if err := c.load(f); err != nil {
		return nil, fmt.Errorf("read hash cache %s: %w", path, err)
	}
	return c, nil
}

// load reads records into c, skipping what does not parse.
func (c *Cache) load(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	if !sc.Scan() {
		return sc.Err()
	}
	var h cacheHeader
	if json.Unmarshal(sc.Bytes(), &h) != nil || h.Format != cacheFormat || h.Version != cacheVersion {
		return nil // another format: start empty, overwrite at Save
	}
	for sc.Scan() {
		var rec cacheRecord
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			continue
		}
		if e, ok := rec.entry(); ok {
			c.entries[fileKey{rec.Dev, rec.Ino, rec.Size, rec.MtimeNS}] = e
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, bufio.ErrTooLong) {
		return err
	}
	return nil
}

// entry decodes a record, checking every digest's length.
func (rec cacheRecord) entry() (*entry, bool) {
	b3, ok := decodeHex(rec.BLAKE3, 32)
	if !ok {
		return nil, false
	}
	e := &entry{blake3: [32]byte(b3), seen: rec.Seen}
	for _, d := range []struct {
		alg, hex string
		size     int
	}{{MD5, rec.MD5, 16}, {SHA1, rec.SHA1, 20}, {SHA256, rec.SHA256, 32}} {
		if d.hex == "" {
			continue
		}
		sum, ok := decodeHex(d.hex, d.size)
		if !ok {
			return nil, false
		}
		e.set(d.alg, sum)
	}
	return e, true
}

func decodeHex(s string, size int) ([]byte, bool) {
	b, err := hex.DecodeString(s)
	return b, err == nil && len(b) == size
}

// Save writes the cache to its file atomically (temporary file, fsync,
// rename, fsync of the folder), so a crash leaves the old or the new
// cache, never a torn one. Entries unused for MaxAge are dropped first.
// Save does nothing when nothing changed since the last Save.
func (c *Cache) Save() error {
	c.saveMu.Lock()
	defer c.saveMu.Unlock()

	c.mu.Lock()
	c.expire()
	if !c.dirty {
		c.mu.Unlock()
		return nil
	}
	recs := make([]cacheRecord, 0, len(c.entries))
	for k, e := range c.entries {
		recs = append(recs, cacheRecord{
			Dev: k.Dev, Ino: k.Ino, Size: k.Size, MtimeNS: k.MtimeNS, Seen: e.seen,
			BLAKE3: hex.EncodeToString(e.blake3[:]),
			MD5:    hex.EncodeToString(e.md5),
			SHA1:   hex.EncodeToString(e.sha1),
			SHA256: hex.EncodeToString(e.sha256),
		})
	}
	c.dirty = false
	c.mu.Unlock()

	// Stable order: the file diffs well and tests can compare it.
	slices.SortFunc(recs, func(a, b cacheRecord) int {
		return cmp.Or(cmp.Compare(a.Dev, b.Dev), cmp.Compare(a.Ino, b.Ino))
	})
	err := os.MkdirAll(filepath.Dir(c.path), 0o755)
	if err == nil {
		err = files.WriteAtomic(c.path, 0o644, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			if err := enc.Encode(cacheHeader{cacheFormat, cacheVersion}); err != nil {
				return err
			}
			for _, r := range recs {
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		c.mu.Lock()
		c.dirty = true
		c.mu.Unlock()
		return fmt.Errorf("save hash cache: %w", err)
	}
	return nil
}

// SaveEvery saves the cache every interval until ctx is done, then once
// more, and returns that last Save's error. Errors on the way go to
// report (which may be nil) and do not stop the loop: a full disk now
// should not stop saving later.
func (c *Cache) SaveEvery(ctx context.Context, every time.Duration, report func(error)) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return c.Save()
		case <-t.C:
			if err := c.Save(); err != nil && report != nil {
				report(err)
			}
		}
	}
}
