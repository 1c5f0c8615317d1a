package digest

import (
	"context"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/zeebo/blake3"
)

// Sums is what one read pass learns about a file: its size, its BLAKE3
// (ferry's content identity) and the HashSum a DSP asked for.
type Sums struct {
	// Size is the number of bytes hashed, which is the file's size.
	Size int64
	// BLAKE3 is the 32-byte BLAKE3 digest, lowercase hex.
	BLAKE3 string
	// Algorithm is the DDEX HashSum algorithm (MD5, SHA1, SHA-256), or
	// NoHashSum when only BLAKE3 was asked for.
	Algorithm string
	// HashSum is the digest of Algorithm, lowercase hex; empty with
	// NoHashSum. It goes into the ERN as HashSumValue.
	HashSum string
}

// File reads the file at path once and returns its size, BLAKE3 and the
// HashSum of algorithm (a DDEX name, see CheckAlgorithm; NoHashSum for
// BLAKE3 alone). The two hashes run on their own goroutines over shared
// read buffers, so the pair costs about as much wall time as the slower
// of the two. A file that changes while it is read is an error, never a
// wrong sum.
func File(path string, algorithm string) (Sums, error) {
	if err := CheckAlgorithm(algorithm); err != nil {
		return Sums{}, fmt.Errorf("hash %s: %w", path, err)
	}
	p, _, err := readFile(context.Background(), path, []string{algorithm})
	if err != nil {
		return Sums{}, err
	}
	return p.sums(algorithm), nil
}

// pass is what one read of a file produced: its size, BLAKE3 and the raw
// digest of each algorithm asked for.
type pass struct {
	size   int64
	blake3 [32]byte
	digest map[string][]byte
}

func (p pass) sums(algorithm string) Sums {
	s := Sums{Size: p.size, BLAKE3: hex.EncodeToString(p.blake3[:])}
	if algorithm != NoHashSum {
		s.Algorithm = algorithm
		s.HashSum = hex.EncodeToString(p.digest[algorithm])
	}
	return s
}

// readFile reads the file at path once, computing BLAKE3 and every one of
// algorithms (checked names) at the same time. It also returns the
// FileInfo the file had when the read began, so the Cache keys the sums
// on exactly what was read. On error, pass.size still counts the bytes
// read.
func readFile(ctx context.Context, path string, algorithms []string) (pass, os.FileInfo, error) {
	var p pass
	hashes := make(map[string]hash.Hash)
	for _, alg := range algorithms {
		if alg == MD5 && IsTogether(ctx) {
			h, done := newLaneHash()
			defer done()
			hashes[alg] = h
			continue
		}
		h, err := newHashSum(alg)
		if err != nil {
			return p, nil, fmt.Errorf("hash %s: %w", path, err)
		}
		if h != nil {
			hashes[alg] = h
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return p, nil, fmt.Errorf("hash: %w", err)
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return p, nil, fmt.Errorf("hash: %w", err)
	}
	if !before.Mode().IsRegular() {
		return p, nil, fmt.Errorf("hash %s: not a regular file", path)
	}
	b3 := blake3.New()
	all := []hash.Hash{b3}
	for _, h := range hashes {
		all = append(all, h)
	}
	size := bufSize
	if IsTogether(ctx) {
		size = togetherBufSize
	}
	if before.Size() < int64(size) {
		size = int(before.Size()) + 1 // +1: the read that finds the end
	}
	p.size, err = hashStreamSized(files.ContextReader(ctx, f), size, all...)
	b3.Sum(p.blake3[:0])
	if err != nil {
		return p, nil, fmt.Errorf("hash: read %s: %w", path, err)
	}
	after, err := f.Stat()
	if err != nil {
		return p, nil, fmt.Errorf("hash: %w", err)
	}
	if p.size != before.Size() || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		return p, nil, fmt.Errorf("hash %s: file changed while it was read (size %d, read %d, now %d); retry when it is complete",
			path, before.Size(), p.size, after.Size())
	}
	p.digest = make(map[string][]byte, len(hashes))
	for alg, h := range hashes {
		p.digest[alg] = h.Sum(nil)
	}
	return p, before, nil
}

// Read-pass tuning, see BenchmarkReadBuffer: 1 MiB reads keep
// syscalls rare and the buffer within L2/L3, and four buffers let the
// reader run ahead of the slower hash while the faster one catches up.
// Files read together (up to 16 at once, see FilesAtOnce) use quarter
// buffers, so a release costs 16 MiB of them, not 64; a file smaller than
// a buffer gets one of its own size.
const (
	bufSize         = 1 << 20
	togetherBufSize = bufSize / 4
	bufCount        = 4
)

// block is one read buffer shared by every hash of a pass; refs counts
// the hashes that have not finished with it yet.
type block struct {
	data []byte
	n    int
	refs atomic.Int32
}

var blockPools = map[int]*sync.Pool{
	bufSize:         {New: func() any { return &block{data: make([]byte, bufSize)} }},
	togetherBufSize: {New: func() any { return &block{data: make([]byte, togetherBufSize)} }},
}

// hashStream reads r to its end once, feeding every buffer to each of
// hashes (nil ones are skipped) on a goroutine per hash, and returns the
// number of bytes read. A buffer is reused only after all hashes are done
// with it, so no byte is copied twice.
func hashStream(r io.Reader, hashes ...hash.Hash) (int64, error) {
	return hashStreamSized(r, bufSize, hashes...)
}

// hashStreamSized is hashStream with buffers of size bytes: bufSize,
// togetherBufSize, or anything else for buffers of their own.
func hashStreamSized(r io.Reader, size int, hashes ...hash.Hash) (int64, error) {
	pool := blockPools[size]
	if pool == nil {
		pool = &sync.Pool{New: func() any { return &block{data: make([]byte, size)} }}
	}
	count := bufCount
	if size < togetherBufSize {
		count = 1 // a small file is one read
	}
	var lanes []chan *block
	free := make(chan *block, count)
	for range count {
		free <- pool.Get().(*block)
	}
	var wg sync.WaitGroup
	for _, h := range hashes {
		if h == nil {
			continue
		}
		lane := make(chan *block, bufCount)
		lanes = append(lanes, lane)
		wg.Go(func() {
			for b := range lane {
				h.Write(b.data[:b.n])
				if b.refs.Add(-1) == 0 {
					free <- b
				}
			}
		})
	}

	var total int64
	var err error
	for {
		b := <-free
		n, rerr := io.ReadFull(r, b.data)
		if n > 0 {
			total += int64(n)
			b.n = n
			b.refs.Store(int32(len(lanes)))
			for _, lane := range lanes {
				lane <- b
			}
		} else {
			free <- b
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			err = rerr
			break
		}
	}
	for _, lane := range lanes {
		close(lane)
	}
	wg.Wait()
	for range count {
		pool.Put(<-free)
	}
	return total, err
}
