// Package sftp is ferry's SFTP transport: it delivers files to a DSP's
// OpenSSH-compatible server over one verified SSH connection per DSP,
// uploads each file under a temporary name and renames it when complete,
// and classifies faults as permanent or transient for the pipeline.
package sftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// Client is a delivery.Transport to one DSP's SFTP server. It connects
// lazily on the first call and keeps that connection for every later
// call, concurrent ones included. When the connection breaks, the calls
// in flight fail (transiently) and the next call dials again. It is safe
// for concurrent use.
type Client struct {
	o    Options
	addr string
	auth []ssh.AuthMethod
	// uploads caps concurrent Puts at MaxSessions.
	uploads chan struct{}
	// dialing serialises dials, so concurrent callers share one.
	dialing chan struct{}

	mu     sync.Mutex
	cur    *conn
	closed bool
	// spare holds idle stream connections for the next split upload;
	// extraBusy counts those in use.
	spare     []*conn
	extraBusy int
	// streamCap, when above 0, is how many streams the server accepted
	// last time it refused one, until streamCapUntil.
	streamCap      int
	streamCapUntil time.Time
	// partials remembers split uploads that failed part-way, by remote
	// path, so a retry sends only the missing ranges.
	partials map[string]*partial
	// splitSent counts the bytes split uploads have had answered, so
	// tests can tell what a resumed upload sent again.
	splitSent atomic.Int64
}

var _ delivery.Transport = (*Client)(nil)

// New checks o, reads its credentials and returns a Client that connects
// on first use. Configuration faults (missing known_hosts, unreadable or
// encrypted key without passphrase) are reported here, as permanent
// errors.
func New(o Options) (*Client, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, delivery.Permanent(err)
	}
	addr := net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	if _, _, err := hostKeys(o.KnownHosts, addr); err != nil {
		return nil, delivery.Permanent(err)
	}
	auth, err := authMethods(o)
	if err != nil {
		return nil, delivery.Permanent(err)
	}
	return &Client{
		o:       o,
		addr:    addr,
		auth:    auth,
		uploads: make(chan struct{}, o.MaxSessions),
		dialing: make(chan struct{}, 1),
	}, nil
}

// Dial is New followed by a connection, for callers that want faults at
// once (check-config, start-up) rather than at the first upload.
func Dial(ctx context.Context, o Options) (*Client, error) {
	c, err := New(o)
	if err != nil {
		return nil, err
	}
	if _, err := c.get(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Close closes the connection; later calls fail.
func (c *Client) Close() error {
	c.mu.Lock()
	cn := c.cur
	c.cur, c.closed = nil, true
	spare := c.spare
	c.spare = nil
	c.mu.Unlock()
	if cn != nil {
		cn.close()
	}
	for _, s := range spare {
		s.close()
	}
	return nil
}

// errClosed is returned by calls after Close.
var errClosed = errors.New("sftp: client closed")

// conn is one SSH connection with its SFTP session.
type conn struct {
	ssh  *ssh.Client
	sftp *sftp.Client
	// posixRename: the server offers posix-rename@openssh.com, an atomic
	// rename that replaces the target.
	posixRename bool
	// packetSize is the data size of each write request.
	packetSize int
	// dirs caches folders known to exist, saving a round trip per file.
	dirs sync.Map
	// rtt is the round trip measured when connecting.
	rtt time.Duration
	// inOrder: the server is OpenSSH, whose sftp-server answers requests
	// one at a time in the order sent, so requests that must follow one
	// another may be sent without waiting.
	inOrder bool
	// idle is when a spare stream connection was last returned.
	idle time.Time
	done chan struct{} // closed when the connection is gone
	once sync.Once
}

func (cn *conn) dead() bool {
	select {
	case <-cn.done:
		return true
	default:
		return false
	}
}

func (cn *conn) close() {
	cn.once.Do(func() {
		// SSH first: closing the SFTP client waits for its reader, which
		// a hung server would never end.
		_ = cn.ssh.Close()
		_ = cn.sftp.Close()
	})
}

// get returns the live connection, dialling one if there is none.
func (c *Client) get(ctx context.Context) (*conn, error) {
	if cn, err := c.current(); cn != nil || err != nil {
		return cn, err
	}
	select {
	case c.dialing <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("connect to %s: %w", c.addr, ctx.Err())
	}
	defer func() { <-c.dialing }()
	// Another caller may have connected while this one waited.
	if cn, err := c.current(); cn != nil || err != nil {
		return cn, err
	}
	cn, err := c.dial(ctx, nil)
	if err != nil {
		return nil, classify(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		cn.close()
		return nil, errClosed
	}
	c.cur = cn
	return cn, nil
}

func (c *Client) current() (*conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errClosed
	}
	if c.cur != nil && c.cur.dead() {
		c.cur = nil
	}
	return c.cur, nil
}

// drop closes cn after a connection fault, so the next call redials.
func (c *Client) drop(cn *conn, cause error) {
	c.mu.Lock()
	if c.cur == cn {
		c.cur = nil
		c.o.Logger.Warn("sftp connection dropped", "addr", c.addr, "err", cause)
	}
	c.mu.Unlock()
	cn.close()
}

// dial connects, verifies the host key, logs in, starts the SFTP session
// and checks the base folder. A stream connection (main, the connection
// it adds a stream to, not nil) takes main's write size and skips the
// checks main made, saving round trips.
func (c *Client) dial(ctx context.Context, main *conn) (*conn, error) {
	verify, algos, err := hostKeys(c.o.KnownHosts, c.addr)
	if err != nil {
		return nil, delivery.Permanent(err)
	}
	config := &ssh.ClientConfig{
		User:              c.o.User,
		Auth:              c.auth,
		HostKeyCallback:   verify,
		HostKeyAlgorithms: algos,
		Timeout:           c.o.DialTimeout,
	}
	dialer := net.Dialer{Timeout: c.o.DialTimeout, KeepAlive: c.o.KeepAlive}
	nc, err := dialer.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", c.addr, err)
	}
	nc = newCoalescingConn(nc)
	// Setting up has no context: bound it all (handshake, SFTP start,
	// base folder check) with a deadline, and close the socket if ctx
	// ends first.
	_ = nc.SetDeadline(time.Now().Add(c.o.DialTimeout))
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	cn, err := c.setup(nc, config, main)
	if !stop() && err == nil {
		err = fmt.Errorf("connect to %s: %w", c.addr, ctx.Err())
		cn.close()
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	_ = nc.SetDeadline(time.Time{})
	go func() {
		_ = cn.ssh.Wait()
		close(cn.done)
	}()
	go c.keepAlive(cn)
	c.o.Logger.Info("sftp connected", "addr", c.addr, "user", c.o.User, "posix_rename", cn.posixRename, "packet_size", cn.packetSize, "rtt", cn.rtt)
	return cn, nil
}

// setup runs the SSH handshake on nc, starts SFTP and checks the base
// folder.
func (c *Client) setup(nc net.Conn, config *ssh.ClientConfig, main *conn) (*conn, error) {
	sc, chans, reqs, err := ssh.NewClientConn(nc, c.addr, config)
	if err != nil {
		return nil, fmt.Errorf("ssh to %s as %s: %w", c.addr, c.o.User, err)
	}
	client := ssh.NewClient(sc, chans, reqs)
	cn := &conn{ssh: client, done: make(chan struct{})}
	packet := c.o.PacketSize
	if main != nil {
		packet = main.packetSize
	}
	cn.sftp, cn.packetSize, err = c.startSFTP(client, packet)
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("start sftp session on %s: %w", c.addr, err)
	}
	_, cn.posixRename = cn.sftp.HasExtension("posix-rename@openssh.com")
	cn.inOrder = strings.HasPrefix(string(client.ServerVersion()), "SSH-2.0-OpenSSH")
	if main != nil {
		cn.rtt = main.rtt
		return cn, nil
	}
	// One request and its answer, alongside the base folder's check: the
	// round trip that picks the number of streams (OpenSSH answers this
	// unknown request with a failure).
	measured := make(chan error, 1)
	go func() {
		began := time.Now()
		_, _, err := client.SendRequest("keepalive@openssh.com", true, nil)
		cn.rtt = time.Since(began)
		measured <- err
	}()
	err = c.checkBase(cn)
	if rerr := <-measured; err == nil && rerr != nil {
		err = fmt.Errorf("ssh to %s: %w", c.addr, rerr)
	}
	if err != nil {
		cn.close()
		return nil, err
	}
	return cn, nil
}

// startSFTP opens the SFTP subsystem on client, writing whole packets
// per SSH packet (see packetWriter), with write requests of packet bytes
// (0: as many as the server takes, asked on a second session at the
// same time).
func (c *Client) startSFTP(client *ssh.Client, packet int) (*sftp.Client, int, error) {
	limit := make(chan int, 1)
	if packet == 0 {
		go func() {
			n, err := serverWriteLimit(client)
			if err != nil {
				c.o.Logger.Debug("sftp limits not available", "addr", c.addr, "err", err)
			}
			limit <- n
		}()
	}
	session, err := client.NewSession()
	var refused *ssh.OpenChannelError
	if errors.As(err, &refused) && packet == 0 {
		// A server allowing one session per connection (sshd's
		// MaxSessions 1) gave it to the limits probe: wait for the probe
		// to end and its session to close.
		packet = max(DefaultPacketSize, <-limit)
		for try := 1; try <= 5 && errors.As(err, &refused); try++ {
			time.Sleep(time.Duration(try) * 20 * time.Millisecond)
			session, err = client.NewSession()
		}
	}
	if err != nil {
		return nil, 0, err
	}
	w, err := session.StdinPipe()
	if err != nil {
		return nil, 0, err
	}
	r, err := session.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	if err := session.RequestSubsystem("sftp"); err != nil {
		return nil, 0, err
	}
	if packet == 0 {
		packet = max(DefaultPacketSize, <-limit)
	}
	sc, err := sftp.NewClientPipe(r, &packetWriter{w: w},
		sftp.MaxPacketUnchecked(packet),
		sftp.MaxConcurrentRequestsPerFile(c.o.Concurrency),
		sftp.UseConcurrentWrites(true))
	return sc, packet, err
}

// errBaseDir marks a configured base folder that is missing or not a
// folder: a configuration fault, permanent.
var errBaseDir = errors.New("remote base folder unusable")

func (c *Client) checkBase(cn *conn) error {
	if c.o.Dir == "" {
		return nil
	}
	fi, err := cn.sftp.Stat(c.o.Dir)
	switch {
	case errors.Is(err, errNotExist):
		return fmt.Errorf("%w: %s has no folder %q (check dir in the DSP's config)", errBaseDir, c.addr, c.o.Dir)
	case err != nil:
		return fmt.Errorf("stat remote base folder %q on %s: %w", c.o.Dir, c.addr, err)
	case !fi.IsDir():
		return fmt.Errorf("%w: %q on %s is not a folder", errBaseDir, c.o.Dir, c.addr)
	}
	cn.dirs.Store(path.Clean(c.o.Dir), true)
	return nil
}

// keepAlive probes cn every KeepAlive and closes it when a probe is not
// answered within two intervals, which unblocks calls waiting on it.
func (c *Client) keepAlive(cn *conn) {
	tick := time.NewTicker(c.o.KeepAlive)
	defer tick.Stop()
	for {
		select {
		case <-cn.done:
			return
		case <-tick.C:
		}
		answered := make(chan error, 1)
		go func() {
			_, _, err := cn.ssh.SendRequest("keepalive@openssh.com", true, nil)
			answered <- err
		}()
		select {
		case err := <-answered:
			if err != nil {
				c.drop(cn, fmt.Errorf("keepalive: %w", err))
				return
			}
		case <-time.After(2 * c.o.KeepAlive):
			c.drop(cn, fmt.Errorf("keepalive: no answer from %s in %s", c.addr, 2*c.o.KeepAlive))
			return
		case <-cn.done:
			return
		}
	}
}
