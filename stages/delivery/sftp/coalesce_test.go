package sftp

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

func TestCoalescingConnKeepsBytesAndCounts(t *testing.T) {
	client, server := tcpPair(t)
	c := newCoalescingConn(client)
	full := bytes.Repeat([]byte{1}, sshWriteBuffer)
	rest := bytes.Repeat([]byte{2}, 28_000)
	small := []byte("small")
	var want []byte
	for _, w := range [][]byte{full, rest, small, full, rest} {
		n, err := c.Write(w)
		if err != nil || n != len(w) {
			t.Fatalf("Write(%d bytes) = %d, %v", len(w), n, err)
		}
		want = append(want, w...)
	}
	got := make([]byte, len(want))
	server.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(server, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("bytes arrived changed or out of order")
	}
}

// TestCoalescingConnFlushesLoneFullBuffer: a packet ending exactly on the
// buffer boundary has no continuation; it must still be sent.
func TestCoalescingConnFlushesLoneFullBuffer(t *testing.T) {
	client, server := tcpPair(t)
	c := newCoalescingConn(client)
	full := bytes.Repeat([]byte{3}, sshWriteBuffer)
	if _, err := c.Write(full); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(full))
	server.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadFull(server, got); err != nil {
		t.Fatalf("held write never sent: %v", err)
	}
}

func TestCoalescingConnReportsLateError(t *testing.T) {
	client, _ := tcpPair(t)
	c := newCoalescingConn(client)
	client.Close() // the held write's flush fails
	c.Write(make([]byte, sshWriteBuffer))
	time.Sleep(20 * holdFor)
	if _, err := c.Write([]byte("x")); err == nil {
		t.Fatal("Write after a failed flush succeeded")
	}
}
