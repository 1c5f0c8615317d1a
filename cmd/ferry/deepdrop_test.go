package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// A drop whose folders nest past what the system can name (PATH_MAX,
// 4,096 bytes) goes to failed/ through a real ferry run, whole, with an
// ERRORS.txt naming the problem, and the daemon goes on.
func TestDropDeeperThanPathMax(t *testing.T) {
	root := t.TempDir()
	d := startDaemon(t, testConfig(t, root, "node-a", ""))
	staging := t.TempDir()
	rel := releasetest.Write(t, staging, "deep", 71, releasetest.Options{})
	// 1,000 folders of 9 bytes each: 10,000 bytes of path, made one
	// level at a time relative to the last (no path that long exists).
	fd, err := unix.Open(rel, unix.O_DIRECTORY|unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		if err := unix.Mkdirat(fd, "deepdeep", 0o755); err != nil {
			t.Fatal(err)
		}
		next, err := unix.Openat(fd, "deepdeep", unix.O_DIRECTORY|unix.O_RDONLY, 0)
		unix.Close(fd)
		if err != nil {
			t.Fatal(err)
		}
		fd = next
	}
	unix.Close(fd)
	dropInto(t, root, rel)

	report := filepath.Join(root, "failed", "deep", "ERRORS.txt")
	waitFor(t, 60*time.Second, "the deep drop explained in failed/", func() bool {
		_, err := os.Stat(report)
		return err == nil
	})
	b, _ := os.ReadFile(report)
	for _, want := range []string{"folder-depth", "nested more than 32 deep", "move them up"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("ERRORS.txt does not say %q:\n%s", want, b)
		}
	}
	for _, f := range []string{"01.wav", "02.flac", "cover.jpg", "release.toml", "deepdeep"} {
		if _, err := os.Lstat(filepath.Join(root, "failed", "deep", f)); err != nil {
			t.Errorf("the failed drop lost %s: %v", f, err)
		}
	}
	// The daemon goes on: a release dropped next is delivered.
	dropInto(t, root, releasetest.Write(t, staging, "next", 72, releasetest.Options{}))
	waitFor(t, 30*time.Second, "the next release delivered", func() bool {
		_, err := os.Stat(filepath.Join(root, "acknowledged", "next@sandbox"))
		return err == nil
	})
	d.stop()
}
