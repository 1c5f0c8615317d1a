package digest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/zeebo/blake3"
)

// Files hashed together share the MD5 lanes, more files than lanes at
// once, at sizes around the MD5 block, the lane engine's 32 KiB block
// and the read buffers: every MD5 and BLAKE3 is the one-shot hash of its
// file.
func TestFilesTogetherMatchOneShotHashes(t *testing.T) {
	dir := t.TempDir()
	sizes := []int{0, 1, 63, 64, 65, 32<<10 - 1, 32 << 10, 32<<10 + 1, togetherBufSize - 1, togetherBufSize, togetherBufSize + 1,
		bufCount*togetherBufSize + 7, 3*bufSize + 5}
	var paths []string
	for len(paths) < 2*laneCount+3 {
		n := sizes[len(paths)%len(sizes)] + len(paths)/len(sizes) // the same sizes again, shifted
		p := filepath.Join(dir, fmt.Sprintf("%02d.wav", len(paths)))
		writeSettled(t, p, pattern(n))
		paths = append(paths, p)
	}
	c, _ := newTestCache(t)
	sums, err := c.SumAll(paths, MD5, FilesAtOnce(MD5))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m, b3 := md5.Sum(data), blake3.Sum256(data)
		if sums[i].HashSum != hex.EncodeToString(m[:]) || sums[i].BLAKE3 != hex.EncodeToString(b3[:]) || sums[i].Size != int64(len(data)) {
			t.Errorf("%s (%d bytes): %+v, want MD5 %x BLAKE3 %x", filepath.Base(p), len(data), sums[i], m, b3)
		}
	}
}
