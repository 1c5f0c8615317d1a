// Package erntest finds DDEX's reference files (schemas, samples) for
// tests and validates messages against the official XSDs with xmllint.
package erntest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// Dir returns the DDEX reference folder: $DDEX_DIR, or ../shared/ddex
// seen from the repository root. When it is missing the test is skipped
// with a message, except under CI=true, where it fails.
func Dir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("DDEX_DIR")
	if dir == "" {
		dir = filepath.Join(repoRoot(), "..", "shared", "ddex")
	}
	if _, err := os.Stat(filepath.Join(dir, "xsd")); err != nil {
		missing(t, "DDEX reference files not found at "+dir+" (set DDEX_DIR)")
	}
	return dir
}

// Path returns a file inside the DDEX folder, e.g. Path(t, "xsd/ern/43/release-notification.xsd").
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Dir(t), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		missing(t, "DDEX file missing: "+p)
	}
	return p
}

// Schema returns the release-notification XSD of an ERN version folder
// ("382", "41", "411", "42", "43", "431", "432").
func Schema(t testing.TB, versionDir string) string {
	return Path(t, "xsd/ern/"+versionDir+"/release-notification.xsd")
}

// ChoreographySchema returns the ERN choreography (SFTP) 1.8 XSD.
func ChoreographySchema(t testing.TB) string {
	return Path(t, "xsd/ern-c-sftp/18/ern-choreography-sftp.xsd")
}

// Validate runs xmllint --schema on doc and fails the test with xmllint's
// report when the document is not valid.
func Validate(t testing.TB, xsd string, doc []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		missing(t, "xmllint not installed (Debian package libxml2-utils; make test installs it)")
	}
	f := filepath.Join(t.TempDir(), "message.xml")
	if err := os.WriteFile(f, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", xsd, f).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint against %s: %v\n%s", filepath.Base(filepath.Dir(xsd)), err, strings.TrimSpace(string(out)))
	}
}

func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// repoRoot is the module root, found from this file's location.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// ValidateAll validates several documents against one XSD with a single
// xmllint run (the schema is loaded once, which matters for the large
// DDEX schemas), and fails the test naming every document that is not
// valid with xmllint's report. docs maps a name (used as the file name)
// to the document.
func ValidateAll(t testing.TB, xsd string, docs map[string][]byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		missing(t, "xmllint not installed (Debian package libxml2-utils; make test installs it)")
	}
	if len(docs) == 0 {
		return
	}
	dir := t.TempDir()
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	sort.Strings(names)
	args := []string{"--noout", "--nonet", "--schema", xsd}
	for _, name := range names {
		f := filepath.Join(dir, strings.NewReplacer("/", "_", string(filepath.Separator), "_").Replace(name)+".xml")
		if err := os.WriteFile(f, docs[name], 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, f)
	}
	out, err := exec.Command(xmllint, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint against %s: %v\n%s", filepath.Base(filepath.Dir(xsd)), err, strings.TrimSpace(string(out)))
	}
}
