package sftp

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyError says the server's host key is not the pinned one: unknown
// (no entry for this host and port), changed, or revoked. It carries what
// an operator needs to decide: the key seen and how to pin it.
type HostKeyError struct {
	Addr        string // host:port dialled
	KnownHosts  string // the known_hosts file consulted
	Type        string // key type the server offered, e.g. ssh-ed25519
	Fingerprint string // SHA256:… of the key the server offered
	Pinned      []knownhosts.KnownKey
	Revoked     bool
}

func (e *HostKeyError) Error() string {
	host, port, _ := net.SplitHostPort(e.Addr)
	keyscan := fmt.Sprintf("ssh-keyscan -p %s -t %s %s >> %s", port, e.Type, host, e.KnownHosts)
	switch {
	case e.Revoked:
		return fmt.Sprintf("host key of %s is marked @revoked in %s: the server offered %s %s",
			e.Addr, e.KnownHosts, e.Type, e.Fingerprint)
	case len(e.Pinned) == 0:
		return fmt.Sprintf("host key of %s is unknown: %s has no entry for it; the server offered %s %s. "+
			"Check this fingerprint with the DSP, then pin it: %s",
			e.Addr, e.KnownHosts, e.Type, e.Fingerprint, keyscan)
	default:
		var pinned []string
		for _, k := range e.Pinned {
			pinned = append(pinned, fmt.Sprintf("%s %s (%s:%d)", k.Key.Type(), ssh.FingerprintSHA256(k.Key), k.Filename, k.Line))
		}
		return fmt.Sprintf("host key of %s has CHANGED: the server offered %s %s, %s pins %s. "+
			"The connection may be intercepted, or the DSP replaced its key: confirm the new fingerprint with the DSP, "+
			"then replace the pinned line: ssh-keygen -R '%s' -f %s && %s",
			e.Addr, e.Type, e.Fingerprint, e.KnownHosts, strings.Join(pinned, ", "),
			knownhosts.Normalize(e.Addr), e.KnownHosts, keyscan)
	}
}

// hostKeys reads the known_hosts file now (so a re-pinned key takes
// effect at the next connection) and returns a callback that accepts only
// the pinned keys for addr, plus the host key algorithms those keys use.
// Offering only those algorithms makes a server with several host keys
// present the pinned one, instead of, say, ed25519 when RSA is pinned.
func hostKeys(file, addr string) (ssh.HostKeyCallback, []string, error) {
	check, err := knownhosts.New(file)
	if err != nil {
		return nil, nil, fmt.Errorf("sftp: known_hosts: %w", err)
	}
	verify := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := check(hostname, remote, key)
		if err == nil {
			return nil
		}
		e := &HostKeyError{Addr: addr, KnownHosts: file, Type: key.Type(), Fingerprint: ssh.FingerprintSHA256(key)}
		var keyErr *knownhosts.KeyError
		var revoked *knownhosts.RevokedError
		switch {
		case errors.As(err, &keyErr):
			e.Pinned = keyErr.Want
		case errors.As(err, &revoked):
			e.Revoked = true
		default:
			return fmt.Errorf("check host key of %s: %w", addr, err)
		}
		return e
	}
	return verify, pinnedAlgorithms(check, addr), nil
}

// probeKey matches no real host key: asking known_hosts about it yields
// a KeyError that lists the keys pinned for an address.
var probeKey, _ = ssh.NewPublicKey(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public())

// pinnedAlgorithms lists the host key algorithms matching the keys pinned
// for addr, or nil (the defaults) when none is, so that the handshake
// still happens and the error can show the key offered.
func pinnedAlgorithms(check ssh.HostKeyCallback, addr string) []string {
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	var keyErr *knownhosts.KeyError
	if err := check(addr, &net.TCPAddr{IP: net.ParseIP(host), Port: p}, probeKey); !errors.As(err, &keyErr) {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	for _, k := range keyErr.Want {
		for _, a := range algorithmsFor(k.Key.Type()) {
			if !seen[a] {
				seen[a] = true
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// algorithmsFor maps a key type to the host key signature algorithms
// that use it: an RSA key signs with SHA-2 (or SHA-1 on old servers).
func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}
