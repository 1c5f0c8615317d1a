package deploy

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

const (
	rulesFile     = "prometheus/ferry-rules.yml"
	rulesTestFile = "prometheus/ferry-rules.test.yml"
)

// promtool runs promtool in deploy/prometheus, where the rule files refer
// to each other by relative names.
func promtool(t *testing.T, args ...string) {
	t.Helper()
	bin := requireTool(t, "promtool", "prometheus")
	cmd := exec.Command(bin, args...)
	cmd.Dir = "prometheus"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("promtool %s:\n%s", strings.Join(args, " "), out)
}

func TestPromtoolCheckRules(t *testing.T) {
	promtool(t, "check", "rules", "ferry-rules.yml")
}

func TestPromtoolTestRules(t *testing.T) {
	promtool(t, "test", "rules", "ferry-rules.test.yml")
}

func TestPromtoolCheckComposeConfig(t *testing.T) {
	promtool(t, "check", "config", "prometheus.yml")
}

func TestRulesQueryOnlyExportedMetrics(t *testing.T) {
	exported := exportedNames(t)
	for _, f := range []string{rulesFile, rulesTestFile} {
		if bad := unknownMetrics(readFile(t, f), exported); len(bad) > 0 {
			t.Errorf("%s uses metrics ferry does not export: %v", f, bad)
		}
	}
}

var (
	alertRule = regexp.MustCompile(`(?m)^\s*-\s*alert:\s*(\w+)`)
	// One alert_rule_test entry: its alert and whether alerts are expected.
	alertCase = regexp.MustCompile(`(?m)^\s*alertname:\s*(\w+)\s*\n\s*exp_alerts:(.*)$`)
)

// TestEveryAlertIsTestedBothWays asks of each alert at least one unit
// test where it fires and one where it must not.
func TestEveryAlertIsTestedBothWays(t *testing.T) {
	rules := alertRule.FindAllStringSubmatch(readFile(t, rulesFile), -1)
	if len(rules) == 0 {
		t.Fatalf("no alert found in %s", rulesFile)
	}
	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, c := range alertCase.FindAllStringSubmatch(readFile(t, rulesTestFile), -1) {
		if strings.TrimSpace(c[2]) == "[]" {
			quiet[c[1]] = true
		} else {
			fires[c[1]] = true
		}
	}
	for _, r := range rules {
		name := r[1]
		if !fires[name] {
			t.Errorf("alert %s has no test in %s where it fires", name, rulesTestFile)
		}
		if !quiet[name] {
			t.Errorf("alert %s has no test in %s where it stays quiet (exp_alerts: [])", name, rulesTestFile)
		}
	}
}
