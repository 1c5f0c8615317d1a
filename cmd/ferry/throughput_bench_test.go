package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// BenchmarkPipelineThroughput drops N small releases (a 0.2 s WAV and
// FLAC and a 3000×3000 cover each; FERRY_BENCH_RELEASES, default 1000) at
// once into a real `ferry run` with the sandbox DSP and reports
// releases/min overall, for the first and the last tenth, the daemon's
// peak RSS, and how long `ferry status` takes with them all in
// acknowledged/. The sandbox archives the acknowledgements ferry has
// read (ack.archive), as the embedded one does; FERRY_BENCH_DSPS replaces
// the DSP configuration.
func BenchmarkPipelineThroughput(b *testing.B) {
	dsps := os.Getenv("FERRY_BENCH_DSPS")
	if dsps == "" {
		dsps = `
[dsp.sandbox]
transport = "sandbox"
dpid = "PADPIDA2014122301Q"
ack.poll = "200ms"
ack.timeout = "1h"
ack.archive = "acknowledgements/processed"
`
	}
	for range b.N {
		throughput(b, benchReleases(), dsps)
	}
}

// BenchmarkPipelineThroughputSSHD is the same run with Debian's sshd on
// 127.0.0.1 as the DSP, and beside it a DSP's ingestion (ackResponder)
// that answers every message it finds in the served folder with an
// acceptance, which ferry reads over SFTP and archives (ack.archive).
func BenchmarkPipelineThroughputSSHD(b *testing.B) {
	for range b.N {
		srv := sshdtest.Start(b)
		acks := startAckResponder(b, srv.Root)
		dsp := sshdDSP("dsp", srv, `ack.poll = "200ms"
ack.timeout = "1h"
ack.archive = "acknowledgements/processed"`)
		n := benchReleases()
		throughput(b, n, dsp)
		if got := acks.stop(); got != n {
			b.Errorf("the DSP acknowledged %d messages for %d releases", got, n)
		}
		if left, _ := filepath.Glob(filepath.Join(srv.Root, "acknowledgements", "ACK_*.xml")); len(left) > 0 {
			b.Errorf("%d acknowledgements left unarchived in the DSP's folder", len(left))
		}
	}
}

// benchReleases is FERRY_BENCH_RELEASES, default 1000.
func benchReleases() int {
	n := 1000 // at most 10,000: the releases' ISRCs are numbered from 10000
	if v, err := strconv.Atoi(os.Getenv("FERRY_BENCH_RELEASES")); err == nil && v > 0 {
		n = v
	}
	return n
}

// throughput drops n releases at once into a daemon delivering to dsps,
// waits for all of them in acknowledged/ and reports the rates, the
// daemon's peak RSS and the time of `ferry status`.
func throughput(b *testing.B, n int, dsps string) {
	root := b.TempDir()
	cfg := testConfig(b, root, "bench", dsps)
	// One release's media, linked into every drop: only release.toml
	// differs (its UPC and ISRCs).
	media := releasetest.Write(b, b.TempDir(), "media", 0, releasetest.Options{})
	staging := filepath.Join(root, "staging")
	for i := range n {
		dir := filepath.Join(staging, fmt.Sprintf("r%05d", i))
		os.MkdirAll(dir, 0o755)
		for _, f := range []string{"01.wav", "02.flac", "cover.jpg"} {
			if err := os.Link(filepath.Join(media, f), filepath.Join(dir, f)); err != nil {
				b.Fatal(err)
			}
		}
		os.WriteFile(filepath.Join(dir, "release.toml"), []byte(releasetest.TOML(10000+i, releasetest.Options{})), 0o644)
	}
	d := startDaemon(b, cfg)
	start := time.Now()
	os.MkdirAll(filepath.Join(root, "inbox"), 0o755)
	for i := range n {
		name := fmt.Sprintf("r%05d", i)
		if err := os.Rename(filepath.Join(staging, name), filepath.Join(root, "inbox", name)); err != nil {
			b.Fatal(err)
		}
	}
	var firstTenth, lastTenthStart time.Duration
	for {
		done := countEntries(filepath.Join(root, "acknowledged"))
		if firstTenth == 0 && done >= n/10 {
			firstTenth = time.Since(start)
		}
		if lastTenthStart == 0 && done >= n-n/10 {
			lastTenthStart = time.Since(start)
		}
		if done >= n {
			break
		}
		if failed := countEntries(filepath.Join(root, "failed")); failed > 0 {
			b.Fatalf("%d releases failed", failed)
		}
		if time.Since(start) > 60*time.Minute {
			b.Fatalf("only %d of %d acknowledged after an hour", done, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	total := time.Since(start)
	rss := peakRSS(b, d.cmd.Process.Pid)
	statusStart := time.Now()
	if out, err := exec.Command(ferryBin, "status", "-root", root).CombinedOutput(); err != nil {
		b.Fatalf("ferry status: %v\n%s", err, out[:min(len(out), 500)])
	}
	statusTime := time.Since(statusStart)
	d.stop()
	perMin := func(k int, d time.Duration) float64 { return float64(k) / d.Minutes() }
	b.ReportMetric(perMin(n, total), "releases/min")
	b.ReportMetric(perMin(n/10, firstTenth), "first-tenth-releases/min")
	b.ReportMetric(perMin(n/10, total-lastTenthStart), "last-tenth-releases/min")
	b.ReportMetric(float64(rss>>20), "peak-RSS-MiB")
	b.ReportMetric(statusTime.Seconds()*1000, "status-ms")
}

func countEntries(dir string) int {
	es, _ := os.ReadDir(dir)
	n := 0
	for _, e := range es {
		if e.Name()[0] != '.' {
			n++
		}
	}
	return n
}
