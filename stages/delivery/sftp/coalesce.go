package sftp

import (
	"net"
	"sync"
	"time"
)

// sshWriteBuffer is the size of x/crypto/ssh's bufio.Writer on the
// connection (bufio's default).
const sshWriteBuffer = 4096

// holdFor bounds how long a held write may wait for its continuation.
const holdFor = time.Millisecond

// coalescingConn joins the two system calls x/crypto/ssh makes for each
// large SSH packet into one. Its 4 KiB bufio.Writer sends a full buffer
// (exactly 4096 bytes), then the rest of the packet straight away; with
// TCP_NODELAY these leave as two segments, and the server wakes up for a
// partial packet each time. sshd spent about twice the CPU per GiB
// uploaded as with OpenSSH's client before this. A write of exactly 4096
// bytes is held until the next write, which goes out with it in one
// writev, or until holdFor passes (a packet that happened to end on the
// boundary). Nagle's algorithm would merge them too, but it delays the
// small requests and replies that many concurrent uploads exchange.
type coalescingConn struct {
	net.Conn
	mu      sync.Mutex
	held    []byte
	timer   *time.Timer
	lateErr error
}

func newCoalescingConn(c net.Conn) *coalescingConn {
	cc := &coalescingConn{Conn: c, held: make([]byte, 0, sshWriteBuffer)}
	cc.timer = time.AfterFunc(time.Hour, cc.flushHeld)
	cc.timer.Stop()
	return cc
}

func (c *coalescingConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.lateErr; err != nil {
		return 0, err
	}
	if len(c.held) > 0 {
		c.timer.Stop()
		bufs := net.Buffers{c.held, b}
		n, err := bufs.WriteTo(c.Conn)
		c.held = c.held[:0]
		written := int(n) - sshWriteBuffer
		if written < 0 {
			written = 0
		}
		return written, err
	}
	if len(b) == sshWriteBuffer {
		c.held = append(c.held, b...)
		c.timer.Reset(holdFor)
		return len(b), nil
	}
	return c.Conn.Write(b)
}

// flushHeld sends a held write that no continuation followed.
func (c *coalescingConn) flushHeld() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.held) == 0 {
		return
	}
	if _, err := c.Conn.Write(c.held); err != nil {
		c.lateErr = err
	}
	c.held = c.held[:0]
}

func (c *coalescingConn) Close() error {
	c.timer.Stop()
	return c.Conn.Close()
}
