package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/pipeline"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/record"
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
//   - every history records each transition once, in order;
//   - the catalogue lists every release once, live at both DSPs with the
//     message its instance sent, once.
//
// `make test` runs a short storm; `make soak` sets FERRY_SOAK_RELEASES
// and FERRY_SOAK_KILLS to 200 or more.
func TestSoakSIGKILLStorm(t *testing.T) {
	releases, kills := envInt("FERRY_SOAK_RELEASES", 16), envInt("FERRY_SOAK_KILLS", 10)
	root := filepath.Join(t.TempDir(), "root")
	soak(t, root, root, root, releases, kills, false)
}

// TestSoakTwoMachinesOneShare is the storm with the root on a share: one
// folder served by Debian's sshd, mounted twice with sshfs (FUSE), one
// daemon on each mount, as two machines would see it. sshfs keeps flock
// local to each mount and has no RENAME_NOREPLACE, so this is where the
// lease and the check-then-rename fallback must hold. Both daemons are
// killed at random throughout. `make soak` runs it with 200 releases.
func TestSoakTwoMachinesOneShare(t *testing.T) {
	releases, kills := envInt("FERRY_SOAK_RELEASES", 10), envInt("FERRY_SOAK_KILLS", 8)
	share := sshdtest.Start(t)
	a, b := mountShare(t, share), mountShare(t, share)
	soak(t, filepath.Join(a, "root"), filepath.Join(b, "root"), filepath.Join(share.Root, "root"), releases, kills, true)
}

// soak drops releases for two logging sshd DSPs into the root (seen at
// rootA by node-a, rootB by node-b), runs the SIGKILL storm, lets node-a
// finish, and checks exactly-once on both sides. With both, node-b
// storms all along; without, for the middle third.
//
// The checks at the end read the root where it is stored (onDisk: the
// share's own folder), not through a mount: an sshfs mount caches
// listings and file sizes for up to 20 s, so through node-a's mount a
// folder node-b moved away can still be listed, and node-b's index file
// read short.
func soak(t *testing.T, rootA, rootB, onDisk string, releases, kills int, both bool) {
	dspA := sshdtest.Start(t, sshdtest.LogSFTP())
	dspB := sshdtest.Start(t, sshdtest.LogSFTP())
	dsps := sshdDSP("alpha", dspA, `ack.mode = "none"`) + sshdDSP("beta", dspB, `ack.mode = "none"`)
	cfgA := testConfig(t, rootA, "node-a", dsps)
	cfgB := testConfig(t, rootB, "node-b", dsps)

	// The stage folders exist once a daemon has started.
	startDaemon(t, cfgA).kill()
	staging := filepath.Join(rootA, "staging") // on the root's filesystem: drops are renames
	os.MkdirAll(staging, 0o755)
	for i := range releases {
		dropInto(t, rootA, releasetest.Write(t, staging, fmt.Sprintf("soak-%03d", i), 1000+i, releasetest.Options{}))
	}
	os.Remove(staging)

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
			if len(entries(t, filepath.Join(rootA, "acknowledged"))) < 2*releases {
				killedMidWay++
			}
			mu.Unlock()
		}
	}
	if both {
		var second sync.WaitGroup
		second.Go(func() { storm(cfgB, kills/2) })
		storm(cfgA, kills-kills/2)
		second.Wait()
	} else {
		third := kills / 3
		storm(cfgA, third)
		var second sync.WaitGroup
		second.Go(func() { storm(cfgB, third) }) // two daemons on one root
		storm(cfgA, third)
		second.Wait()
		storm(cfgA, kills-2*third)
	}

	final := startDaemon(t, cfgA)
	waitFor(t, 5*time.Minute, "every release acknowledged by both DSPs", func() bool {
		return len(entries(t, filepath.Join(rootA, "acknowledged"))) >= 2*releases
	})
	final.stop()
	// Node-b starts once more, as every daemon eventually does: its start
	// clears what its last interrupted writes left in its own folder.
	startDaemon(t, cfgB).stop()
	t.Logf("soak: %d releases × 2 DSPs, %d SIGKILLs (%d while work was left), %s", releases, killed, killedMidWay, time.Since(start).Round(time.Second))

	root := onDisk
	for _, s := range []string{"inbox", "validated", "packaged", "uploaded", "failed"} {
		if left := entries(t, filepath.Join(root, s)); len(left) > 0 {
			t.Errorf("%s/ holds %v", s, left)
			for _, l := range left {
				out, _ := exec.Command("find", filepath.Join(root, s, l), "-ls").CombinedOutput()
				hist, _ := pipeline.ReadHistory(filepath.Join(root, s, l))
				t.Logf("%s:\n%s\nhistory %+v", l, out, hist)
			}
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
	checkCatalogue(t, root, acked, releases)
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && (strings.HasPrefix(fi.Name(), "tmp-") || strings.Contains(fi.Name(), ".tmp-")) {
			t.Errorf("temporary file left under the root: %s", p)
		}
		return nil
	})
}

// mountShare mounts srv's folder with sshfs and returns the mount point;
// without sshfs or FUSE the test is skipped (failed under CI=true).
func mountShare(t *testing.T, srv *sshdtest.Server) string {
	t.Helper()
	sshfs, err := exec.LookPath("sshfs")
	if err != nil {
		missingTool(t, "sshfs missing (Debian package sshfs; make test installs it)")
	}
	// FUSE is the machine's, not a package make test can install: without
	// it (a container without /dev/fuse or the right to mount) the test
	// is skipped, saying so, like the full-disk test without root.
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("no /dev/fuse on this machine: sshfs cannot mount; the two-machine storm is skipped")
	}
	dir := t.TempDir()
	out, err := exec.Command(sshfs, "-p", strconv.Itoa(srv.Port),
		"-o", "IdentityFile="+srv.ClientKeyFile+",UserKnownHostsFile="+srv.KnownHostsFile+",StrictHostKeyChecking=yes,reconnect,ServerAliveInterval=5",
		srv.User+"@"+srv.Host+":", dir).CombinedOutput()
	if err != nil {
		t.Skipf("sshfs cannot mount here (%v: %s); the two-machine storm is skipped", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if exec.Command("fusermount", "-u", dir).Run() != nil {
			exec.Command("umount", "-l", dir).Run()
		}
	})
	return dir
}

// missingTool skips a test that needs what this machine lacks, except
// under CI=true, where make test installs it and its absence is a failure.
func missingTool(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// sshdDSP configures DSP name as Debian's sshd srv, with ack (lines of
// the DSP's ack settings, e.g. `ack.mode = "none"`).
func sshdDSP(name string, srv *sshdtest.Server, ack string) string {
	return fmt.Sprintf(`
[dsp.%s]
dpid = "PADPIDA2014122301Q"
%s
[dsp.%s.sftp]
host = %q
port = %d
user = %q
key_file = %q
known_hosts = %q
`, name, ack, name, srv.Host, srv.Port, srv.User, srv.ClientKeyFile, srv.KnownHostsFile)
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

// checkCatalogue verifies the catalogue after the storm: every release
// once, live at both DSPs, each DSP's last message the one its
// acknowledged instance sent, and that message once in its history.
func checkCatalogue(t *testing.T, root string, acked []string, releases int) {
	t.Helper()
	rec, err := record.OpenReader(root)
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]string{} // "<release id>@<dsp>" → the MessageId its instance sent
	for _, name := range acked {
		it, err := rec.Load(filepath.Join(root, "acknowledged", name), "acknowledged")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		d, err := it.Delivery()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		sent[d.ReleaseID+"@"+d.DSP] = d.MessageID
	}
	cat, err := rec.Catalogue("", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat) != releases {
		t.Errorf("the catalogue lists %d releases, want %d", len(cat), releases)
	}
	seen := map[string]bool{}
	for _, c := range cat {
		if seen[c.ReleaseID] {
			t.Errorf("the catalogue lists %s twice", c.ReleaseID)
		}
		seen[c.ReleaseID] = true
		if len(c.Platforms) != 2 {
			t.Errorf("%s: at %d DSPs, want alpha and beta: %+v", c.ReleaseID, len(c.Platforms), c.Platforms)
		}
		for _, p := range c.Platforms {
			want := sent[c.ReleaseID+"@"+p.DSP]
			if p.State != record.StateLive || p.Last.MessageID != want || len(p.Messages) != 1 || p.Messages[0].MessageID != want {
				t.Errorf("%s at %s: %s, last message %s, history %+v; its instance sent %s", c.ReleaseID, p.DSP, p.State, p.Last.MessageID, p.Messages, want)
			}
		}
	}
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
