package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/pipeline"
)

// ferry runs the built binary with args and returns its exit code and
// output.
func ferry(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(ferryBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run ferry %v: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

// commandNames are the subcommands `ferry help` lists.
func commandNames() []string {
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	return names
}

func TestFlagsAfterArguments(t *testing.T) {
	dir := t.TempDir()
	rel := writeRelease(t, dir, "harbour-lights", 1)
	code, out, errOut := ferry(t, nil, "validate", rel, "-json")
	if code != 0 {
		t.Fatalf("validate DIR -json: exit %d\n%s%s", code, out, errOut)
	}
	var reports []struct {
		Dir   string
		Valid bool
	}
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatalf("validate DIR -json did not print JSON (was -json taken for a folder?): %v\n%s", err, out)
	}
	if len(reports) != 1 || reports[0].Dir != rel || !reports[0].Valid {
		t.Errorf("reports %+v, want one valid report for %s", reports, rel)
	}
	// "--" ends the flags: what follows is a folder even if it looks like one.
	code, out, errOut = ferry(t, nil, "validate", "--", "-json")
	if code != 1 || !strings.Contains(errOut+out, "-json") {
		t.Errorf(`validate -- -json: exit %d, want 1 for a folder named "-json"; stderr %s`, code, errOut)
	}
}

func TestCommandHelp(t *testing.T) {
	for _, name := range commandNames() {
		for _, flagArg := range []string{"-h", "-help", "--help"} {
			t.Run(name+flagArg, func(t *testing.T) {
				code, out, errOut := ferry(t, nil, name, flagArg)
				if code != 0 {
					t.Fatalf("exit %d, want 0; stderr %s", code, errOut)
				}
				if !strings.HasPrefix(out, "Usage: ferry "+name) {
					t.Errorf("help does not start with its usage line:\n%s", out)
				}
				// A description: at least one sentence beyond the usage line.
				lines := strings.Split(strings.TrimSpace(out), "\n")
				if len(lines) < 3 || !strings.Contains(out, ".") {
					t.Errorf("help has no description:\n%s", out)
				}
			})
		}
		t.Run("help "+name, func(t *testing.T) {
			code, out, _ := ferry(t, nil, "help", name)
			_, want, _ := ferry(t, nil, name, "-h")
			if code != 0 || out != want {
				t.Errorf("ferry help %s: exit %d, printed\n%s\nwant the command's own help\n%s", name, code, out, want)
			}
		})
	}
}

func TestVersionFlags(t *testing.T) {
	_, want, _ := ferry(t, nil, "version")
	for _, args := range [][]string{{"--version"}, {"-version"}} {
		code, out, _ := ferry(t, nil, args...)
		if code != 0 || out != want {
			t.Errorf("ferry %v: exit %d, %q; want 0, %q", args, code, out, want)
		}
	}
	// The test binary was built by `go build` in a clone: it must name
	// the commit, not just "dev".
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("no git checkout to compare the revision with: %v", err)
	}
	if m, _ := exec.Command("go", "version", "-m", ferryBin).Output(); !bytes.Contains(m, []byte("vcs.revision=")) {
		// Go stamps a clone, not a `git worktree` (its .git is a file).
		if os.Getenv("CI") == "true" {
			t.Fatalf("go build stamped no VCS information into the test binary:\n%s", m)
		}
		t.Skip("go build stamped no VCS information (a git worktree, or no git); run in a clone to check the revision")
	}
	if rev := strings.TrimSpace(string(head)); !strings.Contains(want, rev[:12]) {
		t.Errorf("ferry version = %q, want it to name commit %s", want, rev[:12])
	}
}

// exitCodeTable reads the exit codes the README documents per command:
// every Markdown table with an "exit status" column, in README.md and
// the documents beside it. The first cell names the command (`ferry
// NAME …`); the exit-status cell lists "0 …, 1 …, 2 …".
func exitCodeTable(t *testing.T) map[string][]int {
	t.Helper()
	docs, _ := filepath.Glob("../../*.md")
	more, _ := filepath.Glob("../../docs/*.md")
	docs = append(docs, more...)
	table := map[string][]int{}
	command := regexp.MustCompile("^`ferry ([a-z-]+)")
	code := regexp.MustCompile(`^([0-9]+)\b`)
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		col := -1
		for _, line := range strings.Split(string(b), "\n") {
			if !strings.HasPrefix(line, "|") {
				col = -1
				continue
			}
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			if col < 0 {
				for i, c := range cells {
					if strings.EqualFold(c, "exit status") {
						col = i
					}
				}
				continue
			}
			m := command.FindStringSubmatch(cells[0])
			if m == nil || col >= len(cells) {
				continue
			}
			for _, part := range regexp.MustCompile(`[,;]`).Split(cells[col], -1) {
				if c := code.FindStringSubmatch(strings.TrimSpace(part)); c != nil {
					n, _ := strconv.Atoi(c[1])
					table[m[1]] = append(table[m[1]], n)
				}
			}
		}
	}
	if len(table) == 0 {
		t.Fatal("found no exit-status table in README.md")
	}
	return table
}

// exitFixture is what the exit-code cases run against.
type exitFixture struct {
	root, cfg, valid, invalid string
}

func newExitFixture(t *testing.T) *exitFixture {
	t.Helper()
	f := &exitFixture{root: filepath.Join(t.TempDir(), "root")}
	for _, s := range pipeline.Stages {
		if err := os.MkdirAll(filepath.Join(f.root, string(s)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	f.cfg = testConfig(t, f.root, "cli", "")
	dir := t.TempDir()
	f.valid = writeRelease(t, dir, "harbour-lights", 1)
	f.invalid = filepath.Join(dir, "empty")
	os.Mkdir(f.invalid, 0o755)
	// A failed delivery instance: retry knows its DSP from its name.
	os.MkdirAll(filepath.Join(f.root, "failed", "harbour-lights@sandbox"), 0o755)
	return f
}

// TestExitCodesAsDocumented runs each command into each exit status the
// README's table documents for it, and fails when the table lists a
// status no case reaches or a case exits with one the table does not
// list: the table and the code cannot drift apart.
func TestExitCodesAsDocumented(t *testing.T) {
	f := newExitFixture(t)
	type result struct {
		code           int
		stdout, stderr string
	}
	run := func(args ...string) func(*testing.T) result {
		return func(t *testing.T) result {
			code, out, errOut := ferry(t, nil, args...)
			return result{code, out, errOut}
		}
	}
	cases := []struct {
		command, name string
		want          int
		do            func(*testing.T) result
		says          string // on stdout or stderr
	}{
		{"run", "clean stop", 0, func(t *testing.T) result {
			d := startDaemon(t, f.cfg)
			d.stop() // fails the test unless the exit status is 0
			return result{code: d.cmd.ProcessState.ExitCode()}
		}, ""},
		{"run", "metrics address in use", 1, func(t *testing.T) result {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			return run("run", "-config", f.cfg, "-metrics", ln.Addr().String())(t)
		}, "-metrics 127.0.0.1:PORT"},
		{"run", "missing configuration file", 2, run("run", "-config", "/nonexistent/ferry.toml"), "nonexistent"},
		{"validate", "valid", 0, run("validate", f.valid), "OK"},
		{"validate", "invalid", 1, run("validate", f.invalid), "error"},
		{"validate", "unknown flag", 2, run("validate", "-nosuch", f.valid), "-nosuch"},
		{"ern", "valid", 0, run("ern", f.valid), "NewReleaseMessage"},
		{"ern", "invalid folder", 1, run("ern", f.invalid), "not valid"},
		{"ern", "unknown version", 2, run("ern", "-version", "9.9", f.valid), "9.9"},
		{"ern", "unknown DSP", 2, run("ern", "-dsp", "nosuch", f.valid), "no DSP nosuch configured"},
		{"plan", "valid", 0, run("plan", f.valid), "first delivery"},
		{"plan", "invalid folder", 1, run("plan", f.invalid), "not valid"},
		{"plan", "no folder", 2, run("plan"), "release folder"},
		{"releases", "the catalogue", 0, run("releases", "-config", f.cfg), "UPC"},
		{"releases", "nothing matches", 1, run("releases", "-config", f.cfg, "4006381333931"), "nothing delivered matches"},
		{"releases", "unknown flag", 2, run("releases", "-nosuch"), "-nosuch"},
		{"status", "a root", 0, run("status", "-config", f.cfg), "harbour-lights"},
		{"status", "missing root", 1, run("status", "-root", filepath.Join(f.root, "nosuch")), "not a ferry root"},
		{"status", "argument", 2, run("status", "extra"), "unexpected argument"},
		{"retry", "release name of an instance", 1, run("retry", "-config", f.cfg, "harbour-lights"), "did you mean harbour-lights@sandbox"},
		{"retry", "unknown DSP", 2, run("retry", "-config", f.cfg, "-all-failed", "-dsp", "nosuch"), "no DSP nosuch configured"},
		{"retry", "instance name", 0, run("retry", "-config", f.cfg, "harbour-lights@sandbox"), "moved back to inbox/"},
		{"check-config", "valid", 0, run("check-config", f.cfg), "OK"},
		{"check-config", "missing file", 1, run("check-config", "/nonexistent/ferry.toml"), "nonexistent"},
		{"check-config", "no file named", 2, run("check-config"), "usage"},
		{"config", "a file", 0, run("config", "-config", f.cfg), "every default filled in"},
		{"config", "missing file", 2, run("config", "-config", "/nonexistent/ferry.toml"), "nonexistent"},
		{"config", "argument", 2, run("config", "extra"), "unexpected argument"},
		{"health", "ready", 0, func(t *testing.T) result {
			d := startDaemon(t, f.cfg)
			defer d.stop()
			addr := strings.TrimSuffix(strings.TrimPrefix(d.metricsURL(), "http://"), "/metrics")
			return run("health", "-addr", addr, "-live")(t)
		}, "ok"},
		{"health", "nothing answering", 1, func(t *testing.T) result {
			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			addr := ln.Addr().String()
			ln.Close()
			return run("health", "-addr", addr)(t)
		}, "not answering"},
		{"health", "unknown flag", 2, run("health", "-nosuch"), "-nosuch"},
		{"ids", "show", 0, run("ids", "show", "-config", f.cfg), "no identifier block is configured"},
		{"ids", "import of a file without codes", 1, run("ids", "import", "-config", f.cfg, f.cfg), "nothing imported"},
		{"ids", "unknown command", 2, run("ids", "list"), `unknown command "list"`},
		{"version", "", 0, run("version"), "ferry "},
		{"help", "a command", 0, run("help", "status"), "Usage: ferry status"},
		{"help", "unknown command", 2, run("help", "nosuch"), "unknown command"},
	}
	documented := exitCodeTable(t)
	reached := map[string]map[int]bool{}
	for _, c := range cases {
		t.Run(c.command+" "+c.name, func(t *testing.T) {
			if !contains(documented[c.command], c.want) {
				t.Fatalf("README documents exits %v for ferry %s, not %d (%s)", documented[c.command], c.command, c.want, c.name)
			}
			r := c.do(t)
			if r.code != c.want {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, c.want, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout+r.stderr, c.says) {
				t.Errorf("output does not say %q\nstdout: %s\nstderr: %s", c.says, r.stdout, r.stderr)
			}
			if reached[c.command] == nil {
				reached[c.command] = map[int]bool{}
			}
			reached[c.command][c.want] = true
		})
	}
	for command, codes := range documented {
		for _, code := range codes {
			if !reached[command][code] {
				t.Errorf("README documents exit %d for ferry %s, but no case here reaches it", code, command)
			}
		}
	}
	for _, name := range commandNames() {
		if _, ok := documented[name]; !ok {
			t.Errorf("ferry %s has no row in the README's exit-status table", name)
		}
	}
}

func contains(codes []int, c int) bool {
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}
