package digest

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCachePersists: sums survive Save and OpenCache, and the reopened
// cache answers without reading (proved by replacing the content behind
// its back, as in TestCacheHitReadsNothing).
func TestCachePersists(t *testing.T) {
	dir := t.TempDir()
	cachePath := filepath.Join(dir, ".ferry", "hashcache.jsonl")
	c, err := OpenCache(cachePath)
	if err != nil {
		t.Fatal(err)
	}
	audio := filepath.Join(dir, "01.wav")
	cover := filepath.Join(dir, "cover.jpg")
	writeSettled(t, audio, pattern(3000))
	writeSettled(t, cover, pattern(4000))
	wantAudio := mustSum(t, c, audio, MD5, false)
	mustSum(t, c, audio, SHA256, false)
	wantCover := mustSum(t, c, cover, SHA1, false)
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}

	writeSettled(t, audio, make([]byte, 3000)) // same size and mtime
	reopened, err := OpenCache(cachePath)
	if err != nil {
		t.Fatal(err)
	}
	m := &countingMetrics{}
	reopened.Metrics = m
	if reopened.Len() != 2 {
		t.Fatalf("reopened cache has %d entries, want 2", reopened.Len())
	}
	if got := mustSum(t, reopened, audio, MD5, true); got != wantAudio {
		t.Fatalf("reopened Sum = %+v, want %+v", got, wantAudio)
	}
	mustSum(t, reopened, audio, SHA256, true)
	if got := mustSum(t, reopened, cover, SHA1, true); got != wantCover {
		t.Fatalf("reopened Sum = %+v, want %+v", got, wantCover)
	}
	mustSum(t, reopened, cover, MD5, false) // SHA1 only was saved for the cover
	if m.hashed.Load() != 4000 {
		t.Fatalf("reopened cache hashed %d bytes, want 4000 (the cover's MD5 only)", m.hashed.Load())
	}
}

func TestCacheFileFormat(t *testing.T) {
	c, _ := newTestCache(t)
	path := filepath.Join(t.TempDir(), "a.wav")
	writeSettled(t, path, []byte("abc"))
	mustSum(t, c, path, MD5, false)
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(c.path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || lines[0] != `{"format":"ferry-hash-cache","version":1}` {
		t.Fatalf("cache file =\n%s\nwant a header line and one record", data)
	}
	var rec cacheRecord
	if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	want := cacheRecord{
		Dev: uint64(st.Dev), Ino: st.Ino, Size: 3, MtimeNS: settled.UnixNano(), Seen: rec.Seen,
		BLAKE3: "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",
		MD5:    "900150983cd24fb0d6963f7d28e17f72",
	}
	if rec != want {
		t.Fatalf("record = %+v, want %+v", rec, want)
	}
	if fi, err := os.Stat(c.path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("cache file mode = %v, %v; want 0644", fi.Mode(), err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(c.path), ".*tmp*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left behind: %v", leftovers)
	}
}

// TestOpenCacheTolerates: a cache is only an optimisation, so damage in
// its file loses entries, never the daemon's start.
func TestOpenCacheTolerates(t *testing.T) {
	good := `{"dev":1,"ino":2,"size":3,"mtime_ns":4,"seen":5,"blake3":"6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85","md5":"900150983cd24fb0d6963f7d28e17f72"}`
	header := `{"format":"ferry-hash-cache","version":1}`
	tests := []struct {
		name    string
		content string
		want    int
	}{
		{"empty file", "", 0},
		{"valid", header + "\n" + good + "\n", 1},
		{"torn last line", header + "\n" + good + "\n" + good[:40], 1},
		{"garbage line", header + "\nnot json\n" + good + "\n", 1},
		{"short digest", header + "\n" + strings.Replace(good, `"md5":"9001`, `"md5":"`, 1) + "\n" + good + "\n", 1},
		{"bad hex", header + "\n" + strings.Replace(good, `"blake3":"6`, `"blake3":"z`, 1) + "\n", 0},
		{"unknown version", `{"format":"ferry-hash-cache","version":99}` + "\n" + good + "\n", 0},
		{"no header", good + "\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hashcache.jsonl")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := OpenCache(path)
			if err != nil {
				t.Fatal(err)
			}
			if c.Len() != tt.want {
				t.Fatalf("Len = %d, want %d", c.Len(), tt.want)
			}
		})
	}

	if _, err := OpenCache(t.TempDir()); err == nil {
		t.Fatal("OpenCache of a directory: no error")
	}
}

// TestSaveSkipsWhenClean: a Save with nothing new does not rewrite the
// file (a rewrite would give it a new inode).
func TestSaveSkipsWhenClean(t *testing.T) {
	c, _ := newTestCache(t)
	path := filepath.Join(t.TempDir(), "a.wav")
	writeSettled(t, path, []byte("abc"))
	mustSum(t, c, path, MD5, false)
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	ino := func() uint64 {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Sys().(*syscall.Stat_t).Ino
	}
	before := ino()
	mustSum(t, c, path, MD5, true)
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	if ino() != before {
		t.Fatal("Save after hits only rewrote the cache file")
	}
	mustSum(t, c, path, SHA1, false)
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	if ino() == before {
		t.Fatal("Save after a new sum did not rewrite the cache file")
	}
}

func TestSaveExpiresOldEntries(t *testing.T) {
	c, _ := newTestCache(t)
	now := settled.Add(time.Hour)
	c.now = func() time.Time { return now }
	dir := t.TempDir()
	old, recent := filepath.Join(dir, "old.wav"), filepath.Join(dir, "recent.wav")
	writeSettled(t, old, []byte("old"))
	writeSettled(t, recent, []byte("recent"))
	mustSum(t, c, old, MD5, false)
	now = now.Add(DefaultMaxAge)
	mustSum(t, c, recent, MD5, false)
	now = now.Add(time.Second) // old is now unused for longer than MaxAge
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	reopened, err := OpenCache(c.path)
	if err != nil {
		t.Fatal(err)
	}
	reopened.now = c.now
	if reopened.Len() != 1 {
		t.Fatalf("after expiry %d entries saved, want 1", reopened.Len())
	}
	mustSum(t, reopened, recent, MD5, true)
	mustSum(t, reopened, old, MD5, false)
}

// TestSaveFailureKeepsChanges: a failed Save leaves the cache dirty so the
// next Save writes it.
func TestSaveFailureKeepsChanges(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "state")
	c, err := OpenCache(filepath.Join(blocker, "hashcache.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	// The cache's folder is a regular file by the time Save runs.
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "a.wav")
	writeSettled(t, path, []byte("abc"))
	mustSum(t, c, path, MD5, false)
	if err := c.Save(); err == nil || !strings.Contains(err.Error(), "save hash cache") {
		t.Fatalf("Save under a regular file: error %v, want a save error", err)
	}
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	reopened, err := OpenCache(c.path)
	if err != nil {
		t.Fatal(err)
	}
	if reopened.Len() != 1 {
		t.Fatalf("after retried Save %d entries on disk, want 1", reopened.Len())
	}
}

func TestSaveEvery(t *testing.T) {
	c, _ := newTestCache(t)
	path := filepath.Join(t.TempDir(), "a.wav")
	writeSettled(t, path, []byte("abc"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- c.SaveEvery(ctx, 5*time.Millisecond, func(err error) { t.Error(err) }) }()

	mustSum(t, c, path, MD5, false)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(c.path); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("SaveEvery did not write the cache within 5 s")
		}
		time.Sleep(time.Millisecond)
	}
	mustSum(t, c, path, SHA1, false)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The final Save on cancel holds the SHA1 added last.
	f, err := os.Open(c.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var found bool
	for sc.Scan() {
		found = found || strings.Contains(sc.Text(), `"sha1":"a9993e364706816aba3e25717850c26c9cd0d89d"`)
	}
	if !found {
		t.Fatal("cache file after SaveEvery returned lacks the last sum")
	}
}
