package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/pipeline"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// TestSoakSIGKILLStorm drops releases for two DSPs (Debian's sshd, each
// logging every SFTP request) and kills the daemon with SIGKILL again and
// again after random lifetimes of 50–1500 ms, with a second daemon on the
// same root for the middle third of the storm. Then one daemon finishes
// the work, and the test checks exactly-once on both sides:
//   - every release reached acknowledged/ once per DSP, nothing is stuck
//     in a stage, a claim folder or failed/;
//   - on each DSP, every file was renamed into its final name exactly
//     once (sshd's log), and one message per release arrived;
//   - no temporary file is left, on the DSP or under the root;
//   - every history records each transition once, in order.
//
// `make test` runs a short storm; `make soak` sets FERRY_SOAK_RELEASES
// and FERRY_SOAK_KILLS to 200 or more.
func TestSoakSIGKILLStorm(t *testing.T) {
	releases, kills := envInt("FERRY_SOAK_RELEASES", 16), envInt("FERRY_SOAK_KILLS", 10)
	dspA := sshdtest.Start(t, sshdtest.LogSFTP())
	dspB := sshdtest.Start(t, sshdtest.LogSFTP())
	root := filepath.Join(t.TempDir(), "root")
	cfgA := testConfig(t, root, "node-a", soakDSP("alpha", dspA)+soakDSP("beta", dspB))
	cfgB := testConfig(t, root, "node-b", soakDSP("alpha", dspA)+soakDSP("beta", dspB))

	// The stage folders exist once a daemon has started.
	startDaemon(t, cfgA).kill()
	staging := t.TempDir()
	for i := range releases {
		dropInto(t, root, releasetest.Write(t, staging, fmt.Sprintf("soak-%03d", i), 1000+i, releasetest.Options{}))
	}

	start := time.Now()
	var killed, killedMidWay int
	var mu sync.Mutex
	storm := func(cfg string, n int) {
		for range n {
			d := startDaemon(t, cfg)
			time.Sleep(time.Duration(50+rand.IntN(1450)) * time.Millisecond)
			d.kill()
			mu.Lock()
			killed++
			if len(entries(t, filepath.Join(root, "acknowledged"))) < 2*releases {
				killedMidWay++
			}
			mu.Unlock()
		}
	}
	third := kills / 3
	storm(cfgA, third)
	var second sync.WaitGroup
	second.Go(func() { storm(cfgB, third) }) // two daemons on one root
	storm(cfgA, third)
	second.Wait()
	storm(cfgA, kills-2*third)

	final := startDaemon(t, cfgA)
	waitFor(t, 3*time.Minute, "every release acknowledged by both DSPs", func() bool {
		return len(entries(t, filepath.Join(root, "acknowledged"))) >= 2*releases
	})
	final.stop()
	t.Logf("soak: %d releases × 2 DSPs, %d SIGKILLs (%d while work was left), %s", releases, killed, killedMidWay, time.Since(start).Round(time.Second))

	for _, s := range []string{"inbox", "validated", "packaged", "uploaded", "failed"} {
		if left := entries(t, filepath.Join(root, s)); len(left) > 0 {
			t.Errorf("%s/ holds %v", s, left)
		}
	}
	if left := claimedLeft(t, root); len(left) > 0 {
		t.Errorf("claims left: %v", left)
	}
	acked := entries(t, filepath.Join(root, "acknowledged"))
	if len(acked) != 2*releases {
		t.Errorf("acknowledged/ holds %d items, want %d (each release once per DSP): %v", len(acked), 2*releases, acked)
	}
	for _, name := range acked {
		checkHistory(t, filepath.Join(root, "acknowledged", name))
	}
	for name, srv := range map[string]*sshdtest.Server{"alpha": dspA, "beta": dspB} {
		checkRenamedOnce(t, name, srv, releases)
	}
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && (strings.HasPrefix(fi.Name(), "tmp-") || strings.Contains(fi.Name(), ".tmp-")) {
			t.Errorf("temporary file left under the root: %s", p)
		}
		return nil
	})
}

func soakDSP(name string, srv *sshdtest.Server) string {
	return fmt.Sprintf(`
[dsp.%s]
dpid = "PADPIDA2014122301Q"
ack.mode = "none"
[dsp.%s.sftp]
host = %q
port = %d
user = %q
key_file = %q
known_hosts = %q
`, name, name, srv.Host, srv.Port, srv.User, srv.ClientKeyFile, srv.KnownHostsFile)
}

// renameLine is how OpenOSS's sftp-server logs a rename at -l INFO.
var renameLine = regexp.MustCompile(`(?:posix-)?rename old "([^"]+)" new "([^"]+)"`)

// checkRenamedOnce counts, in the DSP's SFTP log, the renames into each
// final name: one each, one message per release, and no temporary file
// left behind.
func checkRenamedOnce(t *testing.T, dsp string, srv *sshdtest.Server, releases int) {
	t.Helper()
	log, err := os.ReadFile(srv.SFTPLogFile)
	if err != nil {
		t.Fatal(err)
	}
	into := map[string]int{}
	messages := 0
	for _, m := range renameLine.FindAllStringSubmatch(string(log), -1) {
		into[m[2]]++
		if strings.HasSuffix(m[2], ".xml") {
			messages++
		}
	}
	for name, n := range into {
		if n != 1 {
			t.Errorf("%s: %s was renamed into place %d times", dsp, name, n)
		}
	}
	if messages != releases {
		t.Errorf("%s: %d messages arrived, want %d (one per release)", dsp, messages, releases)
	}
	filepath.Walk(srv.Root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(fi.Name(), ".ferry-tmp") {
			t.Errorf("%s: temporary file left on the DSP: %s", dsp, p)
		}
		return nil
	})
}

// checkHistory verifies an acknowledged item's history: the four moves in
// order, each once, numbered without gaps or repeats.
func checkHistory(t *testing.T, item string) {
	t.Helper()
	hist, err := pipeline.ReadHistory(item)
	if err != nil {
		t.Errorf("%s: %v", filepath.Base(item), err)
		return
	}
	var moves []string
	seq := 0
	for _, h := range hist {
		if h.From == h.To {
			continue // a failed try
		}
		moves = append(moves, h.From+">"+h.To)
		if h.Seq != seq+1 {
			t.Errorf("%s: transition %s>%s numbered %d after %d", filepath.Base(item), h.From, h.To, h.Seq, seq)
		}
		seq = h.Seq
	}
	want := "inbox>validated validated>packaged packaged>uploaded uploaded>acknowledged"
	if got := strings.Join(moves, " "); got != want {
		t.Errorf("%s: history %s, want %s", filepath.Base(item), got, want)
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
