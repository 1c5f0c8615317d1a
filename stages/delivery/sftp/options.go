package sftp

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Options configure one DSP's SFTP destination. Secrets are never given
// here directly: only the file or environment variable that holds them.
type Options struct {
	// Host and Port of the DSP's server; Port defaults to 22.
	Host string
	Port int
	// User is the login name.
	User string
	// KeyFile is a private key (OpenSSH, PEM or PKCS#8). If it is
	// encrypted, its passphrase is read from KeyPassphraseFile or the
	// environment variable named by KeyPassphraseEnv.
	KeyFile, KeyPassphraseFile, KeyPassphraseEnv string
	// PasswordFile or PasswordEnv give a password, tried after the key.
	PasswordFile, PasswordEnv string
	// KnownHosts is the OpenSSH known_hosts file pinning the server's host
	// key. Required: ferry never connects to an unverified server.
	KnownHosts string
	// Dir is the remote base folder every path is relative to: absolute,
	// or relative to the login folder; empty means the login folder. It
	// must exist: a missing one is a configuration error.
	Dir string
	// PacketSize is the most data one SFTP write request carries, in
	// bytes. Zero picks it: the server's own limit where it announces one
	// (limits@openssh.com, OpenSSH 8.6+: 255 KiB), else 32 KiB less the
	// request's header, so that each request is one SSH packet of at most
	// 32 KiB, which every server accepts.
	PacketSize int
	// Concurrency is the number of write requests in flight per file
	// (default 64).
	Concurrency int
	// MaxSessions caps concurrent uploads to this DSP (default 8). All go
	// over one SSH connection and one SFTP session.
	MaxSessions int
	// Streams is the number of SSH connections one large file is split
	// over (see putSplit). 0 chooses from the measured round trip: one
	// on a LAN, up to 8 across an ocean; 1 never splits.
	Streams int
	// DialTimeout bounds connecting and the SSH handshake (default 30s).
	DialTimeout time.Duration
	// KeepAlive is how often an idle or busy connection is probed; a
	// connection that does not answer within two intervals is closed, so
	// a silently dead network fails calls instead of hanging them
	// (default 15s).
	KeepAlive time.Duration
	// Logger receives connection events; nil discards them.
	Logger *slog.Logger
}

// Defaults for zero Options fields.
const (
	DefaultPort        = 22
	DefaultPacketSize  = 32*1024 - packetOverhead // when the server announces no limit
	DefaultConcurrency = 64
	DefaultMaxSessions = 8
	DefaultDialTimeout = 30 * time.Second
	DefaultKeepAlive   = 15 * time.Second
)

// withDefaults fills zero fields and checks the rest.
func (o Options) withDefaults() (Options, error) {
	if o.Host == "" {
		return o, errors.New("sftp: host is required")
	}
	if o.User == "" {
		return o, errors.New("sftp: user is required")
	}
	if o.KnownHosts == "" {
		return o, errors.New("sftp: known_hosts is required: ferry verifies every server's host key")
	}
	if o.KeyFile == "" && o.PasswordFile == "" && o.PasswordEnv == "" {
		return o, errors.New("sftp: no credentials: set a key file, a password file or a password environment variable")
	}
	if o.PacketSize < 0 {
		return o, fmt.Errorf("sftp: packet size %d is negative", o.PacketSize)
	}
	fields := []struct {
		name string
		v    *int
		def  int
	}{
		{"port", &o.Port, DefaultPort},
		{"concurrency", &o.Concurrency, DefaultConcurrency},
		{"max sessions", &o.MaxSessions, DefaultMaxSessions},
		{"streams", &o.Streams, 0},
	}
	for _, f := range fields {
		if *f.v < 0 {
			return o, fmt.Errorf("sftp: %s %d is negative", f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if o.Port > 65535 {
		return o, fmt.Errorf("sftp: port %d out of range", o.Port)
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = DefaultKeepAlive
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}
