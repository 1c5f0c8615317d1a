package digest

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/zeebo/blake3"
)

func TestTreeSelfCheckPasses(t *testing.T) {
	if !treeSelfCheck() {
		t.Fatal("the multi-core BLAKE3 does not match zeebo/blake3: its private layout changed; update the mirrors in blake3tree.go")
	}
}

// TestHashTree compares the multi-core BLAKE3 with zeebo's single-stream
// one at sizes that exercise every shape of the tree: one segment, a
// partial last segment, powers of two and one past them.
func TestHashTree(t *testing.T) {
	sizes := []int{0, 1, chunkLen, chunkLen + 1, bufSize - 1, bufSize, bufSize + 1, bufSize + chunkLen,
		2 * bufSize, 2*bufSize + 1, 3 * bufSize, 4 * bufSize, 4*bufSize + 64, 5*bufSize + 777, 8 * bufSize, 9*bufSize + 1}
	big := pattern(9*bufSize + 1)
	for _, workers := range []int{1, 2, 3} {
		for _, n := range sizes {
			data := big[:n]
			gotN, got, err := hashTree(bytes.NewReader(data), int64(len(data)), workers)
			if err != nil {
				t.Fatal(err)
			}
			if want := blake3.Sum256(data); got != want || gotN != int64(n) {
				t.Errorf("workers %d, size %d: hashTree = %d bytes %x, want %d bytes %x", workers, n, gotN, got, n, want)
			}
		}
	}
}

// TestCompressMatchesZeebo checks the plain-Go compression on the root
// node zeebo leaves for "abc": compressing it must give BLAKE3("abc").
func TestCompressMatchesZeebo(t *testing.T) {
	out := subtreeOutput(blake3.New(), []byte("abc"), 0)
	root := out.root()
	if got := hex.EncodeToString(root[:]); got != "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85" {
		t.Fatalf("root of abc = %s", got)
	}
}

// TestFileBLAKE3AloneMatches: File with NoHashSum on a multi-segment file
// (the tree path on more than one core) gives the same BLAKE3 as with a
// HashSum (the single-stream path) and as the reference vector.
func TestFileBLAKE3AloneMatches(t *testing.T) {
	if treeWorkers() == 0 {
		t.Skip("one core: File does not use the tree hash")
	}
	path := filepath.Join(t.TempDir(), "f")
	data := pattern(3<<20 + 1)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	alone, err := File(path, NoHashSum)
	if err != nil {
		t.Fatal(err)
	}
	withMD5, err := File(path, MD5)
	if err != nil {
		t.Fatal(err)
	}
	if alone.BLAKE3 != withMD5.BLAKE3 || alone.BLAKE3 != "fd984eaa20053d346cc7c79a175338f91556e68b871d877b23568a4587d9875b" {
		t.Fatalf("BLAKE3 alone %s, with MD5 %s", alone.BLAKE3, withMD5.BLAKE3)
	}
}

// failingReaderAt fails every read at or past offset failAt.
type failingReaderAt struct {
	data   []byte
	failAt int64
}

var errFailingRead = errors.New("sector unreadable")

func (r failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.failAt {
		return 0, errFailingRead
	}
	return bytes.NewReader(r.data).ReadAt(p, off)
}

// TestHashTreeErrors: a failing or short read is reported, and no
// goroutine is left waiting (the test would hang or leak otherwise).
func TestHashTreeErrors(t *testing.T) {
	data := pattern(6 * bufSize)
	if _, _, err := hashTree(failingReaderAt{data, 2 * bufSize}, int64(len(data)), 2); !errors.Is(err, errFailingRead) {
		t.Fatalf("hashTree over a failing read: error %v, want %v", err, errFailingRead)
	}
	// The file is shorter than the size it had when opened.
	if _, _, err := hashTree(bytes.NewReader(data[:3*bufSize+5]), int64(len(data)), 2); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("hashTree over a shrunk file: error %v, want %v", err, io.ErrUnexpectedEOF)
	}
}
