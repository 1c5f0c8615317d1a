package sftp

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/delivery/transporttest"
)

// benchCipher is forced on the server, so ferry and OpenSSH's sftp client
// encrypt the same way in the side-by-side benchmarks.
const benchCipher = "aes128-gcm@openssh.com"

// memDir is a tmpfs where benchmark files live when it exists, so that
// disk writeback does not blur a comparison of transports
// (FERRY_BENCH_DISK=1 keeps them on disk).
const memDir = "/dev/shm"

func useMemDir() bool {
	if os.Getenv("FERRY_BENCH_DISK") != "" {
		return false
	}
	fi, err := os.Stat(memDir)
	return err == nil && fi.IsDir()
}

// startBenchServer runs sshd with benchCipher and its Root in memory.
func startBenchServer(b *testing.B) *sshdtest.Server {
	opts := []sshdtest.Option{sshdtest.Ciphers(benchCipher)}
	if useMemDir() {
		opts = append(opts, sshdtest.RootUnder(memDir))
	}
	return sshdtest.Start(b, opts...)
}

// benchDir is a folder for source files, in memory when possible.
func benchDir(b *testing.B) string {
	if !useMemDir() {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp(memDir, "ferry-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// prefault writes and removes size bytes under dir. The first writes to
// memory a VM has never touched are much slower (page faults in guest and
// host): without this, whichever client runs first pays for them (seen as
// clear_page and page faults in sshd's profile), and later ones reuse the
// freed pages.
func prefault(b *testing.B, dir string, size int64) {
	path := filepath.Join(dir, ".prefault")
	writeRandomFile(b, path, 99, size)
	if err := os.Remove(path); err != nil {
		b.Fatal(err)
	}
}

// writeRandomFile writes size pseudo-random bytes (incompressible, made
// once) to path.
func writeRandomFile(b *testing.B, path string, seed uint64, size int64) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, randomStream(seed, size)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// sftpCLI runs OpenSSH's sftp with batch commands against s and returns
// the CPU time it and its ssh used.
func sftpCLI(b *testing.B, s *sshdtest.Server, batch string) time.Duration {
	b.Helper()
	return sftpCLIVia(b, s, s.Port, s.KnownHostsFile, batch)
}

// sftpCLIVia is sftpCLI connecting to port (a relay in front of s) with
// knownHosts pinning s's key there.
func sftpCLIVia(b *testing.B, s *sshdtest.Server, port int, knownHosts, batch string) time.Duration {
	b.Helper()
	cmd := exec.Command("sftp", "-q", "-b", "-", "-F", "/dev/null",
		"-i", s.ClientKeyFile, "-c", benchCipher, "-P", strconv.Itoa(port),
		"-o", "UserKnownHostsFile="+knownHosts, "-o", "StrictHostKeyChecking=yes",
		"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
		s.User+"@"+s.Host)
	cmd.Stdin = stringsReader(batch)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("sftp: %v\n%s", err, out)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// selfCPU is the CPU time this process has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sideBySide runs upload b.N times and reports, besides MB/s, the CPU
// seconds per GiB of the client (this process, or the CPU upload returns
// for external programs) and of the server (sshd and its connection
// processes): figures that other load on a shared machine disturbs less
// than MB/s. Before each upload, untimed, clear removes the previous
// upload's files: on this kind of VM, memory that keeps growing (tmpfs)
// slows every writer down, and ferry's rename-over-existing would hold
// two copies at once where sftp truncates one.
func sideBySide(b *testing.B, s *sshdtest.Server, bytesPerOp int64, clear func(), upload func() (external time.Duration)) {
	b.Cleanup(func() {
		if b.N > 0 && b.Elapsed() > 0 {
			rates[b.Name()] = float64(bytesPerOp) * float64(b.N) / b.Elapsed().Seconds() / 1e6
		}
	})
	b.SetBytes(bytesPerOp)
	var client time.Duration
	server := s.CPU()
	for b.Loop() {
		b.StopTimer()
		clear()
		self := selfCPU()
		b.StartTimer()
		external := upload()
		b.StopTimer()
		if external > 0 {
			client += external
		} else {
			client += selfCPU() - self
		}
		b.StartTimer()
	}
	b.StopTimer()
	clear()
	time.Sleep(100 * time.Millisecond) // sshd reaps the ended connections
	gib := float64(bytesPerOp) * float64(b.N) / (1 << 30)
	b.ReportMetric(client.Seconds()/gib, "client-cpu-s/GiB")
	b.ReportMetric((s.CPU()-server).Seconds()/gib, "server-cpu-s/GiB")
}

// rates holds each finished sub-benchmark's MB/s by name, for the ratio
// its parent logs.
var rates = map[string]float64{}

// logRatio prints the MB/s of b's ferry and sftp sub-benchmarks side by
// side, their ratio and the load average.
func logRatio(b *testing.B, ferry, sftp string) {
	f, s := rates[b.Name()+"/"+ferry], rates[b.Name()+"/"+sftp]
	if f > 0 && s > 0 {
		// Printed, not logged: go test shows a parent benchmark's log only
		// with -v.
		fmt.Printf("%s: %s %.1f MB/s, %s %.1f MB/s: ratio %.2f (load1 %.2f)\n", b.Name(), ferry, f, sftp, s, f/s, loadAverage())
	}
}

func stringsReader(s string) io.Reader { return &stringReader{s: s} }

type stringReader struct{ s string }

func (r *stringReader) Read(b []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	n := copy(b, r.s)
	r.s = r.s[n:]
	return n, nil
}

func needSFTPCLI(b *testing.B) {
	if _, err := exec.LookPath("sftp"); err != nil {
		b.Skip("sftp (openssh-client) not installed: skipping the side-by-side")
	}
}

// BenchmarkUpload1GiB uploads one 1 GiB file to a local OpenSSH server:
// ferry's Put against `sftp -b` put, same cipher, same server.
func BenchmarkUpload1GiB(b *testing.B) {
	const size = 1 << 30
	s := startBenchServer(b)
	src := filepath.Join(benchDir(b), "big.bin")
	writeRandomFile(b, src, 7, size)
	prefault(b, s.Root, 2*size)
	ctx := context.Background()

	remove := func(name string) func() {
		return func() { os.Remove(filepath.Join(s.Root, name)) }
	}
	b.Run("ferry", func(b *testing.B) {
		sideBySide(b, s, size, remove("big-ferry.bin"), func() time.Duration {
			c, err := New(benchOptions(b, s, 0))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			f, err := os.Open(src)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			if err := c.Put(ctx, "big-ferry.bin", f, size); err != nil {
				b.Fatal(err)
			}
			return 0
		})
	})
	b.Run("sftp", func(b *testing.B) {
		needSFTPCLI(b)
		sideBySide(b, s, size, remove("big-sftp.bin"), func() time.Duration {
			return sftpCLI(b, s, "put "+src+" big-sftp.bin\n")
		})
	})
	logRatio(b, "ferry", "sftp")
}

// BenchmarkUpload1000Files uploads 1,000 files of 100 KB: ferry runs
// benchSessions Puts at once over one connection, and ferry-batch one
// PutBatch; sftp puts them one after the other (a batch `put` of the
// folder's files).
func BenchmarkUpload1000Files(b *testing.B) {
	const count, size = 1000, 100_000
	s := startBenchServer(b)
	dir := filepath.Join(benchDir(b), "small")
	os.Mkdir(dir, 0o755)
	for i := range count {
		writeRandomFile(b, filepath.Join(dir, fmt.Sprintf("f%04d.bin", i)), uint64(i), size)
	}
	prefault(b, s.Root, 2*count*size)
	ctx := context.Background()

	// The remote folder is re-created empty before each upload.
	fresh := func(name string) func() {
		return func() {
			os.RemoveAll(filepath.Join(s.Root, name))
			os.Mkdir(filepath.Join(s.Root, name), 0o755)
		}
	}
	b.Run("ferry", func(b *testing.B) {
		sideBySide(b, s, count*size, fresh("small-ferry"), func() time.Duration {
			c, err := New(benchOptions(b, s, benchSessions))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			if err := transporttest.PutFiles(ctx, c, dir, "small-ferry", count, size, c.o.MaxSessions); err != nil {
				b.Fatal(err)
			}
			return 0
		})
	})
	// PutBatch, as Upload sends a delivery's resources.
	b.Run("ferry-batch", func(b *testing.B) {
		sideBySide(b, s, count*size, fresh("small-batch"), func() time.Duration {
			c, err := New(benchOptions(b, s, 0))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			if err := c.PutBatch(ctx, batchFromDir(dir, "small-batch", count, size), func(int, error) {}); err != nil {
				b.Fatal(err)
			}
			return 0
		})
	})
	b.Run("sftp", func(b *testing.B) {
		needSFTPCLI(b)
		sideBySide(b, s, count*size, fresh("small-sftp"), func() time.Duration {
			return sftpCLI(b, s, "put "+dir+"/* small-sftp/\n")
		})
	})
	logRatio(b, "ferry", "sftp")
	logRatio(b, "ferry-batch", "sftp")
}

// benchSessions is MaxSessions for the many-files benchmark: 16 uploads
// in flight over the one connection (the default is 8).
const benchSessions = 16

// benchOptions are the client options the benchmarks use: defaults, but
// sessions; FERRY_BENCH_PACKET, FERRY_BENCH_CONCURRENCY and
// FERRY_BENCH_SESSIONS override PacketSize, Concurrency and MaxSessions
// to explore other settings, FERRY_BENCH_BATCH_WINDOW PutBatch's window.
func benchOptions(b *testing.B, s *sshdtest.Server, sessions int) Options {
	o := options(b, s)
	o.Logger = nil
	o.MaxSessions = sessions
	if v := os.Getenv("FERRY_BENCH_BATCH_WINDOW"); v != "" {
		batchWindowOverride, _ = strconv.Atoi(v)
	}
	for env, field := range map[string]*int{
		"FERRY_BENCH_PACKET":      &o.PacketSize,
		"FERRY_BENCH_CONCURRENCY": &o.Concurrency,
		"FERRY_BENCH_SESSIONS":    &o.MaxSessions,
	} {
		if v := os.Getenv(env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				b.Fatalf("%s: %v", env, err)
			}
			*field = n
		}
	}
	return o
}
