package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/erntest"
	"github.com/ferrydelivery/ferry/stages/delivery/sandbox"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// The lifecycle of a release after go-live, through a real ferry run and
// the sandbox DSP: a takedown from a folder holding only the UPC (the
// message describes the release as delivered, valid against the 4.3
// XSD; the sandbox takes it down; the catalogue says so), a restore that
// sends no file, a full redelivery that sends every file, a purge refused
// without its typed confirmation and accepted with it, a delivery after
// the purge refused, and a takedown of a release never delivered.
func TestLifecycleFromTheUPCAlone(t *testing.T) {
	root := t.TempDir()
	cfg := testConfig(t, root, "node-a", `
[lifecycle]
timezone = "Pacific/Auckland"
[dsp.sandbox]
transport = "sandbox"
dpid = "PADPIDA2014122301Q"
ack.poll = "200ms"
ack.timeout = "1m"
`)
	d := startDaemon(t, cfg)
	staging := t.TempDir()
	dropInto(t, root, releasetest.Write(t, staging, "live", 11, releasetest.Options{}))
	waitFor(t, 30*time.Second, "the release live", func() bool {
		return len(entries(t, filepath.Join(root, "acknowledged"))) == 1
	})

	upc := releasetest.UPC(11)
	down := filepath.Join(staging, "down")
	os.MkdirAll(down, 0o755)
	os.WriteFile(filepath.Join(down, "release.toml"), []byte("upc = \""+upc+"\"\naction = \"takedown\"\n"), 0o644)
	dropInto(t, root, down)
	waitFor(t, 30*time.Second, "the takedown acknowledged", func() bool {
		_, err := os.Stat(filepath.Join(root, "acknowledged", "down@sandbox"))
		return err == nil
	})

	received := filepath.Join(root, ".ferry", "sandbox")
	msgs, _ := filepath.Glob(filepath.Join(received, "received", "N_"+upc+"_*", upc+".xml"))
	var takedown []byte
	for _, m := range msgs {
		b, _ := os.ReadFile(m)
		if got, _, err := ern.Read(bytes.NewReader(b)); err == nil && got.Kind == ern.Takedown {
			takedown = b
		}
	}
	if takedown == nil {
		t.Fatalf("no takedown message among %v", msgs)
	}
	erntest.Validate(t, erntest.Schema(t, "43"), takedown)
	for _, want := range []string{"Test Release 11", "Test Artist", "GBEXR2600011"} {
		if !bytes.Contains(takedown, []byte(want)) {
			t.Errorf("the takedown message does not name %q", want)
		}
	}
	live, err := sandbox.Live(received)
	if err != nil {
		t.Fatal(err)
	}
	if st := live[upc]; st.Status != sandbox.StatusTakenDown {
		t.Errorf("the sandbox holds the release as %+v, want taken down", st)
	}
	out, err := exec.Command(ferryBin, "releases", "-config", cfg, "-json", upc).Output()
	if err != nil {
		t.Fatalf("%v %s", err, out)
	}
	var cat []record.CatalogueRelease
	json.Unmarshal(out, &cat)
	if len(cat) != 1 || cat[0].Platforms[0].State != record.StateTakenDown || len(cat[0].Platforms[0].Messages) != 2 ||
		cat[0].Platforms[0].Messages[1].Drop != "down" || cat[0].Platforms[0].Messages[1].Node != "node-a" {
		t.Errorf("catalogue (the takedown must say it came from the drop \"down\" on node-a) %s", out)
	}

	// Restore from the UPC alone: an update that sends no file, and the
	// sandbox has the release live again.
	restore := filepath.Join(staging, "restore")
	os.MkdirAll(restore, 0o755)
	os.WriteFile(filepath.Join(restore, "release.toml"), []byte("upc = \""+upc+"\"\naction = \"restore\"\n"), 0o644)
	before, _ := filepath.Glob(filepath.Join(received, "received", "N_"+upc+"_*"))
	dropInto(t, root, restore)
	waitFor(t, 30*time.Second, "the restore acknowledged", func() bool {
		_, err := os.Stat(filepath.Join(root, "acknowledged", "restore@sandbox"))
		return err == nil
	})
	after, _ := filepath.Glob(filepath.Join(received, "received", "N_"+upc+"_*"))
	if len(after) != len(before)+1 {
		t.Fatalf("the restore made %d delivery folders", len(after)-len(before))
	}
	newest := after[len(after)-1]
	if res, _ := filepath.Glob(filepath.Join(newest, "resources", "*")); len(res) != 0 {
		t.Errorf("the restore uploaded %v; it must send the message alone", res)
	}
	msg, _ := os.ReadFile(filepath.Join(newest, upc+".xml"))
	erntest.Validate(t, erntest.Schema(t, "43"), msg)
	if live, _ := sandbox.Live(received); live[upc].Status != sandbox.StatusLive {
		t.Errorf("after the restore the sandbox holds %+v", live[upc])
	}

	// A full redelivery sends every file again.
	redeliver := releasetest.Write(t, staging, "redeliver", 11, releasetest.Options{})
	toml, _ := os.ReadFile(filepath.Join(redeliver, "release.toml"))
	os.WriteFile(filepath.Join(redeliver, "release.toml"), append([]byte("action = \"redeliver\"\n"), toml...), 0o644)
	dropInto(t, root, redeliver)
	waitFor(t, 30*time.Second, "the redelivery acknowledged", func() bool {
		_, err := os.Stat(filepath.Join(root, "acknowledged", "redeliver@sandbox"))
		return err == nil
	})
	last, _ := filepath.Glob(filepath.Join(received, "received", "N_"+upc+"_*"))
	if res, _ := filepath.Glob(filepath.Join(last[len(last)-1], "resources", "*")); len(res) != 3 {
		t.Errorf("the redelivery uploaded %v, want every file (3)", res)
	}

	// A partial, scheduled takedown: Germany only, at 05:00 on 1 February
	// 2027 in Auckland (16:00 UTC the day before): an update whose German
	// deal ends on 30 January (the UTC day before), the rest of the world
	// unchanged. No file is sent.
	partial := filepath.Join(staging, "partial")
	os.MkdirAll(partial, 0o755)
	os.WriteFile(filepath.Join(partial, "release.toml"), []byte("upc = \""+upc+"\"\naction = \"takedown\"\n"+
		"takedown_at = \"2027-02-01T05:00\"\nterritories = [\"DE\"]\n"), 0o644)
	dropInto(t, root, partial)
	waitFor(t, 30*time.Second, "the partial takedown acknowledged", func() bool {
		_, err := os.Stat(filepath.Join(root, "acknowledged", "partial@sandbox"))
		return err == nil
	})
	folders, _ := filepath.Glob(filepath.Join(received, "received", "N_"+upc+"_*"))
	newestFolder := folders[len(folders)-1]
	if res, _ := filepath.Glob(filepath.Join(newestFolder, "resources", "*")); len(res) != 0 {
		t.Errorf("the partial takedown uploaded %v", res)
	}
	pt, _ := os.ReadFile(filepath.Join(newestFolder, upc+".xml"))
	erntest.Validate(t, erntest.Schema(t, "43"), pt)
	got, _, err := ern.Read(bytes.NewReader(pt))
	if err != nil {
		t.Fatal(err)
	}
	var de, rest bool
	for _, d := range got.Release.Deals {
		if len(d.Territories) == 1 && d.Territories[0] == "DE" && d.EndDate == "2027-01-30" {
			de = true
		}
		if len(d.Territories) == 1 && d.Territories[0] == "Worldwide" && len(d.ExcludedTerritories) == 1 && d.EndDate == "" {
			rest = true
		}
	}
	if !de || !rest {
		t.Errorf("deals %+v: want Germany ending 2027-01-30 and the rest of the world unchanged\n%s", got.Release.Deals, pt)
	}

	// A purge without its typed confirmation fails; with it, the sandbox
	// purges the release, and a later delivery of the UPC is refused.
	dropUPCOnly := func(name, extra string) string {
		dir := filepath.Join(staging, name)
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "release.toml"), []byte("upc = \""+upc+"\"\n"+extra), 0o644)
		dropInto(t, root, dir)
		return name
	}
	waitErrors := func(name, phrase string) {
		t.Helper()
		item := filepath.Join(root, "failed", name)
		waitFor(t, 30*time.Second, name+" in failed/", func() bool {
			_, err := os.Stat(filepath.Join(item, "ERRORS.txt"))
			return err == nil
		})
		if b, _ := os.ReadFile(filepath.Join(item, "ERRORS.txt")); !strings.Contains(string(b), phrase) {
			t.Errorf("%s: ERRORS.txt does not say %q:\n%s", name, phrase, b)
		}
	}
	waitErrors(dropUPCOnly("purge-unconfirmed", "action = \"purge\"\n"), "cannot be undone")
	dropUPCOnly("purge", "action = \"purge\"\nconfirm_purge = \""+upc+"\"\n")
	waitFor(t, 30*time.Second, "the purge acknowledged", func() bool {
		_, err := os.Stat(filepath.Join(root, "acknowledged", "purge@sandbox"))
		return err == nil
	})
	if live, _ := sandbox.Live(received); live[upc].Status != sandbox.StatusPurged {
		t.Errorf("after the purge the sandbox holds %+v", live[upc])
	}
	purges, _ := filepath.Glob(filepath.Join(received, "received", "N_"+upc+"_*", upc+".xml"))
	pm, _ := os.ReadFile(purges[len(purges)-1])
	if !bytes.Contains(pm, []byte("PurgeReleaseMessage")) {
		t.Errorf("the last message is not a purge:\n%s", pm)
	}
	erntest.Validate(t, erntest.Schema(t, "43"), pm)
	dropInto(t, root, releasetest.Write(t, staging, "after-purge", 11, releasetest.Options{}))
	waitErrors("after-purge@sandbox", "purged")

	// A takedown of a release never delivered: nothing to do, said so.
	never := filepath.Join(staging, "never")
	os.MkdirAll(never, 0o755)
	os.WriteFile(filepath.Join(never, "release.toml"), []byte("upc = \""+releasetest.UPC(12)+"\"\naction = \"takedown\"\n"), 0o644)
	dropInto(t, root, never)
	item := filepath.Join(root, "failed", "never")
	waitFor(t, 30*time.Second, "the pointless takedown failed", func() bool {
		_, err := os.Stat(filepath.Join(item, "ERRORS.txt"))
		return err == nil
	})
	if b, _ := os.ReadFile(filepath.Join(item, "ERRORS.txt")); !strings.Contains(string(b), "nothing to take down") {
		t.Errorf("ERRORS.txt:\n%s", b)
	}
	d.stop()
}

// A takedown from the UPC alone is a complete, valid message in each of
// the seven ERN versions: seven sandbox DSPs, one per version, get the
// release, then its takedown, each checked against its version's XSD.
func TestTakedownInEveryVersion(t *testing.T) {
	versions := map[string]string{"v382": "3.8.2", "v41": "4.1", "v411": "4.1.1", "v42": "4.2", "v43": "4.3", "v431": "4.3.1", "v432": "4.3.2"}
	var dsps strings.Builder
	for name, v := range versions {
		dsps.WriteString("[dsp." + name + "]\ntransport = \"sandbox\"\ndpid = \"PADPIDA2014122301Q\"\nern_version = \"" + v + "\"\nack.poll = \"200ms\"\n")
	}
	root := t.TempDir()
	d := startDaemon(t, testConfig(t, root, "node-a", dsps.String()))
	staging := t.TempDir()
	dropInto(t, root, releasetest.Write(t, staging, "seven", 41, releasetest.Options{}))
	waitFor(t, 60*time.Second, "the release at seven DSPs", func() bool {
		return len(entries(t, filepath.Join(root, "acknowledged"))) == 7
	})
	upc := releasetest.UPC(41)
	down := filepath.Join(staging, "down")
	os.MkdirAll(down, 0o755)
	os.WriteFile(filepath.Join(down, "release.toml"), []byte("upc = \""+upc+"\"\naction = \"takedown\"\n"), 0o644)
	dropInto(t, root, down)
	waitFor(t, 60*time.Second, "seven takedowns acknowledged", func() bool {
		return len(entries(t, filepath.Join(root, "acknowledged"))) == 14
	})
	msgs, _ := filepath.Glob(filepath.Join(root, ".ferry", "sandbox", "received", "N_"+upc+"_*", upc+".xml"))
	takedowns := map[string]bool{}
	for _, m := range msgs {
		b, _ := os.ReadFile(m)
		got, v, err := ern.Read(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		if got.Kind != ern.Takedown {
			continue
		}
		takedowns[string(v)] = true
		erntest.Validate(t, erntest.Schema(t, strings.ReplaceAll(string(v), ".", "")), b)
		if !bytes.Contains(b, []byte("Test Release 41")) {
			t.Errorf("the %s takedown does not name the release's title", v)
		}
	}
	if len(takedowns) != 7 {
		t.Errorf("takedowns in %v, want all seven versions", takedowns)
	}
	d.stop()
}

// The lifecycle against Debian's sshd as the DSP (no acknowledgements:
// delivered once uploaded): a takedown from the UPC alone names the
// release, and a restore sends the message alone — asserted on what the
// server holds.
func TestLifecycleToSSHD(t *testing.T) {
	srv := sshdtest.Start(t)
	root := t.TempDir()
	d := startDaemon(t, testConfig(t, root, "node-a", sshdDSP("dsp", srv, `ack.mode = "none"`)))
	staging := t.TempDir()
	dropInto(t, root, releasetest.Write(t, staging, "live", 51, releasetest.Options{}))
	upc := releasetest.UPC(51)
	step := func(name, toml string) string {
		t.Helper()
		dir := filepath.Join(staging, name)
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "release.toml"), []byte("upc = \""+upc+"\"\n"+toml), 0o644)
		dropInto(t, root, dir)
		waitFor(t, 30*time.Second, name+" delivered", func() bool {
			_, err := os.Stat(filepath.Join(root, "acknowledged", name+"@dsp"))
			return err == nil
		})
		folders, _ := filepath.Glob(filepath.Join(srv.Root, "N_"+upc+"_*"))
		return folders[len(folders)-1]
	}
	waitFor(t, 30*time.Second, "the release live", func() bool {
		_, err := os.Stat(filepath.Join(root, "acknowledged", "live@dsp"))
		return err == nil
	})
	down := step("down", "action = \"takedown\"\n")
	msg, _ := os.ReadFile(filepath.Join(down, upc+".xml"))
	erntest.Validate(t, erntest.Schema(t, "43"), msg)
	if !bytes.Contains(msg, []byte("Test Release 51")) {
		t.Error("the takedown does not name the release")
	}
	restored := step("restore", "action = \"restore\"\n")
	if res, _ := filepath.Glob(filepath.Join(restored, "resources", "*")); len(res) != 0 {
		t.Errorf("the restore uploaded %v to sshd", res)
	}
	d.stop()
}
