package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	ruleBlock  = regexp.MustCompile(`(?m)^\s*-\s*alert:\s*(\w+)`)
	runbookURL = regexp.MustCompile(`runbook_url:\s*"https://github\.com/ferrydelivery/ferry/blob/main/([^"#]+)#([^"]+)"`)
	heading    = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*$`)
)

// githubAnchor is the fragment GitHub gives a Markdown heading.
func githubAnchor(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	var b strings.Builder
	for _, r := range h {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestEveryAlertHasARunbook asks of each alert a runbook_url that points
// at a heading that exists in the repository's documents, so a moved or
// renamed section breaks this test rather than the on-call's link.
func TestEveryAlertHasARunbook(t *testing.T) {
	text := readFile(t, rulesFile)
	starts := ruleBlock.FindAllStringSubmatchIndex(text, -1)
	if len(starts) == 0 {
		t.Fatalf("no alert in %s", rulesFile)
	}
	for i, s := range starts {
		end := len(text)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		name := text[s[2]:s[3]]
		m := runbookURL.FindStringSubmatch(text[s[0]:end])
		if m == nil {
			t.Errorf("alert %s has no runbook_url into the repository's documents", name)
			continue
		}
		doc, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(m[1])))
		if err != nil {
			t.Errorf("alert %s: runbook %s: %v", name, m[1], err)
			continue
		}
		found := false
		for _, h := range heading.FindAllStringSubmatch(string(doc), -1) {
			if githubAnchor(strings.ReplaceAll(h[1], "`", "")) == m[2] {
				found = true
			}
		}
		if !found {
			t.Errorf("alert %s: runbook %s has no heading for #%s", name, m[1], m[2])
		}
	}
}
