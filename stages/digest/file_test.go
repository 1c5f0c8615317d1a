package digest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/zeebo/blake3"
)

// pattern returns the input of the official BLAKE3 test vectors: byte i
// is i mod 251.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// Digests of the reference implementations: BLAKE3's official vectors
// (b3sum), coreutils md5sum, sha1sum and sha256sum. 3 MiB + 1 spans
// several read buffers and ends in a partial one.
var vectors = []struct {
	name                         string
	input                        []byte
	blake3, md5, sha1, sha256sum string
}{
	{"empty", nil,
		"af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
		"d41d8cd98f00b204e9800998ecf8427e",
		"da39a3ee5e6b4b0d3255bfef95601890afd80709",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{"abc", []byte("abc"),
		"6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",
		"900150983cd24fb0d6963f7d28e17f72",
		"a9993e364706816aba3e25717850c26c9cd0d89d",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{"1024", pattern(1024),
		"42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7",
		"9ee0a0e0c0bc0f1ff29d663d1fdf0743",
		"0ac28084ff74933d05123496dafd3791684d9b53",
		"2bce1ba628720664be4b9fdd77aae0678e5f0f3f02fc6ff641ec879094f6a404"},
	{"1025", pattern(1025),
		"d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444",
		"3f3789452b88cb32b8cbfbafe715e29a",
		"ca9fdc040579afc74c0e6314fee7af12bd5c4284",
		"bc0b6b10b89b9487a12fda2a8cc13194e7091c217aabf8b92846274026f4bcd0"},
	{"8193", pattern(8193),
		"bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3b",
		"d70940b0f2d0a8ac92655d222ce0ecd5",
		"c7fac2a2751ad1552813f366c3daef8eba512436",
		"7e3691790cd64b19d4edb1a80e988214515abeb53aa0f34ffbfe4b4bf405d120"},
	{"102400", pattern(102400),
		"bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085",
		"1a0f81547e5ba2e9c4a4b94a74731993",
		"f18b928d893ae172a000efa19b80e1c04fb36414",
		"74588b7f0bcc354ac14d9cf199fa3a20c05f0c7293b9075b2f2e146e718de800"},
	{"3MiB+1", pattern(3<<20 + 1),
		"fd984eaa20053d346cc7c79a175338f91556e68b871d877b23568a4587d9875b",
		"aca93c73c1fa0142b72f9a87dca0cd47",
		"a0ca5b746939d22df277b71d2d9581a268ee76f8",
		"fc66cb381d8de4396b685896bfef3b1811ca920b052873bea5227a354fd64f37"},
}

func TestFileKnownVectors(t *testing.T) {
	dir := t.TempDir()
	for _, v := range vectors {
		path := filepath.Join(dir, v.name)
		if err := os.WriteFile(path, v.input, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, alg := range []struct{ name, want string }{
			{MD5, v.md5}, {SHA1, v.sha1}, {SHA256, v.sha256sum}, {NoHashSum, ""},
		} {
			t.Run(v.name+"/"+alg.name, func(t *testing.T) {
				got, err := File(path, alg.name)
				if err != nil {
					t.Fatal(err)
				}
				want := Sums{Size: int64(len(v.input)), BLAKE3: v.blake3, Algorithm: alg.name, HashSum: alg.want}
				if got != want {
					t.Fatalf("File(%s, %q) =\n %+v\nwant\n %+v", v.name, alg.name, got, want)
				}
			})
		}
	}
}

// TestFileBufferBoundaries compares the pipelined read with one-shot
// hashes of the same bytes at sizes around the read buffer.
func TestFileBufferBoundaries(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{1, bufSize - 1, bufSize, bufSize + 1, bufCount * bufSize, (bufCount+1)*bufSize + 7} {
		data := pattern(n)
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := File(path, MD5)
		if err != nil {
			t.Fatal(err)
		}
		b3 := blake3.Sum256(data)
		m := md5.Sum(data)
		want := Sums{Size: int64(n), BLAKE3: hex.EncodeToString(b3[:]), Algorithm: MD5, HashSum: hex.EncodeToString(m[:])}
		if got != want {
			t.Errorf("size %d: File = %+v, want %+v", n, got, want)
		}
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.wav")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, algorithm, wantErr string
	}{
		{"missing file", filepath.Join(dir, "missing.wav"), MD5, "missing.wav"},
		{"directory", dir, MD5, "not a regular file"},
		{"BLAKE3 as HashSum", file, "BLAKE3", "not a DDEX HashSum value"},
		{"unknown algorithm", file, "SHA-512", `"SHA-512"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := File(tt.path, tt.algorithm)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("File(%s, %q) error = %v, want one containing %q", tt.path, tt.algorithm, err, tt.wantErr)
			}
		})
	}
}

// TestHashStreamReadError checks that a failing read is reported and that
// the hash goroutines end instead of hanging.
func TestHashStreamReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(bytes.NewReader(pattern(3*bufSize+5)), iotest.ErrReader(boom))
	n, err := hashStream(r, blake3.New(), md5.New())
	if !errors.Is(err, boom) {
		t.Fatalf("hashStream error = %v, want %v", err, boom)
	}
	if n != 3*bufSize+5 {
		t.Fatalf("hashStream read %d bytes before the error, want %d", n, 3*bufSize+5)
	}
}
