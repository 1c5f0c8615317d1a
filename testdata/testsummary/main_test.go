package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A stream as `go test -json` writes it: one package with a pass, a
// skip with its reason, a skipped subtest, and a failure.
const stream = `{"Action":"start","Package":"example.com/p"}
{"Action":"run","Package":"example.com/p","Test":"TestOK"}
{"Action":"output","Package":"example.com/p","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"pass","Package":"example.com/p","Test":"TestOK"}
{"Action":"run","Package":"example.com/p","Test":"TestXSD"}
{"Action":"output","Package":"example.com/p","Test":"TestXSD","Output":"=== RUN   TestXSD\n"}
{"Action":"output","Package":"example.com/p","Test":"TestXSD","Output":"    xsd_test.go:12: DDEX files not found at ../shared/ddex\n"}
{"Action":"output","Package":"example.com/p","Test":"TestXSD","Output":"--- SKIP: TestXSD (0.00s)\n"}
{"Action":"skip","Package":"example.com/p","Test":"TestXSD"}
{"Action":"output","Package":"example.com/p","Test":"TestTable/sftp","Output":"    t.go:3: no sshd\n"}
{"Action":"skip","Package":"example.com/p","Test":"TestTable/sftp"}
{"Action":"output","Package":"example.com/p","Test":"TestBad","Output":"    bad_test.go:9: got 1, want 2\n"}
{"Action":"fail","Package":"example.com/p","Test":"TestBad"}
{"Action":"output","Package":"example.com/p","Output":"FAIL\texample.com/p\t0.01s\n"}
{"Action":"fail","Package":"example.com/p"}
`

func TestReportAndSummary(t *testing.T) {
	var out bytes.Buffer
	skips := report(strings.NewReader(stream), &out)
	summarize(&out, skips)
	got := out.String()
	for _, want := range []string{
		"bad_test.go:9: got 1, want 2",           // a failure's output is shown
		"FAIL\texample.com/p",                    // package lines pass through
		"2 TEST(S) SKIPPED",                      // loud count
		"SKIP example.com/p TestXSD",             // each skip named
		"DDEX files not found at ../shared/ddex", // with its reason
		"SKIP example.com/p TestTable/sftp",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "=== RUN   TestOK") {
		t.Errorf("a passing test's output is shown:\n%s", got)
	}
}

// TestKeepsTheExitStatus runs the program around a command that fails:
// its exit status must come through.
func TestKeepsTheExitStatus(t *testing.T) {
	if os.Getenv("TESTSUMMARY_CHILD") == "1" {
		os.Args = []string{"testsummary", "sh", "-c", "printf '%s\\n' '{\"Action\":\"skip\",\"Package\":\"p\",\"Test\":\"TestX\"}'; exit 3"}
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKeepsTheExitStatus$")
	cmd.Env = append(os.Environ(), "TESTSUMMARY_CHILD=1")
	out, err := cmd.CombinedOutput()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 3 {
		t.Fatalf("exit %v, want 3\n%s", err, out)
	}
	if !strings.Contains(string(out), "1 TEST(S) SKIPPED") {
		t.Errorf("no summary:\n%s", out)
	}
}
