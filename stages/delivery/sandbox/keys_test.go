package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
)

// TestStartAfterInterruptedFirstStart: a first start killed while writing
// its keys left an empty host key and a client key cut short. The next
// start makes new keys, says so, removes the temporary file, and serves;
// the keys it writes leave no temporary file behind.
func TestStartAfterInterruptedFirstStart(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "host_key"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "client_key"), []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA"), 0o600); err != nil {
		t.Fatal(err)
	}
	// And the temporary file of the interrupted write.
	stale := filepath.Join(dir, ".host_key.tmp-12345")
	if err := os.WriteFile(stale, []byte("-----BEGIN"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(stale, old, old)
	b := startBox(t, dir) // fails today: "ssh: no key found"
	audio := []byte("audio")
	b.deliver(t, "N_after_crash", audio, messageXML(t, ern.V43, "MSG-after-crash", ern.NewRelease, testRelease(audio)))
	if got, _ := b.waitAck(t, "MSG-after-crash"); got.Status != ern.StatusIngested {
		t.Errorf("status %s (%s)", got.Status, got.ErrorText)
	}
	for _, key := range []string{"host_key", "client_key"} {
		if !strings.Contains(b.logs.String(), filepath.Join(dir, key)) {
			t.Errorf("no log line names the remade %s:\n%s", key, b.logs.String())
		}
	}
	hostKey, _ := os.ReadFile(filepath.Join(dir, "host_key"))
	b.stop()

	// The keys made are kept: a second start reuses them.
	b2 := startBox(t, dir)
	if again, _ := os.ReadFile(filepath.Join(dir, "host_key")); string(again) != string(hostKey) || len(hostKey) == 0 {
		t.Error("the host key changed on a normal restart")
	}
	if strings.Contains(b2.logs.String(), "unreadable") {
		t.Errorf("a normal restart remade a key:\n%s", b2.logs.String())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}
