package sftp

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/wanrelay"
)

// wanLink is the long link of the WAN benchmarks: 50 ms each way, a
// 100 ms round trip (Europe to the US west coast), no loss, a 4 MiB TCP
// window per connection (Linux's default send buffer maximum).
var wanLink = wanrelay.Link{Delay: 50 * time.Millisecond}

// envInt reads a positive integer setting of the benchmarks, or def.
func envInt(b *testing.B, name string, def int64) int64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// loadAverage is the one-minute load average.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	return f
}

// race times ferry and then sftp once per iteration, each after its
// clear, and reports both rates for bytes per upload, their ratio and
// the load average before and after.
func race(b *testing.B, bytes int64, clear func(), ferry, sftp func()) {
	var tf, ts time.Duration
	before := loadAverage()
	for b.Loop() {
		b.StopTimer()
		clear()
		began := time.Now()
		ferry()
		tf += time.Since(began)
		clear()
		began = time.Now()
		sftp()
		ts += time.Since(began)
		b.StartTimer()
	}
	clear()
	mb := float64(bytes) * float64(b.N) / 1e6
	b.ReportMetric(mb/tf.Seconds(), "ferry-MB/s")
	b.ReportMetric(mb/ts.Seconds(), "sftp-MB/s")
	b.ReportMetric(ts.Seconds()/tf.Seconds(), "ratio")
	b.ReportMetric(before, "load1-before")
	b.ReportMetric(loadAverage(), "load1-after")
}

// wanBench starts sshd behind a relay with wanLink and returns it with
// client options through the relay (FERRY_BENCH_STREAMS overrides
// Streams) and the relay's known_hosts.
func wanBench(b *testing.B) (*sshdtest.Server, Options, *wanrelay.Relay) {
	needSFTPCLI(b)
	s := startBenchServer(b)
	o, r := relayTo(b, s, wanLink)
	o.Logger = nil
	o.Streams = int(envInt(b, "FERRY_BENCH_STREAMS", 0))
	return s, o, r
}

// BenchmarkWANUpload1GiB uploads one file of 1 GiB (FERRY_BENCH_WAN_BYTES)
// through a 100 ms round trip: ferry's Put with its defaults (streams
// chosen from the round trip) against `sftp -b` put, same cipher, same
// relay, same server.
func BenchmarkWANUpload1GiB(b *testing.B) {
	size := envInt(b, "FERRY_BENCH_WAN_BYTES", 1<<30)
	s, o, r := wanBench(b)
	src := filepath.Join(benchDir(b), "big.bin")
	writeRandomFile(b, src, 7, size)
	prefault(b, s.Root, 2*size)
	known := o.KnownHosts
	ctx := context.Background()
	race(b, size, func() { os.Remove(filepath.Join(s.Root, "big.bin")) }, func() {
		c, err := New(o)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		f, err := os.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := c.Put(ctx, "big.bin", f, size); err != nil {
			b.Fatal(err)
		}
	}, func() {
		sftpCLIVia(b, s, r.Port(), known, "put "+src+" big.bin\n")
	})
}

// BenchmarkWANUpload1000Files uploads 1,000 files of 100 KB
// (FERRY_BENCH_WAN_FILES files) through a 100 ms round trip: ferry's
// PutBatch, as Upload sends a delivery's resources, against a batch `put`
// of the folder's files with `sftp -b`.
func BenchmarkWANUpload1000Files(b *testing.B) {
	count := int(envInt(b, "FERRY_BENCH_WAN_FILES", 1000))
	const size = 100_000
	s, o, r := wanBench(b)
	dir := filepath.Join(benchDir(b), "small")
	os.Mkdir(dir, 0o755)
	for i := range count {
		writeRandomFile(b, filepath.Join(dir, fmt.Sprintf("f%04d.bin", i)), uint64(i), size)
	}
	prefault(b, s.Root, 2*int64(count)*size)
	ctx := context.Background()
	fresh := func() {
		os.RemoveAll(filepath.Join(s.Root, "small"))
		os.Mkdir(filepath.Join(s.Root, "small"), 0o755)
	}
	race(b, int64(count)*size, fresh, func() {
		c, err := New(o)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if err := c.PutBatch(ctx, batchFromDir(dir, "small", count, size), func(int, error) {}); err != nil {
			b.Fatal(err)
		}
	}, func() {
		sftpCLIVia(b, s, r.Port(), o.KnownHosts, "put "+dir+"/* small/\n")
	})
}

// batchFromDir is the PutBatch of count files f0000.bin… of size bytes
// in dir, to remote folder to.
func batchFromDir(dir, to string, count int, size int64) []delivery.BatchFile {
	files := make([]delivery.BatchFile, count)
	for i := range files {
		name := fmt.Sprintf("f%04d.bin", i)
		files[i] = delivery.BatchFile{Path: to + "/" + name, Size: size, Open: func() (io.ReadCloser, error) {
			return os.Open(filepath.Join(dir, name))
		}}
	}
	return files
}
