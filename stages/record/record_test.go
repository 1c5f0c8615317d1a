package record

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func testRoot(t *testing.T) (*Root, string) {
	t.Helper()
	dir := t.TempDir()
	r, err := OpenRoot(dir, "node", func() time.Time { return time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC) })
	if err != nil {
		t.Fatal(err)
	}
	return r, dir
}

// newItem makes an item folder holding a file, adopted and saved.
func newItem(t *testing.T, r *Root, dir, name string) *Item {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(p, "a.wav"), []byte("audio"), 0o644)
	it, a, err := r.Adopt(p)
	if err != nil || a.Kept {
		t.Fatalf("adopt: %v %+v", err, a)
	}
	it.State.Attempt = 1
	if err := it.Save(); err != nil {
		t.Fatal(err)
	}
	return it
}

func TestStateRoundTripsAndIsKept(t *testing.T) {
	r, dir := testRoot(t)
	it := newItem(t, r, dir, "x")
	it.State.DSP = "spotify"
	it.State.Blocked = map[string][]string{"a": {"b"}}
	if err := it.Save(); err != nil {
		t.Fatal(err)
	}
	again, a, err := r.Adopt(it.Path())
	if err != nil || !a.Kept || a.Why != "" {
		t.Fatalf("adopt of our own record: %v %+v", err, a)
	}
	if again.State.DSP != "spotify" || again.State.ID != it.State.ID || again.State.Blocked["a"][0] != "b" {
		t.Errorf("state %+v, want %+v", again.State, it.State)
	}
}

// Every way a drop can carry a .ferry/ that is not this root's record:
// each is set aside unread, and the item starts a fresh record.
func TestAdoptSetsAsideWhatIsNotOurs(t *testing.T) {
	other, otherDir := testRoot(t)
	foreign := newItem(t, other, otherDir, "from-another-root")
	foreignState, err := os.ReadFile(filepath.Join(foreign.Path(), ItemDir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("root:x:0:0"), 0o600)

	cases := []struct {
		name  string
		setup func(rec string)
	}{
		{"forged JSON state", func(rec string) {
			os.WriteFile(filepath.Join(rec, stateFile), []byte(`{"release":"../../../x","dsp":"a/b","attempt":1}`), 0o644)
		}},
		{"state sealed by another root", func(rec string) {
			os.WriteFile(filepath.Join(rec, stateFile), foreignState, 0o644)
		}},
		{"state as a link", func(rec string) { os.Symlink(outside, filepath.Join(rec, stateFile)) }},
		{"state as a FIFO", func(rec string) { syscall.Mkfifo(filepath.Join(rec, stateFile), 0o644) }},
		{"state as a folder", func(rec string) { os.Mkdir(filepath.Join(rec, stateFile), 0o755) }},
		{"huge sparse state", func(rec string) {
			f, _ := os.Create(filepath.Join(rec, stateFile))
			f.Truncate(512 << 20)
			f.Close()
		}},
		{"history as a link, no state", func(rec string) { os.Symlink(outside, filepath.Join(rec, historyFile)) }},
		{"history as a device", func(rec string) { os.Symlink("/dev/zero", filepath.Join(rec, historyFile)) }},
		{"forged delivery", func(rec string) {
			os.WriteFile(filepath.Join(rec, DeliveryFile), []byte(`{"folder":"../../somewhere"}`), 0o644)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, dir := testRoot(t)
			item := filepath.Join(dir, "drop")
			rec := filepath.Join(item, ItemDir)
			os.MkdirAll(rec, 0o755)
			c.setup(rec)
			it, a, err := r.Adopt(item)
			if err != nil {
				t.Fatal(err)
			}
			if a.Kept || a.SetAside == "" || a.Why == "" {
				t.Fatalf("adoption %+v: the carried record was not set aside", a)
			}
			if it.State.ID == "" || it.State.DSP != "" || it.State.Attempt != 0 {
				t.Errorf("state %+v, want a fresh one", it.State)
			}
			if _, err := os.Lstat(filepath.Join(item, a.SetAside)); err != nil {
				t.Errorf("set-aside folder: %v", err)
			}
			entries, _ := os.ReadDir(rec)
			for _, e := range entries {
				if !strings.HasPrefix(e.Name(), setAsidePrefix) {
					t.Errorf("%s left in %s", e.Name(), ItemDir)
				}
			}
			// The item works from here: a transition is recorded, and the
			// history holds only ferry's lines.
			if err := it.Prepare(HistoryLine{Time: time.Now(), From: "inbox", To: "validated", Node: "node"}); err != nil {
				t.Fatal(err)
			}
			if err := it.Moved(item); err != nil {
				t.Fatal(err)
			}
			lines, err := it.History()
			if err != nil || len(lines) != 1 || lines[0].To != "validated" {
				t.Errorf("history %+v %v", lines, err)
			}
			if b, _ := os.ReadFile(outside); string(b) != "root:x:0:0" {
				t.Errorf("the file outside the drop changed: %q", b)
			}
		})
	}
}

// .ferry itself as a link to a folder outside the drop: ferry never
// writes through it.
func TestAdoptRemovesRecordFolderLink(t *testing.T) {
	r, dir := testRoot(t)
	outside := t.TempDir()
	item := filepath.Join(dir, "drop")
	os.MkdirAll(item, 0o755)
	os.Symlink(outside, filepath.Join(item, ItemDir))
	it, a, err := r.Adopt(item)
	if err != nil {
		t.Fatal(err)
	}
	if a.Why == "" {
		t.Error("the link was not reported")
	}
	if err := it.Save(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("ferry wrote through the link: %v", entries)
	}
	if fi, err := os.Lstat(filepath.Join(item, ItemDir)); err != nil || !fi.IsDir() {
		t.Errorf("%s is not a real folder now: %v", ItemDir, err)
	}
}

func TestLoadRefusesWhatIsNotOurs(t *testing.T) {
	r, dir := testRoot(t)
	item := filepath.Join(dir, "drop")
	os.MkdirAll(filepath.Join(item, ItemDir), 0o755)
	os.WriteFile(filepath.Join(item, ItemDir, stateFile), []byte(`{"seal":"00","data":{"id":"x"}}`), 0o644)
	if _, err := r.Load(item, "packaged"); !errors.Is(err, ErrForged) {
		t.Errorf("Load of a forged record: %v, want ErrForged", err)
	}
	// A sealed state altered by one byte no longer verifies.
	it := newItem(t, r, dir, "ours")
	p := filepath.Join(it.Path(), ItemDir, stateFile)
	b, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(b, []byte(`"attempt":1`), []byte(`"attempt":2`), 1), 0o644)
	if _, err := r.Load(it.Path(), "packaged"); !errors.Is(err, ErrForged) {
		t.Errorf("Load of an altered record: %v, want ErrForged", err)
	}
}

func TestDeliveryCheckRefusesPathsFerryNeverMakes(t *testing.T) {
	good := func() *Delivery {
		return &Delivery{DSP: "sandbox", ReleaseID: "5901234123457", Folder: "N_5901234123457_20261205120000000",
			Files: []DeliveredFile{{Role: RoleResource, Package: "N_5901234123457_20261205120000000/resources/a.wav",
				Remote: "N_5901234123457_20261205120000000/resources/a.wav"}}}
	}
	if err := good().Check(); err != nil {
		t.Fatalf("a delivery ferry makes: %v", err)
	}
	for name, mod := range map[string]func(*Delivery){
		"folder climbing out":       func(d *Delivery) { d.Folder = "../../somewhere" },
		"folder = acknowledgements": func(d *Delivery) { d.Folder = "acknowledgements" },
		"folder = .":                func(d *Delivery) { d.Folder = "." },
		"batch id with ..":          func(d *Delivery) { d.Folder, d.BatchID = "N_20261205120000000", "../x" },
		"file outside the folder":   func(d *Delivery) { d.Files[0].Remote, d.Files[0].Package = "x.wav", "x.wav" },
		"file climbing out":         func(d *Delivery) { d.Files[0].Remote = d.Folder + "/../../x"; d.Files[0].Package = d.Files[0].Remote },
		"absolute file":             func(d *Delivery) { d.Files[0].Remote, d.Files[0].Package = "/etc/passwd", "/etc/passwd" },
		"package differs":           func(d *Delivery) { d.Files[0].Package = d.Folder + "/other.wav" },
		"release id with slash":     func(d *Delivery) { d.ReleaseID = "a/b" },
		"dsp with slash":            func(d *Delivery) { d.DSP = "../x" },
		"hidden file":               func(d *Delivery) { d.Files[0].Remote = d.Folder + "/.x"; d.Files[0].Package = d.Files[0].Remote },
	} {
		d := good()
		mod(d)
		if err := d.Check(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestUploadsBatchAndSurviveReload(t *testing.T) {
	r, dir := testRoot(t)
	it := newItem(t, r, dir, "x")
	up := it.Uploads()
	for i := range uploadsBatch - 1 {
		if err := up.Mark(string(rune('a'+i%26))+strings.Repeat("x", i), UploadedEntry{BLAKE3: "b", Size: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(it.Path(), ItemDir, UploadedFile)); err == nil {
		t.Error("the record was written before its batch was full")
	}
	if err := up.Flush(); err != nil {
		t.Fatal(err)
	}
	again := it.Uploads()
	if !again.Has("a", "b", 1) || again.Has("a", "c", 1) || len(again.entries) != uploadsBatch-1 {
		t.Errorf("reloaded %d entries", len(again.entries))
	}
}

// A root's key made by a crash before it was synced (empty) is replaced;
// two opens of a fresh root agree on one key.
func TestRootKey(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, RootDir), 0o755)
	os.WriteFile(filepath.Join(dir, RootDir, keyFile), nil, 0o600)
	a, err := OpenRoot(dir, "a", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenRoot(dir, "b", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.seal.key) != 32 || !bytes.Equal(a.seal.key, b.seal.key) {
		t.Error("the two opens use different keys")
	}
	fi, _ := os.Stat(filepath.Join(dir, RootDir, keyFile))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v", fi.Mode().Perm())
	}
}

// A transition whose move happened but whose history line a crash kept
// from being written is confirmed when the item is loaded in its new
// stage; one whose move did not happen is dropped.
func TestPendingTransitionIsConfirmedOnlyWhereItLanded(t *testing.T) {
	r, dir := testRoot(t)
	it := newItem(t, r, dir, "x")
	if err := it.Prepare(HistoryLine{Time: time.Now(), From: "packaged", To: "uploaded", Node: "n"}); err != nil {
		t.Fatal(err)
	}
	// crash here: no Moved
	loaded, err := r.Load(it.Path(), "uploaded")
	if err != nil {
		t.Fatal(err)
	}
	lines, _ := loaded.History()
	if len(lines) != 1 || lines[0].To != "uploaded" {
		t.Errorf("history after a crash past the move: %+v", lines)
	}
	if err := loaded.Prepare(HistoryLine{Time: time.Now(), From: "uploaded", To: "acknowledged", Node: "n"}); err != nil {
		t.Fatal(err)
	}
	// crash before the move: the item is still in uploaded/
	again, err := r.Load(it.Path(), "uploaded")
	if err != nil {
		t.Fatal(err)
	}
	lines, _ = again.History()
	if len(lines) != 1 {
		t.Errorf("a move that never happened is in the history: %+v", lines)
	}
}

func TestWriteErrorsLeavesNoTemporaryBeside(t *testing.T) {
	r, dir := testRoot(t)
	it := newItem(t, r, dir, "x")
	if err := it.WriteErrors([]byte("report")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(it.Path())
	for _, e := range entries {
		if e.Name() != "a.wav" && e.Name() != ErrorsFile && e.Name() != ItemDir {
			t.Errorf("unexpected %s in the item", e.Name())
		}
	}
	// A temporary file an interrupted write left in .ferry/ is removed
	// when the item is next opened.
	os.WriteFile(filepath.Join(it.Path(), ItemDir, tmpPrefix+"123"), []byte("x"), 0o644)
	if _, err := r.Load(it.Path(), "failed"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(it.Path(), ItemDir, tmpPrefix+"123")); err == nil {
		t.Error("the leftover temporary file is still there")
	}
}

func TestGoneItem(t *testing.T) {
	r, dir := testRoot(t)
	it := newItem(t, r, dir, "x")
	os.RemoveAll(it.Path())
	if err := it.Save(); !errors.Is(err, ErrGone) {
		t.Errorf("Save of a deleted item: %v, want ErrGone", err)
	}
	if _, err := os.Stat(it.Path()); err == nil {
		t.Error("the deleted item was made again")
	}
}
