package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// A hash cache that cannot be saved at stop is said so in the log, not
// discarded silently (K11).
func TestFailedSaveAtStopIsLogged(t *testing.T) {
	root := t.TempDir()
	d := startDaemon(t, testConfig(t, root, "node-a", ""))
	// Once the cache is open, its file's name is taken by a folder: every
	// save fails.
	cache := filepath.Join(root, ".ferry", "hashcache.json")
	os.Remove(cache)
	if err := os.MkdirAll(filepath.Join(cache, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	rel := releasetest.Write(t, t.TempDir(), "hashed", 1, releasetest.Options{})
	// Files written seconds ago are not cached (they may still change):
	// make them old, so the cache has something to save.
	old := time.Now().Add(-time.Hour)
	filepath.Walk(rel, func(p string, _ os.FileInfo, _ error) error { return os.Chtimes(p, old, old) })
	dropInto(t, root, rel)
	waitFor(t, 30*time.Second, "the delivery", func() bool {
		return len(entries(t, filepath.Join(root, "acknowledged"))) == 1
	})
	d.stop()
	if !strings.Contains(d.log(), "save the hash cache") && !strings.Contains(d.log(), "save state at stop") {
		t.Errorf("the failed save at stop was not logged:\n%s", d.log())
	}
}
