package digest

import (
	"context"
	"hash"
	"runtime"
	"sync"

	md5simd "github.com/minio/md5-simd"
)

// MD5 cannot be split within a file: one file's MD5 runs on one core at
// about 740 MB/s, under the 3.8 GB/s of its BLAKE3. A release's files can
// share one SIMD engine instead, each file a lane (16 with AVX-512, 8 with
// AVX2), which hashes many files several times faster than one core per
// file. Files hashed alone keep crypto/md5, which is faster for one
// stream.

// md5Lanes is the process's shared MD5 engine, started on first use.
var md5Lanes = sync.OnceValue(md5simd.NewServer)

// laneCount is how many files fill the engine's lanes.
const laneCount = 16

type togetherKey struct{}

// Together marks ctx as hashing several files at once (a release's), so
// their MD5s share the SIMD engine's lanes.
func Together(ctx context.Context) context.Context {
	return context.WithValue(ctx, togetherKey{}, true)
}

// IsTogether says whether ctx was marked by Together.
func IsTogether(ctx context.Context) bool {
	v, _ := ctx.Value(togetherKey{}).(bool)
	return v
}

// FilesAtOnce is how many of a release's files to hash at the same time
// for a DSP that wants algorithm: enough to fill the MD5 lanes for MD5,
// one per core otherwise.
func FilesAtOnce(algorithm string) int {
	if algorithm == MD5 {
		return max(laneCount, runtime.GOMAXPROCS(0))
	}
	return runtime.GOMAXPROCS(0)
}

// newLaneHash returns an MD5 on the shared engine, and the function that
// gives its lane back once the sum is taken.
func newLaneHash() (hash.Hash, func()) {
	h := md5Lanes().NewHash()
	return h, h.Close
}
