package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// These tests deliver to Debian's OpenSSH sshd, started on loopback by
// the test, with the test playing the DSP that writes acknowledgements.

// sshdConfig is a configuration delivering to srv as DSP "dsp".
func sshdConfig(t *testing.T, srv *sshdtest.Server, tweak func(*config.DSP)) *config.Config {
	t.Helper()
	text := fmt.Sprintf(`
root = %q
node = "test"
[sender]
dpid = "PADPIDA3897722461G"
[watch]
settle = "200ms"
poll_interval = "100ms"
rescan = "500ms"
[retry]
attempts = 5
initial = "200ms"
max = "1s"
[metrics]
listen = ""
[dsp.dsp]
dpid = "PADPIDA2014122301Q"
ack.poll = "200ms"
ack.timeout = "1m"
[dsp.dsp.sftp]
host = %q
port = %d
user = %q
key_file = %q
known_hosts = %q
`, t.TempDir(), srv.Host, srv.Port, srv.User, srv.ClientKeyFile, srv.KnownHostsFile)
	cfg, err := config.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(cfg.DSP["dsp"])
	}
	return cfg
}

// runEngine starts an engine until the test ends.
func runEngine(t *testing.T, cfg *config.Config) *Engine {
	t.Helper()
	e, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	startEngine(t, e)
	return e
}

// startEngine runs e until the test or benchmark ends.
func startEngine(t testing.TB, e *Engine) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx, 5*time.Second); close(done) }()
	t.Cleanup(func() { cancel(); <-done; e.Close() })
}

// fakeDSP acknowledges every complete delivery that appears under root
// (a folder holding its message XML), with the status verdict returns.
func fakeDSP(t *testing.T, root string, verdict func(d string) ern.AckRelease) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	t.Cleanup(func() { cancel(); wg.Wait() })
	acked := map[string]bool{}
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			msgs, _ := filepath.Glob(filepath.Join(root, "N_*", "*.xml"))
			for _, m := range msgs {
				if acked[m] {
					continue
				}
				acked[m] = true
				doc, _ := os.ReadFile(m)
				msgID := between(string(doc), "<MessageId>", "</MessageId>")
				r := verdict(filepath.Dir(m))
				r.AckedMessageID, r.MessageType = msgID, "NewReleaseMessage"
				var buf bytes.Buffer
				ern.WriteAck(&buf, &ern.Ack{MessageID: "ACK-" + msgID, Created: time.Now(), Releases: []ern.AckRelease{r}})
				os.MkdirAll(filepath.Join(root, "acknowledgements"), 0o755)
				tmp := filepath.Join(root, "acknowledgements", ".tmp")
				os.WriteFile(tmp, buf.Bytes(), 0o644)
				os.Rename(tmp, filepath.Join(root, "acknowledgements", "ACK_"+msgID+"_20261121000000000.xml"))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return ""
}

func accepted(string) ern.AckRelease {
	return ern.AckRelease{Status: ern.StatusIngested, MessageStatus: "FileOK"}
}

// drop writes a release into the inbox atomically (rename) and returns
// the size of its first track.
func drop(t *testing.T, e *Engine, name string, n int, o releasetest.Options) int64 {
	t.Helper()
	staging := t.TempDir()
	rel := releasetest.Write(t, staging, name, n, o)
	fi, err := os.Stat(filepath.Join(rel, "01.wav"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(rel, filepath.Join(e.layout.Dir(Inbox), name)); err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func waitPath(t *testing.T, p string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if _, err := os.Stat(p); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, p)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func readErrors(t *testing.T, item string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(item, ErrorsFileName))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDeliveryAcceptedByDSP(t *testing.T) {
	srv := sshdtest.Start(t)
	fakeDSP(t, srv.Root, accepted)
	e := runEngine(t, sshdConfig(t, srv, nil))
	drop(t, e, "ok", 1, releasetest.Options{})
	done := filepath.Join(e.layout.Dir(Acknowledged), "ok@dsp")
	waitPath(t, done, 30*time.Second)
	var d record.Delivery
	if err := files.ReadJSON(filepath.Join(e.layout.State("ledger", "dsp"), releasetest.UPC(1)+".json"), &d); err != nil {
		t.Fatalf("ledger: %v", err)
	}
	if len(d.Files) != 4 {
		t.Errorf("ledger lists %d files, want 4 (2 tracks, cover, message)", len(d.Files))
	}
	if up := testutil.ToFloat64(e.metrics.dspUpG.WithLabelValues("dsp")); up != 1 {
		t.Errorf("ferry_dsp_up{dsp=\"dsp\"} = %v after a delivery, want 1", up)
	}
	for _, f := range d.Files {
		fi, err := os.Stat(filepath.Join(srv.Root, filepath.FromSlash(f.Remote)))
		if err != nil || fi.Size() != f.Size {
			t.Errorf("%s on the server: %v", f.Remote, err)
		}
	}
}

func TestDSPRejectionGoesToFailedWithItsWords(t *testing.T) {
	srv := sshdtest.Start(t)
	fakeDSP(t, srv.Root, func(string) ern.AckRelease {
		return ern.AckRelease{Status: ern.StatusError, MessageStatus: "ResourceCorrupt",
			ErrorText: "track 2 cannot be decoded", ProposedAction: "ResendXmlAndResources", Information: "resources/x.flac"}
	})
	e := runEngine(t, sshdConfig(t, srv, nil))
	drop(t, e, "rejected", 2, releasetest.Options{})
	item := filepath.Join(e.layout.Dir(Failed), "rejected@dsp")
	waitPath(t, filepath.Join(item, ErrorsFileName), 30*time.Second)
	report := readErrors(t, item)
	for _, want := range []string{"dsp rejected the delivery", "ProcessingErrorAtReleaseDistributor",
		"track 2 cannot be decoded", "ResendXmlAndResources", "ResourceCorrupt", "message and the files again", "The DSP said:"} {
		if !strings.Contains(report, want) {
			t.Errorf("ERRORS.txt lacks %q:\n%s", want, report)
		}
	}
	// One rejection is one problem told in several fields, not a count.
	if strings.Contains(report, "Problems found") {
		t.Errorf("ERRORS.txt counts the rejection's fields as problems:\n%s", report)
	}
	checkPlatformState(t, e, releasetest.UPC(2), record.StateRejected)
}

// checkPlatformState checks the catalogue's state of release at the
// test DSP, and that a rejection or failure is in its message history.
func checkPlatformState(t *testing.T, e *Engine, release, want string) {
	t.Helper()
	all, err := e.rec.Catalogue(release, true)
	if err != nil || len(all) != 1 || len(all[0].Platforms) != 1 {
		t.Fatalf("catalogue of %s: %+v, %v", release, all, err)
	}
	p := all[0].Platforms[0]
	if p.State != want || p.Accepted != "" || len(p.Messages) != 1 || p.Messages[0].Kind != want {
		t.Errorf("%s at dsp: %+v, want %s with it in the history", release, p, want)
	}
}

func TestMissingAcknowledgementTimesOut(t *testing.T) {
	srv := sshdtest.Start(t)
	e := runEngine(t, sshdConfig(t, srv, func(d *config.DSP) {
		d.Ack.Timeout.Duration = time.Second
	}))
	drop(t, e, "silent", 3, releasetest.Options{})
	item := filepath.Join(e.layout.Dir(Failed), "silent@dsp")
	waitPath(t, filepath.Join(item, ErrorsFileName), 30*time.Second)
	if report := readErrors(t, item); !strings.Contains(report, "no acknowledgement from dsp within 1s") {
		t.Errorf("ERRORS.txt does not name the timeout:\n%s", report)
	}
	checkPlatformState(t, e, releasetest.UPC(3), record.StateFailed)
}

func TestWrongHostKeyFailsAtOnceAndUploadsNothing(t *testing.T) {
	srv := sshdtest.Start(t)
	other := sshdtest.Start(t) // its known_hosts pins another key for another port
	cfg := sshdConfig(t, srv, nil)
	pinned, err := os.ReadFile(other.KnownHostsFile)
	if err != nil {
		t.Fatal(err)
	}
	wrong := filepath.Join(t.TempDir(), "known_hosts")
	line := strings.Replace(string(pinned), fmt.Sprintf("[127.0.0.1]:%d", other.Port), fmt.Sprintf("[127.0.0.1]:%d", srv.Port), 1)
	os.WriteFile(wrong, []byte(line), 0o644)
	cfg.DSP["dsp"].SFTP.KnownHosts = wrong
	e := runEngine(t, cfg)
	drop(t, e, "mitm", 4, releasetest.Options{})
	item := filepath.Join(e.layout.Dir(Failed), "mitm@dsp")
	waitPath(t, filepath.Join(item, ErrorsFileName), 30*time.Second)
	report := readErrors(t, item)
	if !strings.Contains(report, "SHA256:") {
		t.Errorf("ERRORS.txt does not show the fingerprint seen:\n%s", report)
	}
	if strings.Contains(report, "Tries:") {
		t.Errorf("a host key mismatch was retried:\n%s", report)
	}
	if left, _ := filepath.Glob(filepath.Join(srv.Root, "*")); len(left) > 0 {
		t.Errorf("files reached the server: %v", left)
	}
	// The status page and ferry_dsp_up say the DSP could not be reached.
	if err := e.Reachability()["dsp"]; err == nil || !strings.Contains(err.Error(), "host key") {
		t.Errorf("reachability of dsp: %v, want the host key error", err)
	}
	if up := testutil.ToFloat64(e.metrics.dspUpG.WithLabelValues("dsp")); up != 0 {
		t.Errorf("ferry_dsp_up{dsp=\"dsp\"} = %v after a host key mismatch, want 0", up)
	}
}

// TestUploadSurvivesSSHDKilledMidway kills sshd while a large file is being
// uploaded, restarts it, and checks the delivery completes with no file
// ever visible under its final name before it is complete.
func TestUploadSurvivesSSHDKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("large upload")
	}
	srv := sshdtest.Start(t)
	fakeDSP(t, srv.Root, accepted)
	cfg := sshdConfig(t, srv, nil)
	e := runEngine(t, cfg)
	size := drop(t, e, "big", 5, releasetest.Options{AudioBytes: 400 << 20})

	// Watch the server: a final name must never hold a partial file.
	var partial []string
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			default:
			}
			files, _ := filepath.Glob(filepath.Join(srv.Root, "N_*", "resources", "*.wav"))
			for _, f := range files {
				if fi, err := os.Stat(f); err == nil && fi.Size() != size && len(partial) < 5 {
					partial = append(partial, fmt.Sprintf("%s (%d of %d bytes)", filepath.Base(f), fi.Size(), size))
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()

	// Kill sshd once the upload is under way (a temporary file grows).
	deadline := time.Now().Add(30 * time.Second)
	for {
		tmps, _ := filepath.Glob(filepath.Join(srv.Root, "N_*", "resources", ".*"))
		if len(tmps) > 0 {
			if fi, err := os.Stat(tmps[0]); err == nil && fi.Size() > 1<<20 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the upload never started")
		}
		time.Sleep(2 * time.Millisecond)
	}
	srv.Kill()
	time.Sleep(300 * time.Millisecond)
	srv.Restart()

	waitPath(t, filepath.Join(e.layout.Dir(Acknowledged), "big@dsp"), 90*time.Second)
	close(stop)
	<-watched
	if len(partial) > 0 {
		t.Errorf("partial files under their final name: %v", partial)
	}
	hist, _ := ReadHistory(filepath.Join(e.layout.Dir(Acknowledged), "big@dsp"))
	retried := false
	for _, h := range hist {
		if h.From == string(Packaged) && h.To == string(Packaged) && h.Error != "" {
			retried = true
		}
	}
	if !retried {
		t.Errorf("history shows no retried upload: %+v", hist)
	}
}
