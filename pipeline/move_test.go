package pipeline

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

func TestRenameNoReplaceKeepsAnEmptyTarget(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Mkdir(src, 0o755)
	os.Mkdir(dst, 0o755) // rename(2) would silently replace this
	if err := renameNoReplace(src, dst); !errors.Is(err, os.ErrExist) {
		t.Fatalf("err = %v, want ErrExist", err)
	}
	if _, err := os.Stat(src); err != nil {
		t.Errorf("source gone: %v", err)
	}
}

func TestMoveIntoPicksAFreeName(t *testing.T) {
	dir := t.TempDir()
	to := filepath.Join(dir, "to")
	os.MkdirAll(filepath.Join(to, "rel"), 0o755)
	os.MkdirAll(filepath.Join(to, "rel~2"), 0o755)
	for i, want := range []string{"rel~3", "rel~4"} {
		src := filepath.Join(dir, "from", string(rune('a'+i)), "rel")
		os.MkdirAll(src, 0o755)
		os.WriteFile(filepath.Join(src, "f"), []byte("x"), 0o644)
		got, err := moveInto(src, to)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(got) != want {
			t.Errorf("moved to %s, want %s", filepath.Base(got), want)
		}
		if _, err := os.Stat(filepath.Join(got, "f")); err != nil {
			t.Errorf("content lost: %v", err)
		}
	}
}

func TestStaleClaimsAreReleased(t *testing.T) {
	l := Layout{Root: t.TempDir()}
	if err := l.Create(); err != nil {
		t.Fatal(err)
	}
	// A dead node's claim, a half-built fan-out, and a live node's claim.
	os.MkdirAll(filepath.Join(l.ClaimDir(Packaged, "dead"), "rel@dsp"), 0o755)
	os.MkdirAll(filepath.Join(l.ClaimDir(Validated, "dead"), "rel"+fanoutSuffix, "rel@dsp"), 0o755)
	live, err := lockNode(l, "live")
	if err != nil {
		t.Fatal(err)
	}
	defer live.release()
	os.MkdirAll(filepath.Join(l.ClaimDir(Uploaded, "live"), "other@dsp"), 0o755)
	// The dead node once ran: its lock file exists but nobody holds it.
	dead, err := lockNode(l, "dead")
	if err != nil {
		t.Fatal(err)
	}
	dead.release()

	n, err := releaseStaleClaims(l, "me", true, func(n string) bool { return nodeLocked(l, n) })
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("released %d claims, want 1", n)
	}
	if _, err := os.Stat(filepath.Join(l.Dir(Packaged), "rel@dsp")); err != nil {
		t.Errorf("dead node's item not back in packaged/: %v", err)
	}
	if _, err := os.Stat(filepath.Join(l.ClaimDir(Validated, "dead"), "rel"+fanoutSuffix)); err == nil {
		t.Error("half-built fan-out left behind")
	}
	if _, err := os.Stat(filepath.Join(l.ClaimDir(Uploaded, "live"), "other@dsp")); err != nil {
		t.Errorf("a running node's claim was taken: %v", err)
	}
}

func TestOwnClaimsAreKeptWhileRunning(t *testing.T) {
	l := Layout{Root: t.TempDir()}
	l.Create()
	me, err := lockNode(l, "me")
	if err != nil {
		t.Fatal(err)
	}
	defer me.release()
	os.MkdirAll(filepath.Join(l.ClaimDir(Packaged, "me"), "rel@dsp"), 0o755)
	if n, _ := releaseStaleClaims(l, "me", false, func(n string) bool { return nodeLocked(l, n) }); n != 0 {
		t.Errorf("released %d of this daemon's own claims while it runs", n)
	}
	if n, _ := releaseStaleClaims(l, "me", true, func(n string) bool { return nodeLocked(l, n) }); n != 1 {
		t.Errorf("released %d claims at startup, want the 1 left by the previous run", n)
	}
}

func TestSecondDaemonWithSameNodeNameIsRefused(t *testing.T) {
	l := Layout{Root: t.TempDir()}
	l.Create()
	a, err := lockNode(l, "n")
	if err != nil {
		t.Fatal(err)
	}
	defer a.release()
	if _, err := lockNode(l, "n"); err == nil {
		t.Fatal("a second daemon with the same node name was allowed")
	}
}

func TestAPanickingStepDoesNotStopTheDaemon(t *testing.T) {
	e := &Engine{log: slog.New(slog.DiscardHandler), metrics: NewMetrics(nil)}
	ran := false
	e.safely(Packaged, "rel@dsp", func() { panic("bug") })
	e.safely(Packaged, "next@dsp", func() { ran = true })
	if !ran {
		t.Error("work after a panic did not run")
	}
}
