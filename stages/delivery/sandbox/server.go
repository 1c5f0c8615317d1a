// Package sandbox is ferry's built-in DSP: an SFTP server on loopback
// that stores what it receives, checks each delivered message (well-formed,
// files present, hashes match) and answers with a DDEX choreography
// AcknowledgementMessage, as a DSP does. A new user sees a release reach
// acknowledged/ with nothing to install.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/files"
)

// User is the login the sandbox accepts (with the generated client key).
const User = "ferry"

// Server is a running sandbox DSP.
type Server struct {
	// Addr is the listening address, 127.0.0.1:port.
	Addr string
	Port int
	// KnownHosts pins the sandbox's host key for the SFTP client.
	KnownHosts string
	// ClientKey is the private key the client logs in with.
	ClientKey string
	// Received is the folder that SFTP clients see as "/".
	Received string

	dir      string
	identity ern.Party
	log      *slog.Logger
	listener net.Listener
	config   *ssh.ServerConfig
	wg       sync.WaitGroup
	index    *index

	// dirty holds the delivery folders that changed since the last check.
	dirtyMu sync.Mutex
	dirty   map[string]struct{}
	// fsOps counts the folder reads and stats of the checker, for tests.
	fsOps atomic.Int64
}

// Options configure a sandbox.
type Options struct {
	Dir      string    // state and received files live here
	Identity ern.Party // the DSP's party, written into acknowledgements
	Logger   *slog.Logger
	// CheckEvery is how often received deliveries are checked.
	CheckEvery time.Duration
}

// Start listens on a free loopback port and serves until ctx is done.
// Keys are created once in dir and reused, so restarts keep the same
// host key; the known_hosts file is rewritten for the new port.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.CheckEvery == 0 {
		o.CheckEvery = 500 * time.Millisecond
	}
	s := &Server{Received: filepath.Join(o.Dir, "received"), dir: o.Dir, identity: o.Identity, log: o.Logger,
		ClientKey: filepath.Join(o.Dir, "client_key"), KnownHosts: filepath.Join(o.Dir, "known_hosts"),
		dirty: map[string]struct{}{}}
	if err := os.MkdirAll(filepath.Join(s.Received, AckDir), 0o755); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	removeStaleTemps(o.Dir, s.log)
	hostKey, err := loadOrCreateKey(filepath.Join(o.Dir, "host_key"), s.log)
	if err != nil {
		return nil, fmt.Errorf("sandbox host key: %w", err)
	}
	clientKey, err := loadOrCreateKey(s.ClientKey, s.log)
	if err != nil {
		return nil, fmt.Errorf("sandbox client key: %w", err)
	}
	if s.index, err = openIndex(filepath.Join(o.Dir, journalName), s.log); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	allowed := clientKey.PublicKey().Marshal()
	s.config = &ssh.ServerConfig{
		PublicKeyCallback: func(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if meta.User() == User && string(key.Marshal()) == string(allowed) {
				return nil, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	s.config.AddHostKey(hostKey)

	s.listener, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.index.close()
		return nil, fmt.Errorf("sandbox listen: %w", err)
	}
	s.Addr = s.listener.Addr().String()
	s.Port = s.listener.Addr().(*net.TCPAddr).Port
	line := knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, hostKey.PublicKey())
	if err := files.WriteFileAtomic(s.KnownHosts, []byte(line+"\n"), 0o644); err != nil {
		s.listener.Close()
		s.index.close()
		return nil, fmt.Errorf("sandbox known_hosts: %w", err)
	}
	s.log.Info("sandbox DSP listening", "addr", s.Addr, "folder", s.Received)

	s.scanAll()
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.accept() }()
	go func() { defer s.wg.Done(); s.checkLoop(ctx, o.CheckEvery); s.index.close() }()
	go func() { <-ctx.Done(); s.listener.Close() }()
	return s, nil
}

// Wait blocks until the server has stopped after its context ended.
func (s *Server) Wait() { s.wg.Wait() }

// PortString is the port as text, for configuration.
func (s *Server) PortString() string { return strconv.Itoa(s.Port) }

func (s *Server) accept() {
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			return
		}
		go s.serve(conn)
	}
}

func (s *Server) serve(conn net.Conn) {
	defer conn.Close()
	sc, chans, reqs, err := ssh.NewServerConn(conn, s.config)
	if err != nil {
		s.log.Debug("sandbox: handshake failed", "err", err)
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, requests, err := nc.Accept()
		if err != nil {
			return
		}
		go func() {
			for req := range requests {
				ok := req.Type == "subsystem" && len(req.Payload) > 4 && string(req.Payload[4:]) == "sftp"
				req.Reply(ok, nil)
				if ok {
					srv := sftp.NewRequestServer(ch, rootFS{root: s.Received, changed: s.changed}.handlers())
					srv.Serve()
					srv.Close()
					ch.Close()
				}
			}
		}()
	}
}
