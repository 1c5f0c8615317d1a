// Package wanrelay is a userspace TCP relay that makes a loopback server
// look far away: every byte is held for a fixed one-way delay in each
// direction, optionally behind a bandwidth cap, a bound on the bytes in
// flight (a TCP window) and random loss. The kernel's netem would do this
// better, but test machines often lack it; tests and benchmarks put a
// Relay between a client and Debian's sshd to measure ferry and OpenSSH
// over a long link.
//
// Each direction is a queue, not a sleep per read: a reader takes bytes
// as they come and stamps each chunk with the time it may leave, and a
// writer delivers chunks in order when their time comes. So a link with a
// 50 ms delay carries as many bytes per second as the sender offers (up
// to Rate and Window), the bandwidth-delay product of a real long link,
// where a sleep per read would allow one read per 50 ms.
package wanrelay

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Link describes the emulated path, per direction.
type Link struct {
	// Delay is the one-way delay; the round trip is twice it.
	Delay time.Duration
	// Rate caps the bytes per second of each direction; 0 is unlimited.
	Rate int64
	// Window bounds the bytes held in each direction of one connection,
	// as a TCP send buffer bounds what a sender has in flight (Linux's
	// default tcp_wmem maximum is 4 MiB); a full window stops reading
	// until bytes are delivered. 0 means DefaultWindow.
	Window int
	// Loss is the probability, per chunk read, that the chunk is "lost":
	// TCP would retransmit it after a timeout, so it and everything
	// behind it on that connection arrive RTO later (head-of-line
	// blocking). 0 means none.
	Loss float64
	// RTO is the extra delay of a lost chunk; 0 means 200 ms plus the
	// round trip (Linux's minimum RTO).
	RTO time.Duration
	// MaxConns, when above 0, closes connections beyond that many open
	// at once before any byte is relayed, as a DSP's firewall limiting
	// connections per client does.
	MaxConns int
}

// DefaultWindow is Window's default: 4 MiB, Linux's default maximum TCP
// send buffer (net.ipv4.tcp_wmem).
const DefaultWindow = 4 << 20

// readSize is the most a reader takes at once.
const readSize = 64 << 10

// Relay accepts connections on a loopback port and relays each to Target
// through the emulated Link.
type Relay struct {
	// Addr is where clients connect (127.0.0.1:port).
	Addr string

	link   Link
	target string
	ln     net.Listener
	wg     sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool

	open     atomic.Int64
	accepted atomic.Int64
	refused  atomic.Int64
}

// Start listens on 127.0.0.1 on a free port and relays to target.
func Start(target string, link Link) (*Relay, error) {
	if link.Delay < 0 || link.Rate < 0 || link.Window < 0 || link.Loss < 0 || link.Loss >= 1 {
		return nil, fmt.Errorf("wanrelay: invalid link %+v", link)
	}
	if link.Window == 0 {
		link.Window = DefaultWindow
	}
	if link.RTO == 0 {
		link.RTO = 200*time.Millisecond + 2*link.Delay
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("wanrelay: listen: %w", err)
	}
	r := &Relay{Addr: ln.Addr().String(), link: link, target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	r.wg.Add(1)
	go r.accept()
	return r, nil
}

// Port is the port of Addr.
func (r *Relay) Port() int { return r.ln.Addr().(*net.TCPAddr).Port }

// Accepted is the number of connections relayed so far; Refused those
// closed for MaxConns.
func (r *Relay) Accepted() int64 { return r.accepted.Load() }

// Refused is the number of connections closed because MaxConns were open.
func (r *Relay) Refused() int64 { return r.refused.Load() }

// Close stops listening, breaks every relayed connection and waits for
// the relay's goroutines.
func (r *Relay) Close() error {
	r.mu.Lock()
	r.closed = true
	for c := range r.conns {
		c.Close()
	}
	r.mu.Unlock()
	err := r.ln.Close()
	r.wg.Wait()
	return err
}

// Break closes every relayed connection at once, as a network failure
// would, and keeps accepting new ones.
func (r *Relay) Break() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.conns {
		c.Close()
	}
}

func (r *Relay) track(cs ...net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	for _, c := range cs {
		r.conns[c] = struct{}{}
	}
	return true
}

func (r *Relay) untrack(cs ...net.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range cs {
		delete(r.conns, c)
		c.Close()
	}
}

func (r *Relay) accept() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		if max := r.link.MaxConns; max > 0 && r.open.Load() >= int64(max) {
			r.refused.Add(1)
			c.Close()
			continue
		}
		r.open.Add(1)
		r.accepted.Add(1)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer r.open.Add(-1)
			r.relay(c)
		}()
	}
}

// relay connects c to the target and runs both directions until both end.
func (r *Relay) relay(c net.Conn) {
	t, err := net.DialTimeout("tcp", r.target, 10*time.Second)
	if err != nil {
		c.Close()
		return
	}
	if !r.track(c, t) {
		c.Close()
		t.Close()
		return
	}
	defer r.untrack(c, t)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.pipe(t, c) }()
	go func() { defer wg.Done(); r.pipe(c, t) }()
	wg.Wait()
}

// chunk is bytes read at one time, due for delivery at due; nil data
// with eof set marks the end of the stream.
type chunk struct {
	data []byte
	due  time.Time
	eof  bool
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, readSize); return &b }}

// pipe copies src to dst through the delay line of one direction.
func (r *Relay) pipe(dst, src net.Conn) {
	l := r.link
	queue := make(chan chunk, l.Window/1024+16)
	// inFlight counts queued bytes; space is signalled when it drops.
	var mu sync.Mutex
	space := sync.NewCond(&mu)
	inFlight := 0
	failed := make(chan struct{})

	go func() {
		defer close(queue)
		var lineFree time.Time // when the rate-capped line is free again
		var stall time.Time    // a lost chunk holds everything behind it
		for {
			mu.Lock()
			for inFlight >= l.Window {
				space.Wait()
			}
			mu.Unlock()
			select {
			case <-failed:
				return
			default:
			}
			bp := bufPool.Get().(*[]byte)
			n, err := src.Read((*bp)[:min(readSize, l.Window)])
			now := time.Now()
			if n > 0 {
				sent := now
				if l.Rate > 0 {
					sent = maxTime(now, lineFree).Add(time.Duration(int64(n) * int64(time.Second) / l.Rate))
					lineFree = sent
				}
				due := sent.Add(l.Delay)
				if l.Loss > 0 && rand.Float64() < l.Loss {
					stall = maxTime(stall, due.Add(l.RTO))
				}
				due = maxTime(due, stall)
				mu.Lock()
				inFlight += n
				mu.Unlock()
				queue <- chunk{data: (*bp)[:n], due: due}
			} else {
				bufPool.Put(bp)
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					queue <- chunk{eof: true, due: maxTime(now.Add(l.Delay), stall)}
				} else {
					// A broken source breaks the destination at once.
					dst.Close()
				}
				return
			}
		}
	}()

	broken := false
	for c := range queue {
		if d := time.Until(c.due); d > 0 && !broken {
			time.Sleep(d)
		}
		if c.eof {
			if tc, ok := dst.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
			continue
		}
		var err error
		if !broken {
			_, err = dst.Write(c.data)
		}
		n := len(c.data)
		b := c.data[:cap(c.data)]
		bufPool.Put(&b)
		mu.Lock()
		inFlight -= n
		space.Signal()
		mu.Unlock()
		if err != nil {
			broken = true
			close(failed)
			src.Close()
			// Drain, releasing a reader blocked on a full window.
			mu.Lock()
			inFlight = -1 << 40
			space.Signal()
			mu.Unlock()
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
