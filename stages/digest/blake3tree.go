package digest

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/zeebo/blake3"
)

// BLAKE3 is a tree: every 1 KiB chunk is hashed on its own, and chaining
// values are combined pairwise up to the root. zeebo/blake3 hashes one
// stream on one core; here whole 1 MiB segments (aligned subtrees of 1024
// chunks) are read and hashed by zeebo on several goroutines and their
// chaining values combined in order, so BLAKE3 alone runs on every core,
// as b3sum does. File uses it when no DSP HashSum is asked for; with one, the DSP
// hash is the slower lane anyway and BLAKE3 keeps to one goroutine.
//
// zeebo/blake3 (v0.2.4) exports no subtree API, so subtreeOutput reads and
// writes two of its private fields through mirrors of its structs. That
// is guarded twice: the mirrors' sizes must match the real types, and the
// first use compares the tree result with zeebo's own on a multi-segment
// input. If either check fails (a zeebo upgrade changed its layout), File
// silently keeps to zeebo's single-core path: slower, never wrong.

// segmentChunks is the number of 1 KiB chunks per segment; a power of
// two, so every full segment is a complete subtree.
const segmentChunks = bufSize / chunkLen

const (
	chunkLen   = 1024
	flagParent = 1 << 2
	flagRoot   = 1 << 3
)

var blake3IV = [8]uint32{0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19}

// zeeboHasher mirrors blake3.Hasher of zeebo/blake3 v0.2.4.
type zeeboHasher struct {
	size int
	h    struct {
		len    uint64
		chunks uint64 // chunk counter of the next chunk: the subtree's offset
		flags  uint32
		key    [8]uint32
		stack  struct {
			occ   uint64
			lvls  [8]uint8
			bufn  int
			buf   [2][64]uint32
			stack [64][8]uint32
		}
		buf [8192]byte
	}
}

// zeeboDigest mirrors blake3.Digest of zeebo/blake3 v0.2.4: the inputs of
// the final compression, which is the root node.
type zeeboDigest struct {
	counter uint64
	chain   [8]uint32
	block   [16]uint32
	blen    uint32
	flags   uint32
	buf     [16]uint32
	bufn    int
}

// output is a node before its final compression: compressing it gives a
// chaining value, or with the root flag the digest.
type output struct {
	chain   [8]uint32
	block   [16]uint32
	counter uint64
	blen    uint32
	flags   uint32
}

func (o output) chainingValue() [8]uint32 {
	s := compress(&o.chain, &o.block, o.counter, o.blen, o.flags)
	return [8]uint32(s[:8])
}

func (o output) root() [32]byte {
	s := compress(&o.chain, &o.block, o.counter, o.blen, o.flags|flagRoot)
	var sum [32]byte
	for i, w := range s[:8] {
		binary.LittleEndian.PutUint32(sum[4*i:], w)
	}
	return sum
}

func parentOutput(left, right [8]uint32) output {
	o := output{chain: blake3IV, blen: 64, flags: flagParent}
	copy(o.block[:8], left[:])
	copy(o.block[8:], right[:])
	return o
}

// subtreeOutput hashes data, which starts at chunk firstChunk of the
// input, as a subtree and returns its top node. h is scratch space.
func subtreeOutput(h *blake3.Hasher, data []byte, firstChunk uint64) output {
	h.Reset()
	(*zeeboHasher)(unsafe.Pointer(h)).h.chunks = firstChunk
	h.Write(data)
	d := (*zeeboDigest)(unsafe.Pointer(h.Digest()))
	return output{chain: d.chain, block: d.block, counter: d.counter, blen: d.blen, flags: d.flags &^ flagRoot}
}

// treeStack combines segment outputs in input order, as the reference
// implementation combines chunks: complete subtrees are merged as soon as
// a later segment proves they are not the root's children's last.
type treeStack struct {
	cvs      [][8]uint32
	segments uint64 // segments pushed into cvs
	last     *output
}

func (t *treeStack) add(o output) {
	if t.last != nil {
		cv := t.last.chainingValue()
		t.segments++
		for total := t.segments; total&1 == 0; total >>= 1 {
			cv = parentOutput(t.cvs[len(t.cvs)-1], cv).chainingValue()
			t.cvs = t.cvs[:len(t.cvs)-1]
		}
		t.cvs = append(t.cvs, cv)
	}
	t.last = &o
}

func (t *treeStack) sum() [32]byte {
	if t.last == nil {
		return blake3.Sum256(nil)
	}
	out := *t.last
	for i := len(t.cvs) - 1; i >= 0; i-- {
		out = parentOutput(t.cvs[i], out.chainingValue())
	}
	return out.root()
}

// hashTree returns the BLAKE3 of the first size bytes of r, and how many
// were read. Each of workers goroutines takes the next segment, reads it
// with ReadAt and hashes it, so a segment is copied and hashed on the same
// core while it is hot in that core's cache; chaining values are joined
// in order as they come, with at most 2*workers segments in flight.
func hashTree(r io.ReaderAt, size int64, workers int) (int64, [32]byte, error) {
	segments := (size + bufSize - 1) / bufSize
	window := int64(2 * workers)
	type slot struct {
		n    int
		err  error
		out  output
		done chan struct{}
	}
	slots := make([]slot, window)
	for i := range slots {
		slots[i].done = make(chan struct{}, 1)
	}
	// A token is a free slot: taken to hand out segment i, returned once
	// segment i is joined, so segment i+window can reuse slot i%window.
	tokens := make(chan struct{}, window)
	next := make(chan int64)
	var failed atomic.Bool
	go func() {
		for i := range segments {
			tokens <- struct{}{}
			next <- i
		}
		close(next)
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			buf := blockPool.Get().(*block)
			defer blockPool.Put(buf)
			h := blake3.New()
			for i := range next {
				s := &slots[i%window]
				s.n, s.err = 0, nil
				if !failed.Load() {
					want := min(bufSize, size-i*bufSize)
					s.n, s.err = r.ReadAt(buf.data[:want], i*bufSize)
					switch {
					case int64(s.n) == want:
						s.err = nil // ReadAt may say EOF along with the last byte
					case s.err == nil || s.err == io.EOF:
						s.err = io.ErrUnexpectedEOF // the file shrank
					}
					if s.err == nil {
						s.out = subtreeOutput(h, buf.data[:s.n], uint64(i)*segmentChunks)
					} else {
						failed.Store(true)
					}
				}
				s.done <- struct{}{}
			}
		})
	}

	var tree treeStack
	var total int64
	var err error
	for i := range segments {
		s := &slots[i%window]
		<-s.done
		total += int64(s.n)
		if err == nil && s.err != nil {
			err = s.err
		}
		if err == nil {
			tree.add(s.out)
		}
		<-tokens
	}
	wg.Wait()
	return total, tree.sum(), err
}

// treeWorkers returns how many goroutines hashTree should use, or 0 when
// the tree hash must not be used: one core, or zeebo's layout differs
// from the mirrors.
func treeWorkers() int {
	treeCheck.Do(func() { treeOK = treeSelfCheck() })
	if !treeOK {
		return 0
	}
	if n := runtime.GOMAXPROCS(0); n > 1 {
		return min(n, 8)
	}
	return 0
}

var (
	treeCheck sync.Once
	treeOK    bool
)

// treeSelfCheck compares hashTree with zeebo's own BLAKE3 on an input of
// several segments ending in a partial one.
func treeSelfCheck() bool {
	if unsafe.Sizeof(zeeboHasher{}) != unsafe.Sizeof(blake3.Hasher{}) ||
		unsafe.Sizeof(zeeboDigest{}) != unsafe.Sizeof(blake3.Digest{}) {
		return false
	}
	data := make([]byte, 3*bufSize+chunkLen+1)
	for i := range data {
		data[i] = byte(i % 251)
	}
	_, got, err := hashTree(bytes.NewReader(data), int64(len(data)), 2)
	return err == nil && got == blake3.Sum256(data)
}

// compress is the BLAKE3 compression function, in plain Go: only used a
// few times per MiB, to join segments.
func compress(chain *[8]uint32, block *[16]uint32, counter uint64, blen, flags uint32) [16]uint32 {
	s := [16]uint32{
		chain[0], chain[1], chain[2], chain[3], chain[4], chain[5], chain[6], chain[7],
		blake3IV[0], blake3IV[1], blake3IV[2], blake3IV[3],
		uint32(counter), uint32(counter >> 32), blen, flags,
	}
	m := *block
	for round := range 7 {
		g(&s, 0, 4, 8, 12, m[0], m[1])
		g(&s, 1, 5, 9, 13, m[2], m[3])
		g(&s, 2, 6, 10, 14, m[4], m[5])
		g(&s, 3, 7, 11, 15, m[6], m[7])
		g(&s, 0, 5, 10, 15, m[8], m[9])
		g(&s, 1, 6, 11, 12, m[10], m[11])
		g(&s, 2, 7, 8, 13, m[12], m[13])
		g(&s, 3, 4, 9, 14, m[14], m[15])
		if round < 6 {
			m = [16]uint32{m[2], m[6], m[3], m[10], m[7], m[0], m[4], m[13], m[1], m[11], m[12], m[5], m[9], m[14], m[15], m[8]}
		}
	}
	for i := range 8 {
		s[i] ^= s[i+8]
		s[i+8] ^= chain[i]
	}
	return s
}

func g(s *[16]uint32, a, b, c, d int, mx, my uint32) {
	s[a] += s[b] + mx
	s[d] = bits.RotateLeft32(s[d]^s[a], -16)
	s[c] += s[d]
	s[b] = bits.RotateLeft32(s[b]^s[c], -12)
	s[a] += s[b] + my
	s[d] = bits.RotateLeft32(s[d]^s[a], -8)
	s[c] += s[d]
	s[b] = bits.RotateLeft32(s[b]^s[c], -7)
}
