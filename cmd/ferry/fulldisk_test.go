package main

import (
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/pipeline"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// mountTmpfs mounts a small tmpfs for a root that can be filled. It needs
// root (mount(2)); elsewhere the test is skipped, saying so.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs to fill needs root; skipped (run as root to cover the full-disk case)")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); skipped", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes a file until the filesystem is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatal(err)
		}
	}
}

// A full disk stops the line; it does not corrupt it (K4): while nothing
// can be written, the release waits where it is and /readyz says why;
// once space is back it goes on, and reaches acknowledged/ with its whole
// history and its ledger entry.
func TestFullDiskStopsTheLine(t *testing.T) {
	mnt := mountTmpfs(t, "48m")
	root := filepath.Join(mnt, "root")
	d := startDaemon(t, testConfig(t, root, "node-a", ""))
	readyz := strings.Replace(d.metricsURL(), "/metrics", "/readyz", 1)

	// The release is written on the same filesystem before it fills, then
	// dropped with one rename (a rename needs no space).
	rel := releasetest.Write(t, mnt, "full", 1, releasetest.Options{})
	filler := filepath.Join(mnt, "filler")
	fill(t, filler)
	if err := os.Rename(rel, filepath.Join(root, "inbox", "full")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "/readyz to report the full disk", func() bool {
		code, body := get(t, readyz)
		return code == http.StatusServiceUnavailable && (strings.Contains(body, "not writable") || strings.Contains(body, "record write failed"))
	})
	time.Sleep(2 * time.Second)
	for _, s := range []string{"failed", "acknowledged"} {
		if left := entries(t, filepath.Join(root, s)); len(left) > 0 {
			t.Fatalf("with the disk full, %s/ holds %v: the item moved on without its records", s, left)
		}
	}

	os.Remove(filler)
	done := filepath.Join(root, "acknowledged", "full@sandbox")
	waitFor(t, 60*time.Second, "the release to go on once space is back", func() bool {
		_, err := os.Stat(done)
		return err == nil
	})
	hist, err := pipeline.ReadHistory(done)
	if err != nil {
		t.Fatal(err)
	}
	var path []string
	for _, h := range hist {
		if h.From != h.To {
			path = append(path, h.From+">"+h.To)
		}
	}
	want := []string{"inbox>validated", "validated>packaged", "packaged>uploaded", "uploaded>acknowledged"}
	if !slices.Equal(path, want) {
		t.Errorf("history %v, want %v", path, want)
	}
	if _, err := os.Stat(filepath.Join(root, ".ferry", "ledger", "sandbox", releasetest.UPC(1)+".json")); err != nil {
		t.Errorf("acknowledged without a ledger entry: %v", err)
	}
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.Contains(filepath.Base(p), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
	waitFor(t, 10*time.Second, "/readyz ready again", func() bool {
		code, _ := get(t, readyz)
		return code == http.StatusOK
	})
	d.stop()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The DSP's disk full: OpenSSH's sftp-server answers a bare "Failure";
// ferry retries, then fails the delivery naming the likely cause on the
// DSP's side, not the network or ferry's own disk.
func TestDSPDiskFullIsNamed(t *testing.T) {
	mnt := mountTmpfs(t, "8m")
	srv := sshdtest.Start(t, sshdtest.RootUnder(mnt))
	fill(t, filepath.Join(mnt, "filler"))
	root := t.TempDir()
	d := startDaemon(t, testConfig(t, root, "node-a", sshdDSP("dsp", srv, `ack.mode = "none"`)))
	dropInto(t, root, releasetest.Write(t, t.TempDir(), "nospace", 61, releasetest.Options{}))
	report := filepath.Join(root, "failed", "nospace@dsp", "ERRORS.txt")
	waitFor(t, 60*time.Second, "the delivery failed", func() bool {
		_, err := os.Stat(report)
		return err == nil
	})
	if b, _ := os.ReadFile(report); !strings.Contains(string(b), "the DSP's disk full") {
		t.Errorf("ERRORS.txt does not name the DSP's full disk:\n%s", b)
	}
	d.stop()
}
