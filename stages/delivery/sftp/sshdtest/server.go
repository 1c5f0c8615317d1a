// Package sshdtest runs Debian's OpenSSH sshd on 127.0.0.1 for tests: its
// own generated host keys, config, client key and data folder, so tests of
// ferry's SFTP transport and end-to-end pipeline tests talk to the real
// server DSPs run, not a mock. It needs root (sshd's privilege separation)
// and openssh-server; without them Start skips the test, or fails it
// under CI=true, where a skipped integration test would hide a gap.
package sshdtest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// SSHD is the OpenSSH daemon the harness runs. sshd re-executes itself
// and so needs an absolute path.
const SSHD = "/usr/sbin/sshd"

// Server is one running sshd with its files. Tests read the fields to
// configure a client; Kill, Restart and Stop inject faults.
type Server struct {
	// Host is 127.0.0.1 and Port the free port sshd listens on; Addr is
	// both as host:port.
	Host string
	Port int
	Addr string
	// KnownHostsFile pins the host keys chosen with PinKeys (all of them
	// by default) for [127.0.0.1]:Port.
	KnownHostsFile string
	// HostKeys are the server's public host keys, by type.
	HostKeys map[string]ssh.PublicKey
	// ClientKeyFile is an unencrypted ed25519 private key authorised for
	// User.
	ClientKeyFile string
	// User is the account to log in as: the current user, or TestUser
	// with Unprivileged or Password.
	User string
	// PasswordFile holds User's password (Password option only).
	PasswordFile string
	// Root is the SFTP start folder: relative remote paths resolve here.
	// It lives under t.TempDir() and belongs to User.
	Root string
	// LogFile collects sshd's log (-e); it is printed when a test fails.
	LogFile string
	// SFTPLogFile collects the SFTP server's request log (LogSFTP only).
	SFTPLogFile string

	t          testing.TB
	configFile string
	cmd        *exec.Cmd
	exited     chan struct{}
}

type config struct {
	sftpLog      bool
	hostKeys     []string
	pinned       []string
	ciphers      []string
	unprivileged bool
	password     bool
	rootUnder    string
	extra        []string
}

// Option changes how Start sets up the server.
type Option func(*config)

// HostKeys gives the server host keys of these types (ED25519, RSA,
// ECDSA) instead of one ed25519 key.
func HostKeys(types ...string) Option { return func(c *config) { c.hostKeys = types } }

// PinKeys writes only these host key types into KnownHostsFile, to test
// that a client negotiates the pinned algorithm.
func PinKeys(types ...string) Option { return func(c *config) { c.pinned = types } }

// Ciphers restricts the server to these ciphers, e.g. to compare clients
// with the same cipher in benchmarks.
func Ciphers(names ...string) Option { return func(c *config) { c.ciphers = names } }

// LogSFTP makes the SFTP server log every request into SFTPLogFile
// (OpenSSH's sftp-server -l INFO), so tests can count what the DSP's
// side did: each rename into a final name, say. internal-sftp logs only
// to syslog, so the standalone sftp-server is run for it.
func LogSFTP() Option { return func(c *config) { c.sftpLog = true } }

// Unprivileged logs in as TestUser instead of the current user, so file
// permissions apply (root ignores them).
func Unprivileged() Option { return func(c *config) { c.unprivileged = true } }

// Password enables password authentication for TestUser (implies
// Unprivileged) and sets Server.PasswordFile.
func Password() Option {
	return func(c *config) { c.unprivileged, c.password = true, true }
}

// RootUnder places Root in a new folder under dir instead of under
// t.TempDir(): benchmarks use a tmpfs (/dev/shm) so that disk writeback
// does not blur a comparison of transports. It is removed at cleanup.
func RootUnder(dir string) Option { return func(c *config) { c.rootUnder = dir } }

// Config appends lines to sshd_config, e.g. "MaxSessions 1" to test a
// server that limits what a client may open.
func Config(lines ...string) Option { return func(c *config) { c.extra = append(c.extra, lines...) } }

// Start runs sshd for the test and stops it in t.Cleanup.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	c := config{hostKeys: []string{ED25519}}
	for _, o := range opts {
		o(&c)
	}
	if c.pinned == nil {
		c.pinned = c.hostKeys
	}
	if _, err := os.Stat(SSHD); err != nil {
		unavailable(t, "sshd not installed (%s): `make test` installs openssh-server", SSHD)
	}
	if os.Geteuid() != 0 {
		unavailable(t, "sshd tests need root (privilege separation, test user)")
	}
	s := &Server{t: t, Host: "127.0.0.1", HostKeys: map[string]ssh.PublicKey{}}
	if err := s.setup(c); err != nil {
		t.Fatalf("sshdtest: %v", err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			if b, err := os.ReadFile(s.LogFile); err == nil {
				t.Logf("sshd log:\n%s", b)
			}
		}
	})
	if err := s.start(); err != nil {
		t.Fatalf("sshdtest: %v", err)
	}
	return s
}

// unavailable skips the test, or fails it under CI=true.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// setup writes host keys, client key, known_hosts and sshd_config.
func (s *Server) setup(c config) error {
	base := s.t.TempDir()
	// sshd reads authorized_keys as the logged-in user, who must be able to
	// reach it: t.TempDir's parent folder is 0700.
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o711); err != nil {
			return err
		}
	}
	s.Root = filepath.Join(base, "root")
	if c.rootUnder != "" {
		dir, err := os.MkdirTemp(c.rootUnder, "sshdtest-root-")
		if err != nil {
			return err
		}
		s.t.Cleanup(func() { os.RemoveAll(dir) })
		s.Root = filepath.Join(dir, "root")
	}
	s.LogFile = filepath.Join(base, "sshd.log")
	s.configFile = filepath.Join(base, "sshd_config")
	s.KnownHostsFile = filepath.Join(base, "known_hosts")
	s.ClientKeyFile = filepath.Join(base, "client_ed25519")
	if err := os.Mkdir(s.Root, 0o755); err != nil {
		return err
	}
	if err := os.Chmod(filepath.Dir(s.Root), 0o711); err != nil {
		return err
	}
	// Privilege separation needs this folder; it is missing on machines
	// where sshd was installed but never started as a service.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		return fmt.Errorf("create /run/sshd: %w", err)
	}

	if c.unprivileged {
		uid, gid, err := ensureTestUser()
		if err != nil {
			unavailable(s.t, "sshdtest: test user: %v", err)
		}
		s.User = TestUser
		if err := os.Chown(s.Root, uid, gid); err != nil {
			return err
		}
		if c.password {
			s.PasswordFile = passwordFile
		}
	} else {
		u, err := user.Current()
		if err != nil {
			return err
		}
		s.User = u.Username
	}

	port, err := freePort()
	if err != nil {
		return err
	}
	s.Port = port
	s.Addr = net.JoinHostPort(s.Host, strconv.Itoa(port))

	var cfg strings.Builder
	fmt.Fprintf(&cfg, "Port %d\nListenAddress %s\n", port, s.Host)
	var known strings.Builder
	for _, typ := range c.hostKeys {
		key, err := newKey(typ)
		if err != nil {
			return err
		}
		path := filepath.Join(base, "ssh_host_"+typ+"_key")
		pub, err := writeKey(path, key)
		if err != nil {
			return err
		}
		s.HostKeys[typ] = pub
		fmt.Fprintf(&cfg, "HostKey %s\n", path)
	}
	for _, typ := range c.pinned {
		pub, ok := s.HostKeys[typ]
		if !ok {
			return fmt.Errorf("PinKeys(%s): the server has no such host key", typ)
		}
		known.WriteString(knownhosts.Line([]string{s.Addr}, pub) + "\n")
	}
	if err := os.WriteFile(s.KnownHostsFile, []byte(known.String()), 0o644); err != nil {
		return err
	}

	clientKey, err := newKey(ED25519)
	if err != nil {
		return err
	}
	clientPub, err := writeKey(s.ClientKeyFile, clientKey)
	if err != nil {
		return err
	}
	authorized := filepath.Join(base, "authorized_keys")
	if err := os.WriteFile(authorized, ssh.MarshalAuthorizedKey(clientPub), 0o644); err != nil {
		return err
	}

	sftpLines := fmt.Sprintf("Subsystem sftp internal-sftp -d %s\nForceCommand internal-sftp -d %s\n", s.Root, s.Root)
	if c.sftpLog {
		server, err := sftpServer()
		if err != nil {
			unavailable(s.t, "sshdtest: %v", err)
		}
		s.SFTPLogFile = filepath.Join(base, "sftp.log")
		if err := os.WriteFile(s.SFTPLogFile, nil, 0o666); err != nil {
			return err
		}
		os.Chmod(s.SFTPLogFile, 0o666)
		sftpLines = fmt.Sprintf("Subsystem sftp %s\nForceCommand /bin/sh -c 'exec %s -e -l INFO -d %s 2>>%s'\n", server, server, s.Root, s.SFTPLogFile)
	}
	passwordAuth := "no"
	if c.password {
		passwordAuth = "yes"
	}
	fmt.Fprintf(&cfg, `PidFile %s
AuthorizedKeysFile %s
AllowUsers %s
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication %s
PermitEmptyPasswords no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowTcpForwarding no
X11Forwarding no
LogLevel VERBOSE
%s`, filepath.Join(base, "sshd.pid"), authorized, s.User, passwordAuth, sftpLines)
	if len(c.ciphers) > 0 {
		fmt.Fprintf(&cfg, "Ciphers %s\n", strings.Join(c.ciphers, ","))
	}
	for _, l := range c.extra {
		cfg.WriteString(l + "\n")
	}
	return os.WriteFile(s.configFile, []byte(cfg.String()), 0o600)
}

// freePort asks the kernel for a port that is free right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start runs sshd and waits until it answers with an SSH banner.
func (s *Server) start() error {
	logf, err := os.OpenFile(s.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(SSHD, "-D", "-e", "-f", s.configFile)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", SSHD, err)
	}
	s.cmd = cmd
	exited := make(chan struct{})
	s.exited = exited
	go func() { _ = cmd.Wait(); close(exited) }()

	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			log, _ := os.ReadFile(s.LogFile)
			return fmt.Errorf("sshd exited at start: %s\n%s", cmd.ProcessState, log)
		default:
		}
		if banner(s.Addr) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Kill()
	return fmt.Errorf("sshd did not answer on %s within 10s", s.Addr)
}

// banner reports whether an SSH server answers on addr.
func banner(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "SSH-")
}

// Kill sends SIGKILL to sshd and every connection it serves, as a crash
// or a dropped network would, and waits until they are gone.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

// Stop ends sshd and its connections with SIGTERM (SIGKILL after 5s).
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

func (s *Server) signal(sig syscall.Signal) {
	if s.cmd == nil {
		return
	}
	pid := s.cmd.Process.Pid
	below := descendants(pid)
	signalTree(pid, sig)
	signalTree(pid, syscall.SIGCONT) // a paused server cannot act on SIGTERM
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		signalTree(pid, syscall.SIGKILL)
		<-s.exited
	}
	// Connection processes were reparented when the listener died.
	for _, p := range below {
		waitGone(p, sig)
	}
	s.cmd = nil
}

// waitGone waits until process p has exited, escalating to SIGKILL.
func waitGone(p int, sig syscall.Signal) {
	deadline := time.Now().Add(5 * time.Second)
	for alive(p) {
		if time.Now().After(deadline) {
			if sig == syscall.SIGKILL {
				return
			}
			_ = syscall.Kill(p, syscall.SIGKILL)
			sig, deadline = syscall.SIGKILL, time.Now().Add(5*time.Second)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// alive reports whether p exists and is not a zombie.
func alive(p int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || !strings.HasPrefix(strings.TrimSpace(string(b[i+1:])), "Z")
}

// Restart starts sshd again after Kill or Stop, with the same host keys,
// port and files. A running server is stopped first.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.t.Fatalf("sshdtest: restart: %v", err)
	}
}

// CPU returns the CPU time sshd has used since it started, including the
// connections that have ended (their processes are reaped by sshd):
// benchmarks report it to compare clients by the server work they cause.
func (s *Server) CPU() time.Duration {
	if s.cmd == nil {
		return 0
	}
	d, err := cpuTime(s.cmd.Process.Pid)
	if err != nil {
		s.t.Logf("sshdtest: %v", err)
	}
	return d
}

// PID is the listening sshd's process id (0 when stopped).
func (s *Server) PID() int {
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Pause freezes sshd and its connections (SIGSTOP): the server neither
// answers nor closes anything, as behind a dead network link. Resume
// undoes it; Stop and Kill work on a paused server.
func (s *Server) Pause() { s.signalTreeOnly(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (s *Server) Resume() { s.signalTreeOnly(syscall.SIGCONT) }

func (s *Server) signalTreeOnly(sig syscall.Signal) {
	if s.cmd != nil {
		signalTree(s.cmd.Process.Pid, sig)
	}
}

// sftpServer finds OpenSSH's standalone sftp-server.
func sftpServer() (string, error) {
	for _, p := range []string{"/usr/lib/openssh/sftp-server", "/usr/libexec/openssh/sftp-server", "/usr/libexec/sftp-server", "/usr/lib/ssh/sftp-server"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("OpenSSH's sftp-server not found (install openssh-server)")
}
