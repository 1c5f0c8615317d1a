package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// A drop is untrusted, its .ferry/ folder included. Each case below forges
// ferry's records inside a dropped folder the way the hostile-drop corpus
// did; a real `ferry run` must deliver every release as if the forged
// records were not there, and nothing may happen outside the root or
// outside each delivery's own folder on the DSP.
func TestForgedRecordsInADrop(t *testing.T) {
	t.Run("sandbox", func(t *testing.T) {
		base := t.TempDir()
		root := filepath.Join(base, "root")
		forgedDrops(t, base, root, "sandbox", "", filepath.Join(root, ".ferry", "sandbox", "received"))
	})
	t.Run("sshd", func(t *testing.T) {
		srv := sshdtest.Start(t)
		base := t.TempDir()
		root := filepath.Join(base, "root")
		dsps := sshdDSP("sshd", srv, `ack.mode = "none"`)
		forgedDrops(t, base, root, "sshd", dsps, srv.Root)
	})
}

// deliveryFolder is the only shape of a top-level folder ferry creates on
// a DSP release by release.
var deliveryFolder = regexp.MustCompile(`^N_[0-9]{13}_[0-9]{17}$`)

func forgedDrops(t *testing.T, base, root, dsp, dsps, received string) {
	secret := filepath.Join(base, "secret.txt")
	const secretText = "root:SECRET-CONTENT:0:0"
	if err := os.WriteFile(secret, []byte(secretText), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, testConfig(t, root, "node-a", dsps))

	// A first delivery, so that a forged re-drop can copy real records.
	staging := t.TempDir()
	dropInto(t, root, releasetest.Write(t, staging, "first", 1, releasetest.Options{}))
	first := filepath.Join(root, "acknowledged", "first@"+dsp)
	waitFor(t, 40*time.Second, "the first delivery", func() bool { _, err := os.Stat(first); return err == nil })

	plain := func(v any) []byte { b, _ := json.Marshal(v); return b }
	bogusSeal := func(v any) []byte {
		b, _ := json.Marshal(map[string]any{"seal": strings.Repeat("0", 64), "data": v})
		return b
	}
	forgedDelivery := func(upc, folder, batch string) map[string]any {
		return map[string]any{"dsp": dsp, "release_id": upc, "upc": upc, "message_id": "FORGED", "folder": folder, "batch_id": batch,
			"files": []map[string]any{{"role": "message", "package": folder + "/x.xml", "remote": folder + "/x.xml", "size": 1, "provided": true}}}
	}
	type forge struct {
		name string
		n    int
		make func(t *testing.T, rel string)
	}
	cases := []forge{
		{"climb", 2, func(t *testing.T, rel string) {
			upc := releasetest.UPC(2)
			writeForged(t, rel, "delivery.json", plain(forgedDelivery(upc, "../../../../../"+filepath.Base(base)+"/outside-climb", "../../x")))
			writeForged(t, rel, "state.json", plain(map[string]any{"dsp": dsp, "release": "../../../x", "attempt": 1, "drop_id": "x"}))
		}},
		{"ack-folder", 3, func(t *testing.T, rel string) {
			writeForged(t, rel, "delivery.json", bogusSeal(forgedDelivery(releasetest.UPC(3), "acknowledgements", "")))
		}},
		{"dot-folder", 4, func(t *testing.T, rel string) {
			writeForged(t, rel, "delivery.json", plain(forgedDelivery(releasetest.UPC(4), ".", "")))
		}},
		{"release-name", 5, func(t *testing.T, rel string) {
			writeForged(t, rel, "state.json", plain(map[string]any{"release": "a/b", "attempt": 1}))
		}},
		{"history-link", 6, func(t *testing.T, rel string) {
			os.MkdirAll(filepath.Join(rel, ".ferry"), 0o755)
			if err := os.Symlink(secret, filepath.Join(rel, ".ferry", "history.jsonl")); err != nil {
				t.Fatal(err)
			}
		}},
		{"history-device", 7, func(t *testing.T, rel string) {
			os.MkdirAll(filepath.Join(rel, ".ferry"), 0o755)
			p := filepath.Join(rel, ".ferry", "history.jsonl")
			if syscall.Mknod(p, syscall.S_IFCHR|0o666, int(devNumber(1, 5))) != nil { // /dev/zero
				if err := os.Symlink("/dev/zero", p); err != nil { // not root: a link to it
					t.Fatal(err)
				}
			}
		}},
		{"state-fifo", 8, func(t *testing.T, rel string) {
			os.MkdirAll(filepath.Join(rel, ".ferry"), 0o755)
			if err := syscall.Mkfifo(filepath.Join(rel, ".ferry", "state.json"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"sparse", 9, func(t *testing.T, rel string) {
			os.MkdirAll(filepath.Join(rel, ".ferry"), 0o755)
			for _, name := range []string{"state.json", "blob"} {
				f, err := os.Create(filepath.Join(rel, ".ferry", name))
				if err != nil {
					t.Fatal(err)
				}
				f.Truncate(512 << 20)
				f.Close()
			}
		}},
	}
	for _, c := range cases {
		rel := releasetest.Write(t, staging, c.name, c.n, releasetest.Options{})
		c.make(t, rel)
		dropInto(t, root, rel)
	}

	// The first release again with changed audio, carrying the first
	// delivery's genuine records plus a forged record claiming the new
	// audio is already on the server.
	redrop := releasetest.Write(t, staging, "changed", 1, releasetest.Options{})
	wav := filepath.Join(redrop, "01.wav")
	audio, _ := os.ReadFile(wav)
	for i := len(audio) - 64; i < len(audio); i++ {
		audio[i] ^= 0x55 // same size, other samples
	}
	os.WriteFile(wav, audio, 0o644)
	if out, err := exec.Command("cp", "-r", filepath.Join(first, ".ferry"), redrop).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	var claim []byte
	for _, m := range globAll(t, received, "N_"+releasetest.UPC(1)+"_*/resources/*") {
		rel, _ := filepath.Rel(received, m)
		claim = append(append(claim, bogusSeal(map[string]any{"remote": rel, "blake3": "forged", "size": fileSize(t, m)})...), '\n')
	}
	writeForged(t, redrop, "uploaded.jsonl", claim)
	dropInto(t, root, redrop)

	for _, c := range append(cases, forge{name: "changed"}) {
		done := filepath.Join(root, "acknowledged", c.name+"@"+dsp)
		waitFor(t, 60*time.Second, c.name+" delivered", func() bool { _, err := os.Stat(done); return err == nil })
	}

	// Nothing outside the root.
	if es, _ := os.ReadDir(base); len(es) != 2 {
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		t.Errorf("outside the root, %s holds %v; want only root/ and secret.txt", base, names)
	}
	// On the DSP: only delivery folders ferry names, the acknowledgement
	// folder holds acknowledgements alone, and every release in its own.
	for _, e := range readDir(t, received) {
		switch {
		case e == "acknowledgements":
			for _, a := range readDir(t, filepath.Join(received, e)) {
				if !strings.HasPrefix(a, "ACK_") {
					t.Errorf("the DSP's acknowledgement folder holds %s", a)
				}
			}
		case !deliveryFolder.MatchString(e):
			t.Errorf("the DSP received a top-level %q", e)
		}
	}
	for _, c := range cases {
		if len(globAll(t, received, "N_"+releasetest.UPC(c.n)+"_*/resources/*.wav")) == 0 {
			t.Errorf("%s: its audio never reached the DSP", c.name)
		}
	}
	// The changed audio reached the DSP: some delivery of release 1 holds
	// exactly the new bytes.
	found := false
	for _, m := range globAll(t, received, "N_"+releasetest.UPC(1)+"_*/resources/*01-01.wav") {
		if b, _ := os.ReadFile(m); bytes.Equal(b, audio) {
			found = true
		}
	}
	if !found {
		t.Error("the re-drop with changed audio did not upload the changed audio")
	}
	// The secret behind the link was never read into anything ferry wrote.
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && fi.Size() < 1<<20 {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secretText)) {
				t.Errorf("%s holds the secret's text", p)
			}
		}
		return nil
	})
	// The 512 MB sparse records were not copied into the delivery instance.
	if _, err := os.Stat(filepath.Join(root, "acknowledged", "sparse@"+dsp, ".ferry", "blob")); err == nil {
		t.Error("the dropped .ferry/blob was copied into the delivery instance")
	}
	if hwm := peakRSS(t, d.cmd.Process.Pid); hwm > 200<<20 {
		t.Errorf("peak memory %d MB; the sparse records were read", hwm>>20)
	}
	d.stop()
}

// writeForged puts a forged record into a drop's .ferry/.
func writeForged(t *testing.T, rel, name string, data []byte) {
	t.Helper()
	dir := filepath.Join(rel, ".ferry")
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// dropInto moves a prepared release into the inbox in one rename.
func dropInto(t *testing.T, root, rel string) {
	t.Helper()
	if err := os.Rename(rel, filepath.Join(root, "inbox", filepath.Base(rel))); err != nil {
		t.Fatal(err)
	}
}

func globAll(t *testing.T, dir, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func fileSize(t *testing.T, p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// peakRSS is a process's peak resident memory (VmHWM), in bytes.
func peakRSS(t testing.TB, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func devNumber(major, minor uint32) uint64 {
	return uint64(major)<<8 | uint64(minor)
}
