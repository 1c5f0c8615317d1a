package record

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// Records travel inside the item folder, where anyone who can write the
// share can forge them. Each record is therefore sealed with an HMAC
// under the root's secret key and bound to what it is (its kind) and to
// the item it belongs to; a record whose seal does not verify is input,
// not truth, and ferry ignores it.

// ErrForged is returned for a record whose seal does not verify: written
// by someone other than this root's ferry, or altered since.
var ErrForged = errors.New("not written by this root's ferry (seal does not verify)")

// envelope is a sealed record as stored: the record's JSON and its seal.
type envelope struct {
	Seal string          `json:"seal"`
	Data json.RawMessage `json:"data"`
}

// sealer computes and checks seals with one root's key.
type sealer struct {
	key []byte
	// macs keeps keyed HMACs for reuse: setting up the key costs as
	// much as sealing a small record.
	macs *sync.Pool
}

func newSealer(key []byte) sealer {
	return sealer{key: key, macs: &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

func (s sealer) mac(kind, item string, data []byte) string {
	return hex.EncodeToString(s.sum(kind, item, data))
}

func (s sealer) sum(kind, item string, data []byte) []byte {
	var m hash.Hash
	if s.macs != nil {
		m = s.macs.Get().(hash.Hash)
		defer func() { m.Reset(); s.macs.Put(m) }()
	} else {
		m = hmac.New(sha256.New, s.key)
	}
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(item))
	m.Write([]byte{0})
	m.Write(data)
	return m.Sum(nil)
}

// seal encodes v as a sealed record of kind for item (compact JSON, one
// line, so that history lines stay lines).
func (s sealer) seal(kind, item string, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", kind, err)
	}
	return json.Marshal(envelope{Seal: s.mac(kind, item, data), Data: data})
}

// open verifies a sealed record of kind for item and decodes it into v.
func (s sealer) open(kind, item string, raw []byte, v any) error {
	if data, ok := s.verbatim(kind, item, raw); ok {
		if err := json.Unmarshal(data, v); err != nil {
			return fmt.Errorf("decode %s: %w", kind, err)
		}
		return nil
	}
	var e envelope
	if err := json.Unmarshal(raw, &e); err != nil {
		return fmt.Errorf("%s: %w", kind, ErrForged)
	}
	var data bytes.Buffer
	if err := json.Compact(&data, e.Data); err != nil {
		return fmt.Errorf("%s: %w", kind, ErrForged)
	}
	want, err := hex.DecodeString(e.Seal)
	if err != nil || !hmac.Equal(want, mustHex(s.mac(kind, item, data.Bytes()))) {
		return fmt.Errorf("%s: %w", kind, ErrForged)
	}
	if err := json.Unmarshal(data.Bytes(), v); err != nil {
		return fmt.Errorf("decode %s: %w", kind, err)
	}
	return nil
}

// Sealed records as seal writes them: the seal (hex SHA-256) between
// sealHead and sealMid, then the data, then "}".
const (
	sealHead = `{"seal":"`
	sealMid  = `","data":`
)

// verbatim returns the data of raw when raw is exactly as seal wrote it
// (trailing white space aside) and the seal verifies over the data's
// very bytes: the data is then ferry's own compact JSON, and one parse
// of it replaces open's three (envelope, compaction, data). Anything
// else, a record reformatted or not ferry's, takes open's full way.
func (s sealer) verbatim(kind, item string, raw []byte) ([]byte, bool) {
	raw = bytes.TrimRight(raw, " \t\r\n")
	const hexLen = 2 * sha256.Size
	if len(raw) < len(sealHead)+hexLen+len(sealMid)+1 || raw[len(raw)-1] != '}' ||
		!bytes.HasPrefix(raw, []byte(sealHead)) || !bytes.HasPrefix(raw[len(sealHead)+hexLen:], []byte(sealMid)) {
		return nil, false
	}
	var want [sha256.Size]byte
	if _, err := hex.Decode(want[:], raw[len(sealHead):len(sealHead)+hexLen]); err != nil {
		return nil, false
	}
	data := raw[len(sealHead)+hexLen+len(sealMid) : len(raw)-1]
	if !hmac.Equal(want[:], s.sum(kind, item, data)) {
		return nil, false
	}
	return data, true
}

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}
