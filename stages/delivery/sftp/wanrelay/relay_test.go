package wanrelay

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"
)

// echoServer answers every connection by sending back what it reads.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// sinkServer reads every connection to its end and answers with one byte.
func sinkServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(io.Discard, c)
				c.Write([]byte{1})
			}()
		}
	}()
	return ln.Addr().String()
}

func start(t *testing.T, target string, l Link) *Relay {
	t.Helper()
	r, err := Start(target, l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestRoundTripIsTwiceTheDelay(t *testing.T) {
	r := start(t, echoServer(t), Link{Delay: 40 * time.Millisecond})
	c, err := net.Dial("tcp", r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := []byte("ping")
	for range 3 {
		began := time.Now()
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil {
			t.Fatal(err)
		}
		rtt := time.Since(began)
		if !bytes.Equal(got, msg) {
			t.Fatalf("echo %q, want %q", got, msg)
		}
		if rtt < 80*time.Millisecond || rtt > 500*time.Millisecond { // a loaded machine adds, never removes
			t.Fatalf("round trip %s, want about 80ms", rtt)
		}
	}
}

// sendAll writes size random bytes through r to a sink and returns the
// time until the sink's answer came back.
func sendAll(t *testing.T, r *Relay, size int) time.Duration {
	t.Helper()
	c, err := net.Dial("tcp", r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	data := make([]byte, size)
	rand.NewChaCha8([32]byte{1}).Read(data)
	began := time.Now()
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).CloseWrite()
	var one [1]byte
	if _, err := io.ReadFull(c, one[:]); err != nil {
		t.Fatal(err)
	}
	return time.Since(began)
}

// The delay line keeps many chunks in flight: 32 MiB through a 50 ms
// one-way delay takes about a round trip, not one delay per read (which
// would be 512 reads × 50 ms = 25 s).
func TestBandwidthDelayProduct(t *testing.T) {
	r := start(t, sinkServer(t), Link{Delay: 50 * time.Millisecond, Window: 64 << 20})
	if d := sendAll(t, r, 32<<20); d > 6*time.Second {
		t.Fatalf("32 MiB took %s: the relay serialises reads", d)
	}
}

func TestWindowAndRateBoundThroughput(t *testing.T) {
	tests := []struct {
		name     string
		link     Link
		size     int
		min, max time.Duration
	}{
		// 16 MiB through a 2 MiB window, 50 ms each way: at least 8
		// windows' worth of 50 ms.
		{"window", Link{Delay: 50 * time.Millisecond, Window: 2 << 20}, 16 << 20, 400 * time.Millisecond, 8 * time.Second},
		// 4 MB at 10 MB/s: 0.4 s on the line plus the delays.
		{"rate", Link{Delay: 10 * time.Millisecond, Rate: 10_000_000}, 4_000_000, 400 * time.Millisecond, 6 * time.Second},
		// Every chunk lost: each one stalls the stream for the RTO.
		{"loss", Link{Delay: 5 * time.Millisecond, Loss: 0.999, RTO: 100 * time.Millisecond}, 8 << 10, 100 * time.Millisecond, 6 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := start(t, sinkServer(t), tt.link)
			d := sendAll(t, r, tt.size)
			if d < tt.min || d > tt.max {
				t.Fatalf("%d bytes took %s, want %s–%s", tt.size, d, tt.min, tt.max)
			}
		})
	}
}

func TestMaxConnsClosesTheExtraConnections(t *testing.T) {
	r := start(t, echoServer(t), Link{MaxConns: 1})
	first, err := net.Dial("tcp", r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	// The first is relayed...
	first.Write([]byte("a"))
	var b [1]byte
	if _, err := io.ReadFull(first, b[:]); err != nil {
		t.Fatalf("first connection: %v", err)
	}
	// ...the second is closed unanswered.
	second, err := net.Dial("tcp", r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	second.SetDeadline(time.Now().Add(2 * time.Second))
	second.Write([]byte("b"))
	if _, err := io.ReadFull(second, b[:]); err == nil {
		t.Fatal("second connection was relayed beyond MaxConns")
	}
	if r.Refused() != 1 || r.Accepted() != 1 {
		t.Fatalf("accepted %d, refused %d; want 1 and 1", r.Accepted(), r.Refused())
	}
}
