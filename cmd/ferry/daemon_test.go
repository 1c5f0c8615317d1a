package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// ferryBin is the ferry binary built once for the tests that run it as a
// real process.
var ferryBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ferry-bin-")
	if err != nil {
		panic(err)
	}
	ferryBin = filepath.Join(dir, "ferry")
	// -buildvcs=auto is go build's default, spelled out because a
	// GOFLAGS=-buildvcs=false in the environment would hide the commit
	// that TestVersionFlags looks for.
	out, err := exec.Command("go", "build", "-buildvcs=auto", "-o", ferryBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build ferry: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testConfig writes a configuration for a test root: fast settle and
// polls, the sandbox DSP unless dsps says otherwise.
func testConfig(t testing.TB, root, node, dsps string) string {
	t.Helper()
	if dsps == "" {
		dsps = `
[dsp.sandbox]
transport = "sandbox"
dpid = "PADPIDA2014122301Q"
ack.poll = "200ms"
ack.timeout = "1m"
`
	}
	text := fmt.Sprintf(`
root = %q
node = %q
[sender]
dpid = "PADPIDA3897722461G"
name = "Example Records"
[watch]
settle = "300ms"
poll_interval = "100ms"
rescan = "1s"
[retry]
attempts = 4
initial = "100ms"
max = "1s"
[metrics]
listen = "127.0.0.1:0"
[log]
format = "json"
level = "debug"
%s`, root, node, dsps)
	p := filepath.Join(t.TempDir(), "ferry.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// daemon is a ferry process under test.
type daemon struct {
	t    testing.TB
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs bytes.Buffer
	done chan struct{}
}

func startDaemon(t testing.TB, cfg string) *daemon {
	t.Helper()
	d := &daemon{t: t, done: make(chan struct{})}
	d.start(exec.Command(ferryBin, "run", "-config", cfg), `"msg":"ferry running"`)
	return d
}

// start runs cmd as the daemon under test and waits until its log says
// ready (the stage folders exist once the daemon says it runs).
func (d *daemon) start(cmd *exec.Cmd, ready string) {
	t := d.t
	t.Helper()
	d.cmd = cmd
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			d.mu.Lock()
			d.logs.Write(sc.Bytes())
			d.logs.WriteByte('\n')
			d.mu.Unlock()
		}
		io.Copy(io.Discard, stderr)
		d.cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		d.kill()
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.log())
		}
	})
	waitFor(t, 20*time.Second, "the daemon to start", func() bool {
		return strings.Contains(d.log(), ready)
	})
}

func (d *daemon) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.logs.String()
}

func (d *daemon) kill() {
	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.done
}

// stop sends SIGTERM and waits for a clean exit.
func (d *daemon) stop() {
	d.t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(40 * time.Second):
		d.cmd.Process.Signal(syscall.SIGQUIT) // the Go runtime prints every goroutine
		<-d.done
		d.t.Fatal("daemon did not stop within 40s of SIGTERM")
	}
	if code := d.cmd.ProcessState.ExitCode(); code != 0 {
		d.t.Fatalf("daemon exited with %d after SIGTERM", code)
	}
}

// metricsURL finds the metrics address the daemon logged.
func (d *daemon) metricsURL() string {
	d.t.Helper()
	var url string
	waitFor(d.t, 10*time.Second, "metrics address in the log", func() bool {
		for _, line := range strings.Split(d.log(), "\n") {
			var l struct{ Msg, URL string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "serving metrics" {
				url = l.URL
				return true
			}
		}
		return false
	})
	return url
}

func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func writeRelease(t *testing.T, dir, name string, n int) string {
	return releasetest.Write(t, dir, name, n, releasetest.Options{})
}

// entries lists the non-hidden names in a folder.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names
}

// claimedLeft lists items still inside any stage's claim folders.
func claimedLeft(t *testing.T, root string) []string {
	t.Helper()
	var left []string
	matches, _ := filepath.Glob(filepath.Join(root, "*", ".claimed", "*", "*"))
	for _, m := range matches {
		left = append(left, strings.TrimPrefix(m, root+"/"))
	}
	return left
}
