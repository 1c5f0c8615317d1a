package sandbox

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/ferrydelivery/ferry/stages/files"
)

// loadOrCreateKey reads an OpenSSH ed25519 private key, creating it when
// the file does not exist. The key is written atomically (temporary file,
// fsync, rename), so a crash during the first start leaves either no key
// or a whole one. A key file that cannot be parsed (empty or cut short by
// a crash of an older version that wrote it in place) is the sandbox's
// own throwaway key: it is made again, with a warning, instead of
// stopping every later start.
func loadOrCreateKey(path string, log *slog.Logger) (ssh.Signer, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return createKey(path)
	case err != nil:
		return nil, err
	}
	signer, perr := ssh.ParsePrivateKey(data)
	if perr == nil {
		return signer, nil
	}
	log.Warn("sandbox: key file is unreadable (left by an interrupted first start?); making a new one",
		"file", path, "bytes", len(data), "err", perr)
	return createKey(path)
}

// createKey makes a new ed25519 key and stores it at path.
func createKey(path string) (ssh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "ferry sandbox")
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(block)
	if err := files.WriteFileAtomic(path, data, 0o600); err != nil {
		return nil, err
	}
	signer, err := ssh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("parse new key %s: %w", path, err)
	}
	return signer, nil
}

// removeStaleTemps removes the temporary files of writes interrupted by a
// crash (keys, known_hosts, acknowledgements, release states) from the
// sandbox's folder. Only files older than a minute go: another sandbox
// sharing the folder may be writing one now.
func removeStaleTemps(dir string, log *slog.Logger) {
	var stale []string
	for _, pattern := range []string{".*.tmp-*", ".ack-*.tmp", filepath.Join(releasesDir, ".*.tmp-*")} {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		stale = append(stale, m...)
	}
	for _, p := range stale {
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > time.Minute {
			if err := os.Remove(p); err != nil {
				log.Warn("sandbox: remove a temporary file left by a crash", "file", p, "err", err)
			}
		}
	}
}
