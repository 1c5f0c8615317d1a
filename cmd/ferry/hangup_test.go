package main

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGHUPReloadsAndKeepsRunning sends SIGHUP to a real `ferry run`:
// a changed log.level is applied and said so, a broken file is reported
// and ignored, and the daemon keeps running and stops cleanly after.
func TestSIGHUPReloadsAndKeepsRunning(t *testing.T) {
	root := t.TempDir()
	cfg := testConfig(t, root, "hup", "")
	d := startDaemon(t, cfg)
	text, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name   string
		config string
		says   string
	}{
		{"level changed", strings.Replace(string(text), `level = "debug"`, `level = "warn"`, 1),
			`"msg":"SIGHUP: configuration reloaded; log.level applied, other changes take effect at the next restart"`},
		{"broken file", string(text) + "\n[[[ not toml\n",
			`"msg":"SIGHUP: configuration not reloaded, the running one stays in effect"`},
	}
	for _, s := range steps {
		if err := os.WriteFile(cfg, []byte(s.config), 0o644); err != nil {
			t.Fatal(err)
		}
		d.cmd.Process.Signal(syscall.SIGHUP)
		waitFor(t, 10*time.Second, s.name+": "+s.says, func() bool { return strings.Contains(d.log(), s.says) })
		select {
		case <-d.done:
			t.Fatalf("%s: the daemon died on SIGHUP (exit %d)", s.name, d.cmd.ProcessState.ExitCode())
		case <-time.After(200 * time.Millisecond):
		}
	}
	if !strings.Contains(d.log(), `"log_level":"WARN","previous_log_level":"DEBUG"`) {
		t.Errorf("the reload line does not say which level now applies:\n%s", d.log())
	}
	d.stop()
}

// TestSIGHUPOnTheEmbeddedConfiguration: with no file there is nothing to
// reload; the daemon says so and keeps running.
func TestSIGHUPOnTheEmbeddedConfiguration(t *testing.T) {
	d := &daemon{t: t, done: make(chan struct{})}
	cmd := exec.Command(ferryBin, "run", "-root", t.TempDir(), "-metrics", "off")
	cmd.Env = append(os.Environ(), "FERRY_CONFIG=")
	d.start(cmd, `"msg":"ferry running"`)
	d.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, 10*time.Second, "the SIGHUP log line", func() bool {
		return strings.Contains(d.log(), "SIGHUP: running on the embedded configuration, nothing to reload; still running")
	})
	d.stop()
}
