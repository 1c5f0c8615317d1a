package sftp

import (
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/crypto/ssh"
)

// maxAutoPacket caps the write size taken from a server's limits: OpenSSH
// announces 256 KiB less 1 KiB, its own client's choice too. Larger
// requests would gain little and hold more memory per request.
const maxAutoPacket = 256<<10 - 1<<10

// serverWriteLimit asks the server for its largest accepted write with
// the limits@openssh.com extension (OpenSSH 8.6 and later), as OpenSSH's
// sftp client does, so uploads can use requests up to 8 times the 32 KiB
// every server takes: fewer requests mean less work on both sides. pkg/sftp
// cannot send this request, so it goes over a short-lived second SFTP
// session on the same connection. It returns 0 when the server does not
// announce the extension.
func serverWriteLimit(client *ssh.Client) (int, error) {
	session, err := client.NewSession()
	if err != nil {
		return 0, err
	}
	defer session.Close()
	w, err := session.StdinPipe()
	if err != nil {
		return 0, err
	}
	r, err := session.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := session.RequestSubsystem("sftp"); err != nil {
		return 0, err
	}
	const (
		fxpInit          = 1
		fxpVersion       = 2
		fxpStatus        = 101
		fxpExtended      = 200
		fxpExtendedReply = 201
	)
	// SSH_FXP_INIT, version 3.
	if _, err := w.Write([]byte{0, 0, 0, 5, fxpInit, 0, 0, 0, 3}); err != nil {
		return 0, err
	}
	typ, body, err := readPacket(r)
	if err != nil {
		return 0, err
	}
	if typ != fxpVersion || len(body) < 4 {
		return 0, fmt.Errorf("limits: want SSH_FXP_VERSION, got packet type %d", typ)
	}
	if !hasExtension(body[4:], "limits@openssh.com") {
		return 0, nil
	}
	// SSH_FXP_EXTENDED, id 1, "limits@openssh.com".
	name := "limits@openssh.com"
	req := binary.BigEndian.AppendUint32(nil, uint32(1+4+4+len(name)))
	req = append(req, fxpExtended)
	req = binary.BigEndian.AppendUint32(req, 1)
	req = binary.BigEndian.AppendUint32(req, uint32(len(name)))
	req = append(req, name...)
	if _, err := w.Write(req); err != nil {
		return 0, err
	}
	typ, body, err = readPacket(r)
	if err != nil {
		return 0, err
	}
	if typ == fxpStatus {
		return 0, nil
	}
	// id, max-packet-length, max-read-length, max-write-length, max-open-handles.
	if typ != fxpExtendedReply || len(body) < 4+4*8 {
		return 0, fmt.Errorf("limits: unexpected reply type %d, %d bytes", typ, len(body))
	}
	write := binary.BigEndian.Uint64(body[4+16:])
	if write > maxAutoPacket {
		write = maxAutoPacket
	}
	return int(write), nil
}

// readPacket reads one SFTP packet: its type and the bytes after it.
func readPacket(r io.Reader) (byte, []byte, error) {
	var head [5]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return 0, nil, fmt.Errorf("limits: read packet: %w", err)
	}
	n := binary.BigEndian.Uint32(head[:4])
	if n < 1 || n > 1<<20 {
		return 0, nil, fmt.Errorf("limits: packet length %d", n)
	}
	body := make([]byte, n-1)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, fmt.Errorf("limits: read packet: %w", err)
	}
	return head[4], body, nil
}

// hasExtension looks for name among SSH_FXP_VERSION's extension pairs.
func hasExtension(b []byte, name string) bool {
	next := func() (string, bool) {
		if len(b) < 4 {
			return "", false
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(len(b)-4) < uint64(n) {
			return "", false
		}
		s := string(b[4 : 4+n])
		b = b[4+n:]
		return s, true
	}
	for {
		ext, ok := next()
		if !ok {
			return false
		}
		if _, ok := next(); !ok {
			return false
		}
		if ext == name {
			return true
		}
	}
}
