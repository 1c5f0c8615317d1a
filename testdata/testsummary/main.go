// Command testsummary runs `go test -json …` (its arguments), prints what
// plain `go test` would (package results, and the output of failing
// tests), then ends with a loud list of every skipped test and why it
// skipped, so missing tools or DDEX files cannot go unnoticed. It exits
// with go test's own exit status. `make test` runs the tests through it.
//
//	go run ./testdata/testsummary go test -json -count=1 ./...
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// skip is one skipped test and the message it gave.
type skip struct {
	Package, Test, Reason string
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: testsummary go test -json [flags] [packages]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stderr = os.Stdin, os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	skips := report(out, os.Stdout)
	code := 0
	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			fmt.Fprintln(os.Stderr, "testsummary:", err)
			os.Exit(2)
		}
		code = exit.ExitCode()
	}
	summarize(os.Stdout, skips)
	os.Exit(code)
}

// report reads the JSON stream, writes what a person needs as it comes,
// and returns the skipped tests. Lines that are not JSON (a build error
// printed before the tests run) are passed on as they are.
func report(r io.Reader, w io.Writer) []skip {
	type key struct{ pkg, test string }
	buffered := map[key][]string{}
	var skips []skip
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(w, sc.Text())
			continue
		}
		k := key{e.Package, e.Test}
		switch {
		case e.Action == "build-output":
			io.WriteString(w, e.Output) // compile errors (Go 1.24 and later)
		case e.Test == "" && e.Action == "output":
			if e.Output == "PASS\n" {
				continue // the test binary's own line; go test shows "ok" instead
			}
			io.WriteString(w, e.Output) // ok/FAIL lines, panics, build errors
		case e.Action == "output":
			buffered[k] = append(buffered[k], e.Output)
		case e.Action == "fail" && e.Test != "":
			io.WriteString(w, strings.Join(buffered[k], ""))
			delete(buffered, k)
		case e.Action == "skip" && e.Test != "":
			skips = append(skips, skip{Package: e.Package, Test: e.Test, Reason: reason(buffered[k])})
			delete(buffered, k)
		case e.Action == "pass" || e.Action == "skip":
			delete(buffered, k)
		}
	}
	return skips
}

// reason keeps the lines a test logged, without the RUN/SKIP markers.
func reason(lines []string) string {
	var kept []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		kept = append(kept, t)
	}
	if len(kept) == 0 {
		return "(no message)"
	}
	return strings.Join(kept, " / ")
}

// summarize prints the skipped tests, loudly, sorted by package and test.
func summarize(w io.Writer, skips []skip) {
	if len(skips) == 0 {
		fmt.Fprintln(w, "\ntestsummary: no test was skipped.")
		return
	}
	sort.Slice(skips, func(i, j int) bool {
		if skips[i].Package != skips[j].Package {
			return skips[i].Package < skips[j].Package
		}
		return skips[i].Test < skips[j].Test
	})
	bar := strings.Repeat("!", 72)
	fmt.Fprintf(w, "\n%s\n!!! %d TEST(S) SKIPPED: what they check was NOT tested\n%s\n", bar, len(skips), bar)
	for _, s := range skips {
		fmt.Fprintf(w, "SKIP %s %s\n     %s\n", strings.TrimPrefix(s.Package, "github.com/ferrydelivery/ferry/"), s.Test, s.Reason)
	}
	fmt.Fprintf(w, "%s\nInstall what they name (make test-deps does, as root) or point DDEX_DIR at the DDEX schemas;\nunder CI=true these tests fail instead of skipping.\n%s\n", bar, bar)
}
