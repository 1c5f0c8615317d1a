package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// A malformed acknowledgement is the DSP's fault: the delivery fails
// naming the file, and the DSP, which answered, stays reachable (K8).
func TestMalformedAckKeepsTheDSPReachable(t *testing.T) {
	srv := sshdtest.Start(t)
	e := runEngine(t, sshdConfig(t, srv, nil))
	drop(t, e, "garbled", 1, releasetest.Options{})
	// Once the message is there, the DSP answers with garbage.
	waitFor(t, 20*time.Second, func() bool {
		m, _ := filepath.Glob(filepath.Join(srv.Root, "N_*", "*.xml"))
		return len(m) == 1
	})
	os.MkdirAll(filepath.Join(srv.Root, "acknowledgements"), 0o755)
	msgs, _ := filepath.Glob(filepath.Join(srv.Root, "N_*", "*.xml"))
	b, _ := os.ReadFile(msgs[0])
	id := between(string(b), "<MessageId>", "</MessageId>")
	os.WriteFile(filepath.Join(srv.Root, "acknowledgements", "ACK_"+id+"_1.xml"), []byte("<not-an-ack"), 0o644)
	item := filepath.Join(e.layout.Dir(Failed), "garbled@dsp")
	waitPath(t, filepath.Join(item, ErrorsFileName), 20*time.Second)
	if r := readErrors(t, item); !strings.Contains(r, "ACK_"+id) {
		t.Errorf("ERRORS.txt does not name the acknowledgement:\n%s", r)
	}
	if err := e.Ready(); err != nil {
		t.Errorf("after a malformed acknowledgement the daemon is not ready: %v", err)
	}
}

// A DSP's acknowledgement folder that does not exist is a warning and a
// readiness problem at once, not a timeout days later (K9).
func TestMissingAckFolderIsReportedAtOnce(t *testing.T) {
	srv := sshdtest.Start(t)
	e := runEngine(t, sshdConfig(t, srv, func(d *config.DSP) { d.Ack.Dir = "no-such-folder" }))
	waitFor(t, 10*time.Second, func() bool {
		err := e.Ready()
		return err != nil && strings.Contains(err.Error(), "no-such-folder")
	})
}

func waitFor(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
