package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// The same release dropped again (its title corrected) while its first
// delivery to a DSP waits for the DSP's acknowledgement, with two daemons
// on the root: the second drop waits, and only once the DSP accepted the
// first does it go, as an update. Never two deliveries of one release to
// one DSP at once.
func TestSecondDropOfAReleaseInFlightWaits(t *testing.T) {
	srv := sshdtest.Start(t) // a DSP that acknowledges only when this test says so
	root := t.TempDir()
	dsp := sshdDSP("slow", srv, `ack.poll = "200ms"
ack.timeout = "1h"`)
	os.MkdirAll(filepath.Join(srv.Root, "acknowledgements"), 0o755)
	a := startDaemon(t, testConfig(t, root, "node-a", dsp))
	b := startDaemon(t, testConfig(t, root, "node-b", dsp))
	staging := t.TempDir()
	messages := func() []string {
		m, _ := filepath.Glob(filepath.Join(srv.Root, "N_*", "*.xml"))
		return m
	}
	dropInto(t, root, releasetest.Write(t, staging, "first", 3, releasetest.Options{}))
	waitFor(t, 30*time.Second, "the first delivery on the DSP", func() bool { return len(messages()) == 1 })
	// The catalogue shows it being delivered.
	out, err := exec.Command(ferryBin, "releases", "-root", root, releasetest.UPC(3)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "slow: delivering") || !strings.Contains(string(out), "live on 0 of 1, 1 delivering") {
		t.Errorf("ferry releases while the first delivery waits (%v):\n%s", err, out)
	}

	second := releasetest.Write(t, staging, "second", 3, releasetest.Options{})
	toml, _ := os.ReadFile(filepath.Join(second, "release.toml"))
	os.WriteFile(filepath.Join(second, "release.toml"), bytes.Replace(toml, []byte(`title = "Test Release 3"`), []byte(`title = "Test Release 3 (corrected)"`), 1), 0o644)
	dropInto(t, root, second)
	time.Sleep(5 * time.Second) // validated, then waiting
	if n := len(messages()); n != 1 {
		t.Fatalf("the DSP holds %d messages while the first delivery waits for its acknowledgement, want 1", n)
	}
	if !strings.Contains(a.log()+b.log(), "waiting: an earlier drop of this release is still being delivered to slow") {
		t.Error("no daemon said why the second drop waits")
	}

	// The DSP accepts the first: the second goes, as an update.
	first, _ := os.ReadFile(messages()[0])
	acknowledge(t, srv.Root, string(first))
	waitFor(t, 40*time.Second, "the second delivery on the DSP", func() bool { return len(messages()) == 2 })
	var update []byte
	for _, m := range messages() {
		if b, _ := os.ReadFile(m); !bytes.Equal(b, first) {
			update = b
		}
	}
	got, _, err := ern.Read(bytes.NewReader(update))
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != ern.Update {
		t.Errorf("the second drop went as %v, want an update", got.Kind)
	}
	acknowledge(t, srv.Root, string(update))
	waitFor(t, 30*time.Second, "both acknowledged", func() bool {
		return len(entries(t, filepath.Join(root, "acknowledged"))) == 2
	})
	a.stop()
	b.stop()
}

// acknowledge writes the DSP's acceptance of message (its XML) into the
// acknowledgement folder.
func acknowledge(t *testing.T, dspRoot, message string) {
	t.Helper()
	if err := writeAcceptance(dspRoot, between(message, "<MessageId>", "</MessageId>")); err != nil {
		t.Fatal(err)
	}
}
