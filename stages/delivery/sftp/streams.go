package sftp

import (
	"context"
	"sync"
	"time"
)

// A single SFTP stream over a long link moves at most the server's
// channel window per round trip: OpenSSH's sshd grants 2 MiB, so about
// 20 MB/s at 100 ms however many requests are in flight. A large file is
// therefore split over several streams, each its own SSH connection: one
// TCP connection would be bounded the same way by its send buffer (Linux
// allows 4 MiB by default), and each sshd connection is one process, so
// connections also spread the server's encryption over its cores.
const (
	// streamRTT is the round trip each automatic stream is added for:
	// 1 stream below 12 ms, 4 at 50 ms, 8 at 100 ms.
	streamRTT = 12 * time.Millisecond
	// maxAutoStreams caps the automatic choice.
	maxAutoStreams = 8
	// minStreamBytes is the least a stream is opened for: a new
	// connection costs a few round trips, worth it for 16 MiB at 20 MB/s.
	minStreamBytes = 16 << 20
	// spareIdle is how long an unused stream connection is kept.
	spareIdle = time.Minute
	// streamCapFor is how long a server's refusal of a stream lowers the
	// number ferry asks for.
	streamCapFor = 10 * time.Minute
)

// streamsFor is how many streams a file of size bytes is split over,
// given the main connection cn.
func (c *Client) streamsFor(cn *conn, size int64) int {
	n := c.o.Streams
	if n == 0 {
		n = min(maxAutoStreams, max(1, int(cn.rtt/streamRTT)))
	}
	c.mu.Lock()
	if c.streamCap > 0 && time.Now().Before(c.streamCapUntil) {
		n = min(n, c.streamCap)
	}
	c.mu.Unlock()
	return int(min(int64(n), size/minStreamBytes))
}

// extraStreams makes up to want connections besides main, spare ones
// first, then new ones dialled at once, and calls ready with each as soon
// as it is up (from several goroutines at once); it returns them all. A
// connection that cannot be made (a server or firewall limiting
// connections, a refused login) is logged and left out: the upload goes
// on with fewer streams, and the next ones ask for no more than the
// server took.
func (c *Client) extraStreams(ctx context.Context, main *conn, want int, ready func(*conn)) []*conn {
	var got []*conn
	c.mu.Lock()
	// Uploads split at the same time share one budget of connections.
	want = min(want, max(c.o.Streams, maxAutoStreams)-1-c.extraBusy)
	if want <= 0 {
		c.mu.Unlock()
		return nil
	}
	c.extraBusy += want
	for len(c.spare) > 0 && len(got) < want {
		s := c.spare[len(c.spare)-1]
		c.spare = c.spare[:len(c.spare)-1]
		if !s.dead() && s.packetSize == main.packetSize {
			got = append(got, s)
		} else {
			s.close()
		}
	}
	c.mu.Unlock()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, s := range got {
		wg.Go(func() { ready(s) })
	}
	failed := 0
	for range want - len(got) {
		wg.Go(func() {
			s, err := c.dial(ctx, main)
			mu.Lock()
			if err != nil {
				failed++
				mu.Unlock()
				if ctx.Err() == nil {
					c.o.Logger.Warn("sftp stream refused: going on with fewer", "addr", c.addr, "err", err)
				}
				return
			}
			got = append(got, s)
			mu.Unlock()
			ready(s)
		})
	}
	wg.Wait()
	c.mu.Lock()
	c.extraBusy -= want - len(got) // the reservation, less what failed
	if failed > 0 && ctx.Err() == nil {
		c.streamCap, c.streamCapUntil = 1+len(got), time.Now().Add(streamCapFor)
	}
	c.mu.Unlock()
	return got
}

// releaseStreams keeps live stream connections for the next split
// upload, closing them after spareIdle unused.
func (c *Client) releaseStreams(streams []*conn) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.extraBusy -= len(streams)
	for _, s := range streams {
		if s.dead() || c.closed {
			s.close()
			continue
		}
		s.idle = now
		c.spare = append(c.spare, s)
	}
	time.AfterFunc(spareIdle, c.closeIdle)
}

// closeIdle closes spare connections unused for spareIdle.
func (c *Client) closeIdle() {
	c.mu.Lock()
	var keep, drop []*conn
	for _, s := range c.spare {
		if time.Since(s.idle) >= spareIdle {
			drop = append(drop, s)
		} else {
			keep = append(keep, s)
		}
	}
	c.spare = keep
	c.mu.Unlock()
	for _, s := range drop {
		s.close()
	}
}
