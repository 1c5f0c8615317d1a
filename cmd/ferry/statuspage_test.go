package main

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/pipeline"
)

// chromium finds Debian's chromium (installed by `make test`), or skips;
// under CI=true a missing browser fails the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (make test-deps installs it)")
	}
	t.Skip("chromium is not installed: apt-get install chromium (make test-deps does)")
	return ""
}

// headless loads url in headless Chromium and returns the DOM after load
// and every console message the page produced (script errors, Content
// Security Policy violations such as a blocked external asset).
func headless(t *testing.T, url string) (dom string, console []string) {
	t.Helper()
	bin := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// The flags a headless Chromium needs on a machine with no display,
	// no GPU, no D-Bus and a closed network; a fresh profile each time.
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0", "--dump-dom", url)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errOut.String())
	}
	for _, line := range strings.Split(errOut.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			console = append(console, line)
		}
	}
	return out.String(), console
}

// TestStatusPageInHeadlessChromium runs a real daemon with a failed
// release and loads its status page in Chromium: it loads without a
// console message and shows the failed item's ERRORS.txt.
func TestStatusPageInHeadlessChromium(t *testing.T) {
	chromium(t)
	root := t.TempDir()
	d := startDaemon(t, testConfig(t, root, "page", ""))
	defer d.stop()
	staging := t.TempDir()
	rel := writeRelease(t, staging, "broken <release>", 1)
	toml := filepath.Join(rel, "release.toml")
	b, err := os.ReadFile(toml)
	if err != nil {
		t.Fatal(err)
	}
	b = regexp.MustCompile(`upc = "[0-9]+"`).ReplaceAll(b, []byte(`upc = "5901234123450"`))
	if err := os.WriteFile(toml, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(rel, filepath.Join(root, "inbox", filepath.Base(rel))); err != nil {
		t.Fatal(err)
	}
	errorsFile := filepath.Join(root, "failed", filepath.Base(rel), pipeline.ErrorsFileName)
	waitFor(t, 30*time.Second, "the release in failed/", func() bool {
		_, err := os.Stat(errorsFile)
		return err == nil
	})
	report, err := os.ReadFile(errorsFile)
	if err != nil {
		t.Fatal(err)
	}
	url := strings.TrimSuffix(d.metricsURL(), "metrics")

	dom, console := headless(t, url)
	if len(console) > 0 {
		t.Errorf("console messages on the status page:\n%s", strings.Join(console, "\n"))
	}
	text := html.UnescapeString(dom)
	for _, want := range []string{"ferry status", "Failed (1)", "broken <release>", string(report), "sandbox"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not show %q:\n%s", want, dom)
		}
	}
	if !strings.Contains(string(report), "UPC") {
		t.Errorf("the failure is not the one made here:\n%s", report)
	}

	// Read-only: only GET and HEAD.
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(method, url, strings.NewReader("x"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s /: %s, want 405", method, resp.Status)
		}
	}
	if _, err := os.Stat(errorsFile); err != nil {
		t.Errorf("the failed item moved: %v", err)
	}
}

// TestStatusPageShowsUploadsAndReachability renders the page's template
// with an upload in progress and an unreachable DSP.
func TestStatusPageShowsUploadsAndReachability(t *testing.T) {
	v := statusView{Root: "/srv/ferry", Version: "v1", Generated: time.Now(), Refresh: 5,
		Stages: []stageCount{{pipeline.Packaged, 1}},
		Uploads: []pipeline.ItemStatus{{Release: "harbour-lights", DSP: "spotify", Stage: pipeline.Packaged,
			Upload: &pipeline.Progress{Done: 185134080, Total: 4 * 185134080, Rate: 10 << 20}}},
		DSPs: []dspReach{{Name: "deezer", Up: true}, {Name: "spotify", Error: "connect to sftp.example:22: connection refused"}}}
	var b bytes.Buffer
	if err := statusTemplate.Execute(&b, v); err != nil {
		t.Fatal(err)
	}
	page := html.UnescapeString(b.String())
	for _, want := range []string{"176.6 MiB of 706.2 MiB (25%), 10.0 MiB/s, 53s left", "connection refused",
		`<td class="down">no</td>`, `<td class="up">yes</td>`, `<meta http-equiv="refresh" content="5">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Errorf("the page has a script or an external reference:\n%s", page)
	}
}

// TestErrorsTextNeverFollowsSymlinks: a user's ERRORS.txt replaced by a
// symlink is not read through.
func TestErrorsTextNeverFollowsSymlinks(t *testing.T) {
	item := t.TempDir()
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("s3cret"), 0o600)
	if err := os.Symlink(secret, filepath.Join(item, pipeline.ErrorsFileName)); err != nil {
		t.Fatal(err)
	}
	if got := readErrorsText(item); strings.Contains(got, "s3cret") {
		t.Errorf("read through a symlink: %q", got)
	}
}
