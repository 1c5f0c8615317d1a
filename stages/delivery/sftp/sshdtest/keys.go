package sshdtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"fmt"
	"os"
	"sync"

	"golang.org/x/crypto/ssh"
)

// Host key types a Server can be started with.
const (
	ED25519 = "ed25519"
	RSA     = "rsa"
	ECDSA   = "ecdsa"
)

// rsaOnce caches one RSA key per test process: generating 3072 bits takes
// long enough to matter when many tests start servers.
var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
	rsaErr  error
)

// newKey generates a private key of the given type.
func newKey(typ string) (crypto.Signer, error) {
	switch typ {
	case ED25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	case ECDSA:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RSA:
		rsaOnce.Do(func() { rsaKey, rsaErr = rsa.GenerateKey(rand.Reader, 3072) })
		return rsaKey, rsaErr
	}
	return nil, fmt.Errorf("unknown key type %q (want %s, %s or %s)", typ, ED25519, RSA, ECDSA)
}

// writeKey writes key in OpenSSH private key format with mode 0600 (sshd
// and ssh refuse private keys other users can read) and returns its public
// half.
func writeKey(path string, key crypto.Signer) (ssh.PublicKey, error) {
	block, err := ssh.MarshalPrivateKey(key, "ferry-sshdtest")
	if err != nil {
		return nil, fmt.Errorf("marshal key for %s: %w", path, err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, fmt.Errorf("write key: %w", err)
	}
	pub, err := ssh.NewPublicKey(key.Public())
	if err != nil {
		return nil, fmt.Errorf("public key for %s: %w", path, err)
	}
	return pub, nil
}
