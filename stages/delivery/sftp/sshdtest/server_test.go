package sshdtest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// dial logs in to s with its client key, verifying the pinned host key.
func dial(t *testing.T, s *Server) (*ssh.Client, *sftp.Client) {
	t.Helper()
	keyPEM, err := os.ReadFile(s.ClientKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	hostKeys, err := knownhosts.New(s.KnownHostsFile)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ssh.Dial("tcp", s.Addr, &ssh.ClientConfig{
		User:            s.User,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: hostKeys,
		Timeout:         5 * time.Second,
	})
	if err != nil {
		t.Fatalf("dial %s: %v", s.Addr, err)
	}
	c, err := sftp.NewClient(conn)
	if err != nil {
		conn.Close()
		t.Fatalf("sftp session: %v", err)
	}
	t.Cleanup(func() { c.Close(); conn.Close() })
	return conn, c
}

func TestRelativePathsResolveUnderRoot(t *testing.T) {
	s := Start(t)
	_, c := dial(t, s)
	f, err := c.Create("hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b, err := os.ReadFile(filepath.Join(s.Root, "hello.txt"))
	if err != nil || string(b) != "hi" {
		t.Fatalf("file under Root = %q, %v; want \"hi\"", b, err)
	}
}

func TestKillDropsConnectionsAndRestartKeepsHostKeyAndPort(t *testing.T) {
	s := Start(t)
	conn, _ := dial(t, s)
	s.Kill()
	done := make(chan error, 1)
	go func() { done <- conn.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("connection still open 5s after Kill")
	}
	s.Restart()
	dial(t, s) // fails on a changed host key or port
}

func TestUnprivilegedUserOwnsRoot(t *testing.T) {
	s := Start(t, Unprivileged())
	if s.User != TestUser {
		t.Fatalf("User = %q, want %q", s.User, TestUser)
	}
	_, c := dial(t, s)
	if err := c.Mkdir("made-by-test-user"); err != nil {
		t.Fatalf("mkdir as %s in Root: %v", TestUser, err)
	}
}
