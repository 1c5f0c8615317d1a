package s3

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferrydelivery/ferry/stages/delivery/s3/s3test"
	"github.com/ferrydelivery/ferry/stages/delivery/transporttest"
)

// The side-by-side benchmarks run ferry's S3 transport and `rclone copy`
// (Debian's rclone, `make bench` installs it) against the same versitygw
// server, with the same part size and concurrency. Files live in memory
// (/dev/shm) when it exists, so that disk writeback does not blur the
// comparison; FERRY_BENCH_DISK=1 keeps them on disk.
const (
	benchPartMiB     = 16
	benchConcurrency = 4
)

func benchDir(b *testing.B) string {
	if os.Getenv("FERRY_BENCH_DISK") == "" {
		if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
			dir, err := os.MkdirTemp("/dev/shm", "ferry-s3-bench-")
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return b.TempDir()
}

func writeRandomFile(b *testing.B, p string, seed uint64, size int64) {
	b.Helper()
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, seed+1))
	buf := make([]byte, 1<<20)
	for left := size; left > 0; {
		buf := buf[:min(left+8, int64(len(buf)))&^7]
		for i := 0; i+8 <= len(buf); i += 8 {
			v := r.Uint64()
			for j := range 8 {
				buf[i+j] = byte(v >> (8 * j))
			}
		}
		n := min(left, int64(len(buf)))
		if _, err := f.Write(buf[:n]); err != nil {
			b.Fatal(err)
		}
		left -= n
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// rcloneCopy runs `rclone copy src :s3:bucket/dst` with the given part
// size and concurrency, and returns the CPU time it used.
func rcloneCopy(b *testing.B, s *s3test.Server, src, dst string, transfers int) time.Duration {
	b.Helper()
	cmd := exec.Command("rclone", "copy", src, ":s3:"+s.Bucket+"/"+dst,
		"--config", "/dev/null", "-q",
		"--s3-provider", "Other", "--s3-env-auth", "--s3-endpoint", s.Endpoint, "--s3-force-path-style",
		"--s3-chunk-size", strconv.Itoa(benchPartMiB)+"M", "--s3-upload-cutoff", strconv.Itoa(benchPartMiB)+"M",
		"--s3-upload-concurrency", strconv.Itoa(benchConcurrency),
		"--transfers", strconv.Itoa(transfers), "--checkers", strconv.Itoa(transfers))
	env := []string{"AWS_ACCESS_KEY_ID=" + s.AccessKey, "AWS_SECRET_ACCESS_KEY=" + s.SecretKey, "HOME=" + b.TempDir()}
	for _, kv := range os.Environ() {
		// rclone 1.60's SDK refuses AWS_CA_BUNDLE with its own HTTP client.
		if len(kv) > 14 && kv[:14] == "AWS_CA_BUNDLE=" {
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("rclone: %v\n%s", err, out)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sideBySide runs ferry's upload and rclone's in turns, b.N rounds, the
// bucket cleared (untimed) before each, so that both meet the same load
// on a shared machine; it reports each one's MB/s and client CPU seconds
// per GiB, and the ratio of their times (rclone's over ferry's: above 1,
// ferry is faster).
func sideBySide(b *testing.B, s *s3test.Server, bytesPerOp int64, ferry func(), rclone func() time.Duration) {
	_, err := exec.LookPath("rclone")
	if err != nil {
		b.Log("rclone not installed (`make bench` installs it): ferry alone")
		rclone = func() time.Duration { return 0 }
	}
	var ferryWall, rcloneWall, ferryCPU, rcloneCPU time.Duration
	for b.Loop() {
		b.StopTimer()
		clearBucket(b, s)
		self, start := selfCPU(), time.Now()
		b.StartTimer()
		ferry()
		b.StopTimer()
		ferryWall += time.Since(start)
		ferryCPU += selfCPU() - self
		clearBucket(b, s)
		start = time.Now()
		rcloneCPU += rclone()
		rcloneWall += time.Since(start)
		b.StartTimer()
	}
	b.StopTimer()
	clearBucket(b, s)
	gib := float64(bytesPerOp) * float64(b.N) / (1 << 30)
	mb := float64(bytesPerOp) * float64(b.N) / 1e6
	b.ReportMetric(mb/ferryWall.Seconds(), "ferry-MB/s")
	if err == nil {
		b.ReportMetric(mb/rcloneWall.Seconds(), "rclone-MB/s")
		b.ReportMetric(rcloneWall.Seconds()/ferryWall.Seconds(), "ratio")
		b.ReportMetric(rcloneCPU.Seconds()/gib, "rclone-cpu-s/GiB")
	}
	b.ReportMetric(ferryCPU.Seconds()/gib, "ferry-cpu-s/GiB")
}

// clearBucket empties the bucket's folder behind the server's back
// (posix backend: one file per object).
func clearBucket(b *testing.B, s *s3test.Server) {
	entries, _ := os.ReadDir(filepath.Join(s.Root, s.Bucket))
	for _, e := range entries {
		if e.Name()[0] != '.' {
			os.RemoveAll(filepath.Join(s.Root, s.Bucket, e.Name()))
		}
	}
}

func benchTransport(b *testing.B, s *s3test.Server) *Transport {
	b.Setenv(testKeyEnv, s.AccessKey)
	b.Setenv(testSecretEnv, s.SecretKey)
	tr, err := New(context.Background(), Options{Bucket: s.Bucket, Endpoint: s.Endpoint, PathStyle: true,
		Credentials: Credentials{Source: SourceEnv, AccessKeyEnv: testKeyEnv, SecretKeyEnv: testSecretEnv},
		PartSize:    benchPartMiB << 20, Concurrency: benchConcurrency})
	if err != nil {
		b.Fatal(err)
	}
	return tr
}

// BenchmarkUpload1GiB uploads one 1 GiB file: ferry's Put (multipart,
// 16 MiB parts, 4 at once) against `rclone copy` with the same settings.
func BenchmarkUpload1GiB(b *testing.B) {
	const size = 1 << 30
	dir := benchDir(b)
	s := s3test.Start(b, filepath.Join(dir, "server"))
	src := filepath.Join(dir, "src", "big.bin")
	os.MkdirAll(filepath.Dir(src), 0o755)
	writeRandomFile(b, src, 7, size)
	ctx := context.Background()
	sideBySide(b, s, size, func() {
		tr := benchTransport(b, s)
		defer tr.Close()
		f, err := os.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := tr.Put(ctx, "big/big.bin", f, size); err != nil {
			b.Fatal(err)
		}
	}, func() time.Duration {
		return rcloneCopy(b, s, filepath.Dir(src), "big", 1)
	})
	checkStored(b, s)
}

// BenchmarkUpload1000Files uploads 1,000 files of 100 KB: ferry runs 4
// Puts at once, rclone copies the folder with --transfers 4.
func BenchmarkUpload1000Files(b *testing.B) {
	const count, size = 1000, 100_000
	dir := benchDir(b)
	s := s3test.Start(b, filepath.Join(dir, "server"))
	src := filepath.Join(dir, "small")
	os.MkdirAll(src, 0o755)
	for i := range count {
		writeRandomFile(b, filepath.Join(src, fmt.Sprintf("f%04d.bin", i)), uint64(i), size)
	}
	ctx := context.Background()
	sideBySide(b, s, count*size, func() {
		tr := benchTransport(b, s)
		defer tr.Close()
		if err := transporttest.PutFiles(ctx, tr, src, "small", count, size, benchConcurrency); err != nil {
			b.Fatal(err)
		}
	}, func() time.Duration {
		return rcloneCopy(b, s, src, "small", benchConcurrency)
	})
}

// checkStored makes sure the server is still answering after the runs.
func checkStored(b *testing.B, s *s3test.Server) {
	if _, err := s.Client().ListObjectsV2(context.Background(), &awss3.ListObjectsV2Input{Bucket: &s.Bucket}); err != nil {
		b.Fatalf("server: %v", err)
	}
}
