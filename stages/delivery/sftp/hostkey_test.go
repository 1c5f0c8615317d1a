package sftp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
)

func TestHostKeyUnknownOrChangedFailsPermanently(t *testing.T) {
	s := sshdtest.Start(t)
	other := sshdtest.Start(t) // its host key stands for a changed key
	seen := ssh.FingerprintSHA256(s.HostKeys[sshdtest.ED25519])
	tests := []struct {
		name      string
		known     string
		wantParts []string
	}{
		{"empty known_hosts", "", []string{"unknown", seen, fmt.Sprintf("ssh-keyscan -p %d -t ssh-ed25519 127.0.0.1 >>", s.Port)}},
		{"entry for another port only", knownhosts.Line([]string{other.Addr}, other.HostKeys[sshdtest.ED25519]) + "\n",
			[]string{"unknown", seen}},
		{"changed key", knownhosts.Line([]string{s.Addr}, other.HostKeys[sshdtest.ED25519]) + "\n",
			[]string{"CHANGED", seen, ssh.FingerprintSHA256(other.HostKeys[sshdtest.ED25519]), "ssh-keygen -R"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := options(t, s)
			o.KnownHosts = t.TempDir() + "/known_hosts"
			os.WriteFile(o.KnownHosts, []byte(tt.known), 0o644)
			err := newClient(t, o).Put(context.Background(), "a.txt", strings.NewReader("a"), 1)
			var hk *HostKeyError
			if !delivery.IsPermanent(err) || !errors.As(err, &hk) {
				t.Fatalf("Put = %v, want a permanent HostKeyError", err)
			}
			for _, part := range tt.wantParts {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
			if files := serverFiles(t, s.Root); len(files) != 0 {
				t.Errorf("uploaded despite the host key: %v", files)
			}
		})
	}
}

// TestPinnedAlgorithmIsNegotiated: the server has several host keys and
// known_hosts pins one of them; the client must ask for that one, where
// its default preference would pick ed25519 and fail as "changed".
func TestPinnedAlgorithmIsNegotiated(t *testing.T) {
	for _, pinned := range []string{sshdtest.RSA, sshdtest.ECDSA, sshdtest.ED25519} {
		t.Run(pinned, func(t *testing.T) {
			s := sshdtest.Start(t,
				sshdtest.HostKeys(sshdtest.ED25519, sshdtest.ECDSA, sshdtest.RSA),
				sshdtest.PinKeys(pinned))
			c := newClient(t, options(t, s))
			if err := c.Put(context.Background(), "a.txt", strings.NewReader("a"), 1); err != nil {
				t.Fatalf("with only %s pinned: %v", pinned, err)
			}
		})
	}
}
