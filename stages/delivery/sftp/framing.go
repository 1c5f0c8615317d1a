package sftp

import (
	"encoding/binary"
	"io"
	"sync"
)

// packetWriter passes whole SFTP packets to the SSH channel in one Write.
// pkg/sftp writes a packet's header and its data separately, and each
// channel Write becomes at least one SSH packet: every upload request
// would then cost a second, tiny SSH packet (one more encryption, one
// more system call on each side). Joining them halves the SSH packets
// of an upload, the main cost of a fast link. Packets are recognised by
// their uint32 length prefix.
type packetWriter struct {
	mu  sync.Mutex
	w   io.WriteCloser
	buf []byte
}

func (p *packetWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for len(p.buf) >= 4 {
		end := 4 + int(binary.BigEndian.Uint32(p.buf))
		if len(p.buf) < end {
			break
		}
		if _, err := p.w.Write(p.buf[:end]); err != nil {
			p.buf = p.buf[:0]
			return 0, err
		}
		p.buf = p.buf[:copy(p.buf, p.buf[end:])]
	}
	return len(b), nil
}

func (p *packetWriter) Close() error { return p.w.Close() }

// packetOverhead is an SFTP write request's size beyond its data, with
// room for handles up to 36 bytes (OpenSSH uses 4): length, type, id,
// handle, offset, data length.
const packetOverhead = 4 + 1 + 4 + (4 + 36) + 8 + 4
