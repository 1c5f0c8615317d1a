package digest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// settled is the mtime test files get: long past, like a file ferry reads
// after it settled, and with nanoseconds so they must round-trip exactly.
var settled = time.Unix(1_700_000_000, 123_456_789)

// writeSettled writes data to path with mtime settled.
func writeSettled(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	setMtime(t, path, settled)
}

func setMtime(t testing.TB, path string, mtime time.Time) {
	t.Helper()
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// countingMetrics records what a Cache reports; safe for concurrent use.
type countingMetrics struct {
	hashed, hits, misses atomic.Int64
}

func (m *countingMetrics) Hashed(n int64) { m.hashed.Add(n) }
func (m *countingMetrics) CacheHit()      { m.hits.Add(1) }
func (m *countingMetrics) CacheMiss()     { m.misses.Add(1) }

// newTestCache opens an empty cache in a temp dir with counting metrics.
func newTestCache(t testing.TB) (*Cache, *countingMetrics) {
	t.Helper()
	c, err := OpenCache(filepath.Join(t.TempDir(), ".ferry", "hashcache.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	m := &countingMetrics{}
	c.Metrics = m
	return c, m
}

// mustSum calls c.Sum and checks hit against wantHit.
func mustSum(t *testing.T, c *Cache, path, algorithm string, wantHit bool) Sums {
	t.Helper()
	s, hit, err := c.Sum(path, algorithm)
	if err != nil {
		t.Fatal(err)
	}
	if hit != wantHit {
		t.Fatalf("Sum(%s, %q): hit = %v, want %v", filepath.Base(path), algorithm, hit, wantHit)
	}
	return s
}

// TestCacheHitReadsNothing proves a hit does not read the file: the
// content is replaced behind the cache's back with the same size and
// mtime, and the cache still answers with the old content's sums and
// reports no byte hashed. Moving the mtime by one nanosecond then forces
// a read that sees the new content.
func TestCacheHitReadsNothing(t *testing.T) {
	c, m := newTestCache(t)
	path := filepath.Join(t.TempDir(), "01.wav")
	original := bytes.Repeat([]byte("a"), 10_000)
	writeSettled(t, path, original)

	first := mustSum(t, c, path, MD5, false)
	if got := m.hashed.Load(); got != 10_000 {
		t.Fatalf("first Sum hashed %d bytes, want 10000", got)
	}

	replaced := bytes.Repeat([]byte("b"), 10_000)
	writeSettled(t, path, replaced) // same inode, size and mtime
	second := mustSum(t, c, path, MD5, true)
	if second != first {
		t.Fatalf("hit returned %+v, want the cached %+v", second, first)
	}
	if got := m.hashed.Load(); got != 10_000 {
		t.Fatalf("after a hit %d bytes hashed in total, want still 10000", got)
	}

	setMtime(t, path, settled.Add(time.Nanosecond))
	third := mustSum(t, c, path, MD5, false)
	want, err := File(path, MD5)
	if err != nil {
		t.Fatal(err)
	}
	if third != want || third == first {
		t.Fatalf("after mtime change Sum = %+v, want the new content's %+v", third, want)
	}
	if m.hits.Load() != 1 || m.misses.Load() != 2 || m.hashed.Load() != 20_000 {
		t.Fatalf("metrics hits=%d misses=%d hashed=%d, want 1, 2, 20000", m.hits.Load(), m.misses.Load(), m.hashed.Load())
	}
}

// TestCacheChangedFileIsReread changes one part of the key at a time and
// checks that each change makes the cache read the file again.
func TestCacheChangedFileIsReread(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, path string)
	}{
		{"size", func(t *testing.T, path string) {
			writeSettled(t, path, []byte("longer content"))
		}},
		{"mtime", func(t *testing.T, path string) {
			writeSettled(t, path, []byte("other content"))
			setMtime(t, path, settled.Add(time.Second))
		}},
		{"inode (file replaced by rename, same size and mtime)", func(t *testing.T, path string) {
			tmp := path + ".new"
			writeSettled(t, tmp, []byte("other content"))
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, m := newTestCache(t)
			path := filepath.Join(t.TempDir(), "cover.jpg")
			writeSettled(t, path, []byte("first content"))
			before := mustSum(t, c, path, SHA256, false)

			tt.change(t, path)
			after := mustSum(t, c, path, SHA256, false)
			want, err := File(path, SHA256)
			if err != nil {
				t.Fatal(err)
			}
			if after != want || after == before {
				t.Fatalf("Sum after change = %+v, want %+v", after, want)
			}
			if m.misses.Load() != 2 || m.hits.Load() != 0 {
				t.Fatalf("hits=%d misses=%d, want 0 and 2", m.hits.Load(), m.misses.Load())
			}
		})
	}
}

// TestCacheAlgorithms checks that an entry gathers algorithms: asking for
// one not cached reads the file, after which both are hits.
func TestCacheAlgorithms(t *testing.T) {
	c, m := newTestCache(t)
	path := filepath.Join(t.TempDir(), "01.flac")
	writeSettled(t, path, []byte("abc"))

	steps := []struct {
		algorithm, hashSum string
		hit                bool
	}{
		{MD5, "900150983cd24fb0d6963f7d28e17f72", false},
		{MD5, "900150983cd24fb0d6963f7d28e17f72", true},
		{SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", false},
		{MD5, "900150983cd24fb0d6963f7d28e17f72", true},
		{SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", true},
		{NoHashSum, "", true},
		{SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d", false},
		{SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d", true},
	}
	for i, st := range steps {
		s := mustSum(t, c, path, st.algorithm, st.hit)
		want := Sums{Size: 3, BLAKE3: "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85", Algorithm: st.algorithm, HashSum: st.hashSum}
		if s != want {
			t.Fatalf("step %d: Sum(%q) = %+v, want %+v", i, st.algorithm, s, want)
		}
	}
	if got := m.hashed.Load(); got != 9 {
		t.Fatalf("hashed %d bytes, want 9 (three reads of 3 bytes)", got)
	}
	if _, _, err := c.Sum(path, "BLAKE3"); err == nil {
		t.Fatal("Sum with BLAKE3 as HashSum algorithm: no error")
	}
}

// TestCacheHardLinkHits: a hard link is the same inode, so a release
// fanned out with hard links is not read again.
func TestCacheHardLinkHits(t *testing.T) {
	c, m := newTestCache(t)
	dir := t.TempDir()
	orig := filepath.Join(dir, "validated", "01.wav")
	link := filepath.Join(dir, "packaged", "01.wav")
	for _, d := range []string{filepath.Dir(orig), filepath.Dir(link)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeSettled(t, orig, pattern(5000))
	want := mustSum(t, c, orig, MD5, false)
	if err := os.Link(orig, link); err != nil {
		t.Fatal(err)
	}
	if got := mustSum(t, c, link, MD5, true); got != want {
		t.Fatalf("hard link Sum = %+v, want %+v", got, want)
	}
	// A copy is another inode: read again, same sums.
	cp := filepath.Join(dir, "copy.wav")
	writeSettled(t, cp, pattern(5000))
	if got := mustSum(t, c, cp, MD5, false); got != want {
		t.Fatalf("copy Sum = %+v, want %+v", got, want)
	}
	if m.hashed.Load() != 10_000 {
		t.Fatalf("hashed %d bytes, want 10000 (original and copy, not the link)", m.hashed.Load())
	}
}

// TestCacheRacyFileNotKept: sums of a file whose mtime is within
// RacyWindow of the read are returned but not kept, because a write just
// after the read could leave size and mtime unchanged.
func TestCacheRacyFileNotKept(t *testing.T) {
	c, _ := newTestCache(t)
	now := settled.Add(time.Second) // the file was modified 1 s before the read
	c.now = func() time.Time { return now }
	path := filepath.Join(t.TempDir(), "fresh.wav")
	writeSettled(t, path, []byte("just written"))

	mustSum(t, c, path, MD5, false)
	mustSum(t, c, path, MD5, false)
	if c.Len() != 0 {
		t.Fatalf("cache holds %d entries for a racy file, want 0", c.Len())
	}
	now = settled.Add(DefaultRacyWindow) // exactly the window: old enough
	mustSum(t, c, path, MD5, false)
	mustSum(t, c, path, MD5, true)
}

func TestCacheSumErrors(t *testing.T) {
	c, _ := newTestCache(t)
	dir := t.TempDir()
	if _, _, err := c.Sum(filepath.Join(dir, "gone.wav"), MD5); err == nil || !strings.Contains(err.Error(), "gone.wav") {
		t.Fatalf("Sum of a missing file: error %v, want one naming gone.wav", err)
	}
	if _, _, err := c.Sum(dir, MD5); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("Sum of a directory: error %v, want 'not a regular file'", err)
	}
	if c.Len() != 0 {
		t.Fatalf("failed Sums left %d entries", c.Len())
	}
}

// TestCacheConcurrent hammers one cache from many goroutines over a few
// files (run with -race) and checks each file was read exactly once:
// concurrent misses on one file wait for a single read.
func TestCacheConcurrent(t *testing.T) {
	c, m := newTestCache(t)
	dir := t.TempDir()
	var paths []string
	var want []Sums
	var total int64
	for i := range 4 {
		p := filepath.Join(dir, string(rune('a'+i))+".wav")
		data := pattern(bufSize*2 + i*1000)
		writeSettled(t, p, data)
		s, err := File(p, MD5)
		if err != nil {
			t.Fatal(err)
		}
		paths, want, total = append(paths, p), append(want, s), total+int64(len(data))
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for round := range 5 {
				i := (g + round) % len(paths)
				s, _, err := c.Sum(paths[i], MD5)
				if err != nil {
					t.Error(err)
					return
				}
				if s != want[i] {
					t.Errorf("Sum(%s) = %+v, want %+v", paths[i], s, want[i])
				}
			}
		})
	}
	wg.Wait()
	if m.hashed.Load() != total {
		t.Fatalf("hashed %d bytes, want %d (each file once)", m.hashed.Load(), total)
	}
	if m.hits.Load()+m.misses.Load() != 80 || m.misses.Load() != 4 {
		t.Fatalf("hits=%d misses=%d, want 76 and 4", m.hits.Load(), m.misses.Load())
	}
}

func TestSumAll(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 6 {
		p := filepath.Join(dir, string(rune('a'+i))+".wav")
		writeSettled(t, p, pattern(1000*(i+1)))
		paths = append(paths, p)
	}
	for _, parallel := range []int{0, 1, 3, 100} {
		c, _ := newTestCache(t)
		sums, err := c.SumAll(paths, SHA1, parallel)
		if err != nil {
			t.Fatalf("parallel %d: %v", parallel, err)
		}
		for i, p := range paths {
			want, err := File(p, SHA1)
			if err != nil {
				t.Fatal(err)
			}
			if sums[i] != want {
				t.Fatalf("parallel %d: sums[%d] = %+v, want %+v (order kept)", parallel, i, sums[i], want)
			}
		}
	}

	c, _ := newTestCache(t)
	bad := []string{paths[0], filepath.Join(dir, "missing1.wav"), paths[1], filepath.Join(dir, "missing2.wav")}
	sums, err := c.SumAll(bad, MD5, 2)
	if err == nil || !strings.Contains(err.Error(), "missing1.wav") || !strings.Contains(err.Error(), "missing2.wav") {
		t.Fatalf("SumAll error = %v, want one naming both missing files", err)
	}
	if sums[0].Size != 1000 || sums[2].Size != 2000 || sums[1] != (Sums{}) || sums[3] != (Sums{}) {
		t.Fatalf("SumAll with failures = %+v, want sums for the good files and zero for the missing", sums)
	}
	if _, err := c.SumAll(paths, "SHA-512", 2); err == nil {
		t.Fatal("SumAll with SHA-512: no error")
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c, _ := newTestCache(t)
	c.MaxEntries = 10
	now := settled.Add(time.Hour)
	c.now = func() time.Time { return now }
	dir := t.TempDir()
	var paths []string
	for i := range 11 {
		p := filepath.Join(dir, string(rune('a'+i)))
		writeSettled(t, p, []byte{byte(i)})
		paths = append(paths, p)
	}
	for _, p := range paths[:10] {
		now = now.Add(time.Second)
		mustSum(t, c, p, MD5, false)
	}
	now = now.Add(time.Second)
	mustSum(t, c, paths[0], MD5, true) // a is now the most recently used
	now = now.Add(time.Second)
	mustSum(t, c, paths[10], MD5, false) // 11 entries: evict to 9
	if c.Len() != 9 {
		t.Fatalf("after eviction Len = %d, want 9", c.Len())
	}
	for _, p := range []string{paths[0], paths[10], paths[9]} {
		mustSum(t, c, p, MD5, true)
	}
	mustSum(t, c, paths[1], MD5, false) // b was the least recently used
}

// TestWarmReadsOnceForAllAlgorithms: fan-out to DSPs wanting different
// HashSums reads each file once, after which every DSP's Sum is a hit.
func TestWarmReadsOnceForAllAlgorithms(t *testing.T) {
	c, m := newTestCache(t)
	dir := t.TempDir()
	var paths []string
	for i := range 3 {
		p := filepath.Join(dir, string(rune('a'+i))+".wav")
		writeSettled(t, p, pattern(bufSize+i))
		paths = append(paths, p)
	}
	if err := c.Warm(paths, []string{MD5, SHA256, SHA1}, 2); err != nil {
		t.Fatal(err)
	}
	if want := int64(3*bufSize + 3); m.hashed.Load() != want {
		t.Fatalf("Warm hashed %d bytes, want %d (each file once)", m.hashed.Load(), want)
	}
	for _, alg := range []string{MD5, SHA256, SHA1, NoHashSum} {
		for _, p := range paths {
			got := mustSum(t, c, p, alg, true)
			want, err := File(p, alg)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("after Warm, Sum(%s, %q) = %+v, want %+v", p, alg, got, want)
			}
		}
	}
	if err := c.Warm(paths, []string{MD5, SHA256}, 2); err != nil || m.misses.Load() != 3 {
		t.Fatalf("second Warm: error %v, %d misses in total, want nil and 3", err, m.misses.Load())
	}
	if err := c.Warm(paths, []string{"BLAKE3"}, 2); err == nil {
		t.Fatal("Warm with BLAKE3 as HashSum algorithm: no error")
	}
	if err := c.Warm([]string{filepath.Join(dir, "gone.wav")}, []string{MD5}, 2); err == nil || !strings.Contains(err.Error(), "gone.wav") {
		t.Fatalf("Warm of a missing file: error %v, want one naming it", err)
	}
}

func TestSumContextIsAbandonedWhenDone(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(p, make([]byte, 4<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newCache("")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := c.SumContext(ctx, p, MD5); !errors.Is(err, context.Canceled) {
		t.Errorf("hashing under a done context: %v, want context.Canceled", err)
	}
	if _, hit, err := c.Sum(p, MD5); err != nil || hit {
		t.Errorf("after an abandoned read: hit %v, %v (nothing may have been cached)", hit, err)
	}
}
