package media_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/ferrydelivery/ferry/stages/media"
)

// encoder is a generated file description (mediatest.WAV, mediatest.FLAC).
type encoder interface{ Bytes() ([]byte, error) }

// build returns the file's bytes or fails the test.
func build(t testing.TB, e encoder) []byte {
	t.Helper()
	b, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// patch returns a copy of b with the bytes at off replaced.
func patch(b []byte, off int, with []byte) []byte {
	c := bytes.Clone(b)
	copy(c[off:], with)
	return c
}

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// wantError checks the exact message and the kind of a reader's error.
func wantError(t *testing.T, name string, err error, msg string, kind error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted, want error %q", name, msg)
		return
	}
	if err.Error() != msg {
		t.Errorf("%s:\n got %q\nwant %q", name, err.Error(), msg)
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("%s: error %q is not %v", name, err, kind)
	}
	var he *media.HeaderError
	if kind != nil && !errors.As(err, &he) {
		t.Errorf("%s: error %q is not a *media.HeaderError", name, err)
	}
}
