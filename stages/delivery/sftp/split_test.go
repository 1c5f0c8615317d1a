package sftp

import (
	"context"
	"crypto/sha256"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/wanrelay"
)

// sameAsSource fails t unless the server's file rel holds exactly
// randomStream(seed, size).
func sameAsSource(t *testing.T, s *sshdtest.Server, rel string, seed uint64, size int64) {
	t.Helper()
	want := sha256.New()
	io.Copy(want, randomStream(seed, size))
	f, err := os.Open(filepath.Join(s.Root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := sha256.New()
	if n, _ := io.Copy(got, f); n != size {
		t.Fatalf("%s holds %d bytes, want %d", rel, n, size)
	}
	if string(got.Sum(nil)) != string(want.Sum(nil)) {
		t.Fatalf("%s differs from the source", rel)
	}
}

// relayTo puts a relay with link in front of s and returns options that
// connect through it, its address pinned with s's host key.
func relayTo(t testing.TB, s *sshdtest.Server, link wanrelay.Link) (Options, *wanrelay.Relay) {
	t.Helper()
	r, err := wanrelay.Start(s.Addr, link)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	known := filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{r.Addr}, s.HostKeys[sshdtest.ED25519]) + "\n"
	if err := os.WriteFile(known, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	o := options(t, s)
	o.Port, o.KnownHosts = r.Port(), known
	return o, r
}

func TestSplitUploadResumesAfterSSHDKill(t *testing.T) {
	const size = 96 << 20
	s := sshdtest.Start(t)
	o := options(t, s)
	o.Streams = 4
	c := newClient(t, o)
	ctx := context.Background()
	final := filepath.Join(s.Root, "A1", "resources", "big.wav")

	stop := make(chan struct{})
	violations := watchFinalName(final, size, stop)

	g := &gate{r: randomStream(3, size), at: 60 << 20, reached: make(chan struct{}), release: make(chan struct{})}
	reached := g.reached
	failed := make(chan error, 1)
	go func() { failed <- c.Put(ctx, "A1/resources/big.wav", g, size) }()
	select {
	case <-reached:
	case err := <-failed:
		t.Fatalf("Put ended before the kill: %v", err)
	}
	// Wait until the server has answered for some ranges.
	dst, _ := c.remote("A1/resources/big.wav")
	deadline := time.Now().Add(20 * time.Second)
	for c.partialFor(dst, size).end() < 32<<20 {
		if time.Now().After(deadline) {
			t.Fatal("no range completed before the kill")
		}
		time.Sleep(time.Millisecond)
	}
	s.Kill()
	close(g.release)
	err := <-failed
	if err == nil || delivery.IsPermanent(err) {
		t.Fatalf("Put across the kill = %v, want a transient error", err)
	}
	rec := c.partialFor(dst, size)
	done := int64(len(rec.done))
	t.Logf("Put across the kill: %v; %d ranges of %d recorded", err, done, size/rangeSize)
	if _, err := os.Stat(final); err == nil {
		t.Fatal("final name exists after the failed upload")
	}

	s.Restart()
	before := c.splitSent.Load()
	if err := c.Put(ctx, "A1/resources/big.wav", randomStream(3, size), size); err != nil {
		t.Fatalf("retried Put: %v", err)
	}
	resent := c.splitSent.Load() - before
	if limit := size - done*rangeSize; resent > limit {
		t.Errorf("the retry sent %d bytes, want at most the %d not recorded", resent, limit)
	}
	t.Logf("the retry sent %d of %d bytes", resent, size)
	close(stop)
	if v, ok := <-violations; ok {
		t.Fatal(v)
	}
	sameAsSource(t, s, "A1/resources/big.wav", 3, size)
	if files := serverFiles(t, s.Root); len(files) != 1 {
		t.Errorf("server holds %v, want only the final file", files)
	}
}

// A retry whose source changed since the failed attempt must not keep
// the old bytes of the ranges it recorded.
func TestSplitResumeResendsChangedRanges(t *testing.T) {
	const size = 64 << 20
	s := sshdtest.Start(t)
	o := options(t, s)
	o.Streams = 4
	c := newClient(t, o)
	dst, _ := c.remote("big.bin")
	// An earlier attempt recorded every range of another source.
	rec := c.partialFor(dst, size)
	old := make([]byte, rangeSize)
	for k := int64(0); k < size/rangeSize; k++ {
		rec.set(k, crcOf(old))
	}
	if err := os.WriteFile(filepath.Join(s.Root, "."+"big.bin"+TempSuffix), make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(context.Background(), "big.bin", randomStream(4, size), size); err != nil {
		t.Fatal(err)
	}
	sameAsSource(t, s, "big.bin", 4, size)
}

func crcOf(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

func TestSplitFallsBackToFewerStreams(t *testing.T) {
	const size = 64 << 20
	tests := []struct {
		name     string
		sshd     []sshdtest.Option
		maxConns int
	}{
		// A firewall allowing two connections: two streams.
		{"connection limit", nil, 2},
		// sshd allowing one session per connection: every stream works,
		// with the 32 KiB writes every server takes (the limits probe
		// needs a second session).
		{"MaxSessions 1", []sshdtest.Option{sshdtest.Config("MaxSessions 1")}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sshdtest.Start(t, tt.sshd...)
			o, relay := relayTo(t, s, wanrelay.Link{MaxConns: tt.maxConns})
			o.Streams = 4
			c := newClient(t, o)
			final := filepath.Join(s.Root, "big.bin")
			stop := make(chan struct{})
			violations := watchFinalName(final, size, stop)
			for i := range 2 {
				if err := c.Put(context.Background(), "big.bin", randomStream(5, size), size); err != nil {
					t.Fatalf("Put %d: %v", i, err)
				}
			}
			close(stop)
			if v, ok := <-violations; ok {
				t.Fatal(v)
			}
			sameAsSource(t, s, "big.bin", 5, size)
			if tt.maxConns > 0 {
				if relay.Refused() == 0 {
					t.Fatal("the relay refused no connection")
				}
				if c.streamCap != tt.maxConns {
					t.Errorf("stream cap %d, want %d", c.streamCap, tt.maxConns)
				}
			}
			if files := serverFiles(t, s.Root); len(files) != 1 {
				t.Errorf("server holds %v, want only the final file", files)
			}
		})
	}
}
