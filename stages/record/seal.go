package record

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
type sealer struct{ key []byte }

func (s sealer) mac(kind, item string, data []byte) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(item))
	m.Write([]byte{0})
	m.Write(data)
	return hex.EncodeToString(m.Sum(nil))
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

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}
