package sftp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pkg/sftp"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
)

// randomStream is size reproducible pseudo-random bytes (same seed, same
// bytes), so a retried upload sends the same content without a file.
func randomStream(seed uint64, size int64) io.Reader {
	var s [32]byte
	s[0] = byte(seed)
	return io.LimitReader(rand.NewChaCha8(s), size)
}

// gate blocks a reader once, after at bytes, until released.
type gate struct {
	r       io.Reader
	at, n   int64
	reached chan struct{}
	release chan struct{}
}

func (g *gate) Read(b []byte) (int, error) {
	if g.n >= g.at && g.reached != nil {
		close(g.reached)
		g.reached = nil
		<-g.release
	}
	if rest := g.at - g.n; rest > 0 && int64(len(b)) > rest {
		b = b[:rest]
	}
	n, err := g.r.Read(b)
	g.n += int64(n)
	return n, err
}

// watchFinalName polls path until stop, reporting any moment it exists
// with a size other than want.
func watchFinalName(path string, want int64, stop <-chan struct{}) <-chan string {
	out := make(chan string, 1)
	go func() {
		defer close(out)
		for {
			if fi, err := os.Stat(path); err == nil && fi.Size() != want {
				out <- fmt.Sprintf("%s seen with %d of %d bytes", path, fi.Size(), want)
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return out
}

func TestSSHDKilledDuringLargeUpload(t *testing.T) {
	const size = 200 << 20
	s := sshdtest.Start(t)
	c := newClient(t, options(t, s))
	ctx := context.Background()
	final := filepath.Join(s.Root, "A1", "resources", "big.wav")
	temp := filepath.Join(s.Root, "A1", "resources", ".big.wav"+TempSuffix)

	stop := make(chan struct{})
	violations := watchFinalName(final, size, stop)

	g := &gate{r: randomStream(1, size), at: 50 << 20, reached: make(chan struct{}), release: make(chan struct{})}
	reached := g.reached
	failed := make(chan error, 1)
	go func() { failed <- c.Put(ctx, "A1/resources/big.wav", g, size) }()
	select {
	case <-reached:
	case err := <-failed:
		t.Fatalf("Put ended before the kill: %v", err)
	}
	// Some bytes have reached the server when it dies.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if fi, err := os.Stat(temp); err == nil && fi.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no bytes reached the temp file")
		}
		time.Sleep(time.Millisecond)
	}
	s.Kill()
	close(g.release)
	err := <-failed
	if err == nil || delivery.IsPermanent(err) {
		t.Fatalf("Put across the kill = %v, want a transient error", err)
	}
	t.Logf("Put across the kill: %v", err)
	if _, err := os.Stat(final); err == nil {
		t.Fatal("final name exists after the failed upload")
	}

	s.Restart()
	if err := c.Put(ctx, "A1/resources/big.wav", randomStream(1, size), size); err != nil {
		t.Fatalf("retried Put: %v", err)
	}
	close(stop)
	if v, ok := <-violations; ok {
		t.Fatal(v)
	}
	want := sha256.New()
	io.Copy(want, randomStream(1, size))
	got := sha256.New()
	f, err := os.Open(final)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(got, f)
	f.Close()
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("uploaded content differs from the source")
	}
	if files := serverFiles(t, s.Root); len(files) != 1 {
		t.Errorf("server holds %v, want only the final file (leftover temp overwritten and renamed)", files)
	}
}

func TestReconnectAfterRestart(t *testing.T) {
	s := sshdtest.Start(t)
	c := newClient(t, options(t, s))
	ctx := context.Background()
	if err := c.Put(ctx, "a.txt", strings.NewReader("a"), 1); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	// While the server is down, calls fail transiently.
	if _, err := c.Stat(ctx, "a.txt"); err == nil || delivery.IsPermanent(err) {
		t.Fatalf("Stat with the server down = %v, want a transient error", err)
	}
	s.Restart()
	if err := c.Put(ctx, "b.txt", strings.NewReader("b"), 1); err != nil {
		t.Fatalf("first Put after restart: %v", err)
	}
	if size, err := c.Stat(ctx, "a.txt"); err != nil || size != 1 {
		t.Fatalf("Stat after restart = %d, %v", size, err)
	}
}

func TestPermissionDenied(t *testing.T) {
	s := sshdtest.Start(t, sshdtest.Unprivileged())
	locked := filepath.Join(s.Root, "locked")
	// Owned by root, mode 0755: the SFTP user may enter but not write.
	if err := os.Mkdir(locked, 0o755); err != nil {
		t.Fatal(err)
	}
	o := options(t, s)
	o.Dir = "locked"
	c := newClient(t, o)
	for _, p := range []string{"a.txt", "A1/a.txt"} {
		err := c.Put(context.Background(), p, strings.NewReader("a"), 1)
		if !delivery.IsPermanent(err) || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("Put(%s) = %v, want a permanent permission denied error", p, err)
		} else {
			t.Logf("Put(%s): %v", p, err)
		}
	}
	if files := serverFiles(t, locked); len(files) != 0 {
		t.Errorf("files written: %v", files)
	}
}

// TestMaxSessionsCapsConcurrentUploads starts more uploads than
// MaxSessions with sources that block, and counts how many are reading
// at once.
func TestMaxSessionsCapsConcurrentUploads(t *testing.T) {
	s := sshdtest.Start(t)
	o := options(t, s)
	o.MaxSessions = 2
	c := newClient(t, o)
	var active, peak atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := &countingReader{r: strings.NewReader("abc"), active: &active, peak: &peak, release: release}
			errs <- c.Put(context.Background(), fmt.Sprintf("f%d", i), src, 3)
		}()
	}
	// Wait for two uploads to start, then give the others time to
	// (wrongly) start too.
	for deadline := time.Now().Add(10 * time.Second); peak.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if p := peak.Load(); p != 2 {
		t.Errorf("%d uploads reading at once before release, want MaxSessions = 2", p)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p := peak.Load(); p > 2 {
		t.Errorf("peak concurrent uploads %d > MaxSessions 2", p)
	}
	if files := serverFiles(t, s.Root); len(files) != 6 {
		t.Errorf("server holds %v, want 6 files", files)
	}
}

type countingReader struct {
	r            io.Reader
	started      bool
	active, peak *atomic.Int32
	release      chan struct{}
}

func (c *countingReader) Read(b []byte) (int, error) {
	if !c.started {
		c.started = true
		n := c.active.Add(1)
		for {
			p := c.peak.Load()
			if n <= p || c.peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-c.release
	}
	n, err := c.r.Read(b)
	if err == io.EOF {
		c.active.Add(-1)
	}
	return n, err
}

// TestClassify checks the permanent/transient mapping on error values as
// the libraries produce them; real server round trips for the same faults
// are in the tests above.
func TestClassify(t *testing.T) {
	refused := func() error {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := l.Addr().String()
		l.Close()
		_, err := net.Dial("tcp", addr)
		return err
	}()
	tests := []struct {
		name      string
		err       error
		permanent bool
	}{
		{"host key", &HostKeyError{Addr: "h:22", Type: "ssh-ed25519", Fingerprint: "SHA256:x"}, true},
		{"auth refused", fmt.Errorf("ssh: handshake failed: %w", errors.New("ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain")), true},
		{"no common host key algorithm", errors.New("ssh: handshake failed: ssh: no common algorithm for host key; we offered: [rsa-sha2-512], peer offered: [ssh-ed25519]"), true},
		{"permission denied (normalised)", &os.PathError{Op: "open", Path: "x", Err: os.ErrPermission}, true},
		{"permission denied (status)", &sftp.StatusError{Code: uint32(sftp.ErrSSHFxPermissionDenied)}, true},
		{"operation unsupported", &sftp.StatusError{Code: uint32(sftp.ErrSSHFxOpUnsupported)}, true},
		{"missing base folder", fmt.Errorf("%w: x", errBaseDir), true},
		{"bad path", fmt.Errorf("%w: ../x", errBadPath), true},
		{"connection refused", refused, false},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, false},
		{"timeout", &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}, false},
		{"closed before handshake (MaxStartups: busy)", fmt.Errorf("ssh: handshake failed: %w", io.EOF), false},
		{"EOF", io.EOF, false},
		{"unexpected EOF", io.ErrUnexpectedEOF, false},
		{"connection lost", sftp.ErrSSHFxConnectionLost, false},
		{"failure: disk full or quota", &sftp.StatusError{Code: uint32(sftp.ErrSSHFxFailure)}, false},
		{"no such file", os.ErrNotExist, false},
		{"remote size differs", errSizeMismatch, false},
		{"context deadline", context.DeadlineExceeded, false},
	}
	for _, tt := range tests {
		if got := delivery.IsPermanent(classify(tt.err)); got != tt.permanent {
			t.Errorf("%s: classify(%v) permanent = %v, want %v", tt.name, tt.err, got, tt.permanent)
		}
	}
	if msg := classify(&sftp.StatusError{Code: uint32(sftp.ErrSSHFxFailure)}).Error(); !strings.Contains(msg, "the DSP's disk full") {
		t.Errorf("a bare Failure does not name the likely cause: %s", msg)
	}
}

// TestHungServerFailsCallsAndReconnects: a server that stops answering
// without closing anything (a dead link) must not hang uploads forever:
// the keepalive closes the connection, the call fails transiently, and
// the next call after the server is back connects again.
func TestHungServerFailsCallsAndReconnects(t *testing.T) {
	s := sshdtest.Start(t)
	o := options(t, s)
	o.KeepAlive = 100 * time.Millisecond
	o.DialTimeout = 2 * time.Second
	c := newClient(t, o)
	ctx := context.Background()
	if err := c.Put(ctx, "a.txt", strings.NewReader("a"), 1); err != nil {
		t.Fatal(err)
	}
	s.Pause()
	start := time.Now()
	err := c.Put(ctx, "b.txt", strings.NewReader("b"), 1)
	if err == nil || delivery.IsPermanent(err) {
		t.Fatalf("Put to a hung server = %v, want a transient error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Put to a hung server took %v", d)
	}
	// A new connection to a hung server fails within DialTimeout.
	start = time.Now()
	if _, err := c.Stat(ctx, "a.txt"); err == nil || delivery.IsPermanent(err) {
		t.Fatalf("Stat while hung = %v, want a transient error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("dialling a hung server took %v", d)
	}
	s.Resume()
	if err := c.Put(ctx, "c.txt", strings.NewReader("c"), 1); err != nil {
		t.Fatalf("Put after the server resumed: %v", err)
	}
}

// TestRenameWithoutPosixRename covers servers that lack
// posix-rename@openssh.com: the old file is removed, then the new one
// renamed into place.
func TestRenameWithoutPosixRename(t *testing.T) {
	s := sshdtest.Start(t)
	c := newClient(t, options(t, s))
	ctx := context.Background()
	if err := c.Put(ctx, "a.xml", strings.NewReader("one"), 3); err != nil {
		t.Fatal(err)
	}
	cn, _ := c.current()
	cn.posixRename = false
	if err := c.Put(ctx, "a.xml", strings.NewReader("two!"), 4); err != nil {
		t.Fatal(err)
	}
	if got := readServerFile(t, s, "a.xml"); string(got) != "two!" {
		t.Fatalf("a.xml holds %q", got)
	}
	if files := serverFiles(t, s.Root); len(files) != 1 {
		t.Errorf("server holds %v", files)
	}
}
