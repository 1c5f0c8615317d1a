package digest

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zeebo/blake3"
)

// Benchmarks write their large inputs once per process into benchDir,
// which TestMain removes; plain `go test` (no -bench) never creates them.
var (
	benchDir     string
	benchDirOnce sync.Once
	benchDirErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchBytes is the size of the big-file benchmarks: 2 GiB, or
// FERRY_BENCH_BYTES for a quicker look.
func benchBytes(b *testing.B) int64 {
	if s := os.Getenv("FERRY_BENCH_BYTES"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			b.Fatalf("FERRY_BENCH_BYTES=%q: want a positive byte count", s)
		}
		return n
	}
	return 2 << 30
}

// benchFile returns a file of size random bytes named name in benchDir,
// created on first use and read once so it sits in the page cache.
func benchFile(b *testing.B, name string, size int64) string {
	b.Helper()
	benchDirOnce.Do(func() { benchDir, benchDirErr = os.MkdirTemp("", "ferry-digest-bench-") })
	if benchDirErr != nil {
		b.Fatal(benchDirErr)
	}
	path := filepath.Join(benchDir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() == size {
		return path
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.NewChaCha8([32]byte{'f', 'e', 'r', 'r', 'y'})
	buf := make([]byte, 4<<20)
	for left := size; left > 0; left -= int64(len(buf)) {
		chunk := buf[:min(int64(len(buf)), left)]
		rng.Read(chunk)
		if _, err := f.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	warm(b, path)
	setMtime(b, path, settled)
	return path
}

// warm reads path once so later reads come from the page cache.
func warm(b *testing.B, path string) {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		n, err := f.Read(buf)
		if n == 0 || err != nil {
			return
		}
	}
}

// runTool runs a coreutils-style checksum tool and returns the digest it
// printed for path.
func runTool(b *testing.B, path, tool string, args ...string) string {
	b.Helper()
	out, err := exec.Command(tool, append(args, path)...).Output()
	if err != nil {
		b.Fatalf("%s %s: %v", tool, strings.Join(args, " "), err)
	}
	digest, _, _ := strings.Cut(string(out), " ")
	return digest
}

func needTool(b *testing.B, tool, pkg string) {
	if _, err := exec.LookPath(tool); err != nil {
		b.Skipf("%s not installed (apt-get install -y %s); skipping the side-by-side benchmark", tool, pkg)
	}
}

// BenchmarkFileBLAKE3AndMD5 is ferry's read pass for an MD5 DSP: 2 GiB
// from the page cache, BLAKE3 and MD5 together. Compare with
// BenchmarkMD5sum (target: at least as fast).
func BenchmarkFileBLAKE3AndMD5(b *testing.B) {
	size := benchBytes(b)
	path := benchFile(b, "audio.bin", size)
	b.SetBytes(size)
	var s Sums
	for b.Loop() {
		var err error
		if s, err = File(path, MD5); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if _, err := exec.LookPath("md5sum"); err == nil {
		if want := runTool(b, path, "md5sum"); s.HashSum != want {
			b.Fatalf("ferry MD5 %s, md5sum %s", s.HashSum, want)
		}
	}
}

// BenchmarkMD5sum runs coreutils md5sum on the same file.
func BenchmarkMD5sum(b *testing.B) {
	needTool(b, "md5sum", "coreutils")
	size := benchBytes(b)
	path := benchFile(b, "audio.bin", size)
	b.SetBytes(size)
	for b.Loop() {
		runTool(b, path, "md5sum")
	}
}

// BenchmarkFileBLAKE3Only is the read pass with no DDEX HashSum. Compare
// with BenchmarkB3sum (target: at least 0.8x).
func BenchmarkFileBLAKE3Only(b *testing.B) {
	size := benchBytes(b)
	path := benchFile(b, "audio.bin", size)
	b.SetBytes(size)
	var s Sums
	for b.Loop() {
		var err error
		if s, err = File(path, NoHashSum); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if _, err := exec.LookPath("b3sum"); err == nil {
		if want := runTool(b, path, "b3sum", "--num-threads", "1"); s.BLAKE3 != want {
			b.Fatalf("ferry BLAKE3 %s, b3sum %s", s.BLAKE3, want)
		}
	}
}

// BenchmarkB3sum runs the reference BLAKE3 tool, single-threaded, on the
// same file.
func BenchmarkB3sum(b *testing.B) {
	needTool(b, "b3sum", "b3sum")
	size := benchBytes(b)
	path := benchFile(b, "audio.bin", size)
	b.SetBytes(size)
	for b.Loop() {
		runTool(b, path, "b3sum", "--num-threads", "1")
	}
}

// BenchmarkCacheUnchangedRelease re-hashes a 1 GiB release of 10 files
// that did not change, through a warm Cache: the cost of re-dropping it.
// hashed-B/op must be 0.
func BenchmarkCacheUnchangedRelease(b *testing.B) {
	const files = 10
	per := benchBytes(b) / 2 / files
	var paths []string
	for i := range files {
		paths = append(paths, benchFile(b, fmt.Sprintf("release/%02d.wav", i+1), per))
	}
	c, err := OpenCache(filepath.Join(benchDir, "hashcache.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	m := &countingMetrics{}
	c.Metrics = m
	if _, err := c.SumAll(paths, MD5, 2); err != nil {
		b.Fatal(err)
	}
	hashed := m.hashed.Load()
	for b.Loop() {
		if _, err := c.SumAll(paths, MD5, 2); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(m.hashed.Load()-hashed)/float64(b.N), "hashed-B/op")
	b.ReportMetric(float64(files*per)/(1<<30), "release-GiB")
}

// BenchmarkHash measures each hash alone on one core from memory, to
// explain the figures above.
func BenchmarkHash(b *testing.B) {
	buf := make([]byte, bufSize)
	rand.NewChaCha8([32]byte{}).Read(buf)
	for _, h := range []struct {
		name string
		new  func() hash.Hash
	}{
		{"BLAKE3", func() hash.Hash { return blake3.New() }},
		{"MD5", md5.New},
		{"SHA1", sha1.New},
		{"SHA-256", sha256.New},
	} {
		b.Run(h.name, func(b *testing.B) {
			hh := h.new()
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				hh.Write(buf)
			}
		})
	}
}

// BenchmarkReadBuffer reads the big file from the page cache with
// different buffer sizes and no hashing: the cost bufSize trades off.
func BenchmarkReadBuffer(b *testing.B) {
	size := benchBytes(b)
	path := benchFile(b, "audio.bin", size)
	for _, n := range []int{32 << 10, 256 << 10, 1 << 20, 4 << 20} {
		b.Run(fmt.Sprintf("%dKiB", n>>10), func(b *testing.B) {
			buf := make([]byte, n)
			b.SetBytes(size)
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := io.ReadFull(f, buf); err != nil {
						break
					}
				}
				f.Close()
			}
		})
	}
}

// BenchmarkRelease20Tracks hashes a 20-track release (1 GiB by default,
// FERRY_BENCH_BYTES/2 in all) from the page cache as packaging does:
// BLAKE3 and MD5 of every file through a new Cache, GOMAXPROCS files at
// once (FERRY_BENCH_HASH_PARALLEL to explore other counts). In the same run it times `xargs -0 -n 1 -P$(nproc) md5sum` (MD5
// alone, one process per file, nproc at once) over the same files, and
// reports both rates, their ratio (target ≥ 1.0) and the load average.
func BenchmarkRelease20Tracks(b *testing.B) {
	needTool(b, "xargs", "findutils")
	needTool(b, "md5sum", "coreutils")
	const tracks = 20
	per := benchBytes(b) / 2 / tracks
	var paths []string
	for i := range tracks {
		paths = append(paths, benchFile(b, fmt.Sprintf("release20/%02d.wav", i+1), per))
	}
	total := float64(per * tracks)
	procs := runtime.GOMAXPROCS(0)
	parallel := FilesAtOnce(MD5) // as packaging does
	if v := os.Getenv("FERRY_BENCH_HASH_PARALLEL"); v != "" {
		parallel, _ = strconv.Atoi(v) // files at once, to explore
	}
	var ferry, tool time.Duration
	load := loadAverage()
	for i := 0; b.Loop(); i++ {
		c, err := OpenCache(filepath.Join(benchDir, fmt.Sprintf("cache-%d.jsonl", i)))
		if err != nil {
			b.Fatal(err)
		}
		began := time.Now()
		sums, err := c.SumAll(paths, MD5, parallel)
		if err != nil {
			b.Fatal(err)
		}
		ferry += time.Since(began)

		cmd := exec.Command("xargs", "-0", "-n", "1", "-P", strconv.Itoa(procs), "md5sum")
		cmd.Stdin = strings.NewReader(strings.Join(paths, "\x00"))
		began = time.Now()
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("xargs md5sum: %v", err)
		}
		tool += time.Since(began)
		for j, p := range paths {
			if !strings.Contains(string(out), sums[j].HashSum+"  "+p) {
				b.Fatalf("md5sum disagrees on %s (ferry %s)", p, sums[j].HashSum)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(total*n/ferry.Seconds()/1e6, "ferry-MB/s")
	b.ReportMetric(total*n/tool.Seconds()/1e6, "md5sum-MB/s")
	b.ReportMetric(tool.Seconds()/ferry.Seconds(), "ratio")
	b.ReportMetric(load, "load1")
}

// loadAverage is the one-minute load average, for the record of how
// busy the machine was during a benchmark.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	return f
}
