package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// sameRecordings writes release n's folder carrying release of's ISRCs,
// with head (top-level keys) put before the rest of release.toml.
func sameRecordings(t *testing.T, dir, name string, n, of int, head string) string {
	t.Helper()
	rel := releasetest.Write(t, dir, name, n, releasetest.Options{})
	toml := releasetest.TOML(n, releasetest.Options{})
	for _, prefix := range []string{"GBEXR26", "GBEXR27"} {
		toml = strings.Replace(toml, prefix+pad5(n), prefix+pad5(of), 1)
	}
	if err := os.WriteFile(filepath.Join(rel, "release.toml"), []byte(head+toml), 0o644); err != nil {
		t.Fatal(err)
	}
	return rel
}

func pad5(n int) string { return fmt.Sprintf("%05d", n) }

// confirmAndRetry adds confirm = ["window-overlap"] to a held folder's
// release.toml and moves it back into inbox/.
func confirmAndRetry(t *testing.T, root, item string) {
	t.Helper()
	p := filepath.Join(item, "release.toml")
	toml, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append([]byte("confirm = [\"window-overlap\"]\n"), toml...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(item, filepath.Join(root, "inbox", filepath.Base(item))); err != nil {
		t.Fatal(err)
	}
}

func waitForErrors(t *testing.T, item string, want ...string) string {
	t.Helper()
	waitFor(t, 30*time.Second, filepath.Base(item)+" held in failed/", func() bool {
		_, err := os.Stat(filepath.Join(item, "ERRORS.txt"))
		return err == nil
	})
	report, _ := os.ReadFile(filepath.Join(item, "ERRORS.txt"))
	t.Logf("%s/ERRORS.txt:\n%s", filepath.Base(item), report)
	for _, w := range want {
		if !strings.Contains(string(report), w) {
			t.Errorf("%s/ERRORS.txt does not say %q:\n%s", filepath.Base(item), w, report)
		}
	}
	return string(report)
}

// Window overlap through a real ferry run with the sandbox DSP: deals of
// one release that overlap each other are held at validation; a release
// with the same recordings as one live at the DSP (a compilation, so
// allow_reuse) and a deal window overlapping its deal is held at
// fan-out, naming the other release. Each goes once confirmed, and the
// history says it was sent anyway.
func TestWindowOverlapIsHeldUntilConfirmed(t *testing.T) {
	root := t.TempDir()
	d := startDaemon(t, testConfig(t, root, "node-a", ""))
	staging := t.TempDir()

	// Within one release: two subscription streaming deals for GB.
	own := releasetest.Write(t, staging, "own", 51, releasetest.Options{})
	toml := releasetest.TOML(51, releasetest.Options{}) + `
[[deals]]
territories = ["GB"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]
start_date = "2027-01-01"
end_date = "2027-03-31"
`
	os.WriteFile(filepath.Join(own, "release.toml"), []byte(toml), 0o644)
	dropInto(t, root, own)
	held := filepath.Join(root, "failed", "own")
	waitForErrors(t, held, "deals[1] and deals[2] both offer OnDemandStream under SubscriptionModel in GB from 2027-01-01 to 2027-03-31",
		"rule: window-overlap", `confirm = ["window-overlap"]`)
	confirmAndRetry(t, root, held)
	waitFor(t, 30*time.Second, "the confirmed release delivered", func() bool {
		_, err := os.Stat(filepath.Join(root, "acknowledged", "own@sandbox"))
		return err == nil
	})
	if h, _ := os.ReadFile(filepath.Join(root, "acknowledged", "own@sandbox", ".ferry", "history.jsonl")); !strings.Contains(string(h), "window-overlap, sent anyway (confirmed in the release)") {
		t.Errorf("the history does not say the overlap was confirmed:\n%s", h)
	}

	// Across releases: the same recordings live on another UPC.
	dropInto(t, root, releasetest.Write(t, staging, "original", 52, releasetest.Options{}))
	waitFor(t, 30*time.Second, "the original live", func() bool {
		_, err := os.Stat(filepath.Join(root, "acknowledged", "original@sandbox"))
		return err == nil
	})
	// Without allow_reuse both rules hold it, and ERRORS.txt says both.
	dropInto(t, root, sameRecordings(t, staging, "reissue", 53, 52, ""))
	held = filepath.Join(root, "failed", "reissue@sandbox")
	waitForErrors(t, held, "(duplicate go-live), with deal windows overlapping", "is live at sandbox on release "+releasetest.UPC(52),
		"allow_reuse", `confirm = ["window-overlap"]`)
	// allow_reuse alone: the windows still overlap.
	p := filepath.Join(held, "release.toml")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, append([]byte("allow_reuse = true\n"), b...), 0o644)
	os.Remove(filepath.Join(held, "ERRORS.txt"))
	if err := os.Rename(held, filepath.Join(root, "inbox", "reissue@sandbox")); err != nil {
		t.Fatal(err)
	}
	report := waitForErrors(t, held, "(window overlap, rule window-overlap)", "release "+releasetest.UPC(52)+` ("Test Release 52", the same recordings) is live at sandbox`,
		"offers OnDemandStream under SubscriptionModel in Worldwide from 2026-12-04 on, with no end", "end_date",
		`add confirm = ["window-overlap"] to release.toml`)
	if strings.Contains(report, "duplicate go-live") {
		t.Errorf("with allow_reuse, duplicate go-live still holds the release:\n%s", report)
	}
	confirmAndRetry(t, root, held)
	waitFor(t, 30*time.Second, "the confirmed reissue delivered", func() bool {
		_, err := os.Stat(filepath.Join(root, "acknowledged", "reissue@sandbox"))
		return err == nil
	})
	if h, _ := os.ReadFile(filepath.Join(root, "acknowledged", "reissue@sandbox", ".ferry", "history.jsonl")); !strings.Contains(string(h), "window-overlap, sent anyway (confirmed in the release): release "+releasetest.UPC(52)) {
		t.Errorf("the history does not say the overlap was confirmed:\n%s", h)
	}
	d.stop()
}

// Window overlap against a release still being delivered, with Debian's
// sshd as the DSP: the first release is on the DSP, not yet
// acknowledged, when a second with the same recordings and an
// overlapping window is dropped. It is held, naming the first as being
// delivered; confirmed, it goes.
func TestWindowOverlapWithADeliveryInFlight(t *testing.T) {
	srv := sshdtest.Start(t) // acknowledges only when this test says so
	root := t.TempDir()
	os.MkdirAll(filepath.Join(srv.Root, "acknowledgements"), 0o755)
	d := startDaemon(t, testConfig(t, root, "node-a", sshdDSP("slow", srv, `ack.poll = "200ms"
ack.timeout = "1h"`)))
	staging := t.TempDir()
	messages := func() []string {
		m, _ := filepath.Glob(filepath.Join(srv.Root, "N_*", "*.xml"))
		return m
	}
	dropInto(t, root, releasetest.Write(t, staging, "first", 54, releasetest.Options{}))
	waitFor(t, 30*time.Second, "the first delivery on the DSP", func() bool { return len(messages()) == 1 })

	dropInto(t, root, sameRecordings(t, staging, "second", 55, 54, ""))
	held := filepath.Join(root, "failed", "second@slow")
	waitForErrors(t, held, "release "+releasetest.UPC(54)+` ("Test Release 54", the same recordings) is being delivered at slow`,
		"in Worldwide from 2026-12-04 on, with no end", `confirm = ["window-overlap"]`)
	if n := len(messages()); n != 1 {
		t.Fatalf("the DSP holds %d messages, want 1: the second went", n)
	}
	confirmAndRetry(t, root, held)
	waitFor(t, 30*time.Second, "the confirmed second delivery on the DSP", func() bool { return len(messages()) == 2 })
	for _, m := range messages() {
		b, _ := os.ReadFile(m)
		acknowledge(t, srv.Root, string(b))
	}
	waitFor(t, 30*time.Second, "both acknowledged", func() bool {
		return len(entries(t, filepath.Join(root, "acknowledged"))) == 2
	})
	d.stop()
}
