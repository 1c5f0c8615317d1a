package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Folder.Peek reads what Root.Peek reads, and refuses what it refuses:
// links anywhere on the way to the state file, anything but a regular
// file, a record not this root's, a file over the cap.
func TestFolderPeekMatchesPeek(t *testing.T) {
	r, dir := testRoot(t)
	stage := filepath.Join(dir, "acknowledged")
	os.Mkdir(stage, 0o755)
	outside := newItem(t, r, dir, "outside") // a real record, reached only through links
	state := func(name string) string { return filepath.Join(stage, name, ItemDir, stateFile) }

	good := newItem(t, r, stage, "good")
	good.State.DSP, good.State.MessageID = "sandbox", "m1"
	good.Save()
	// The same record reformatted: its seal still verifies (the slow way).
	newItem(t, r, stage, "indented")
	raw, _ := os.ReadFile(state("indented"))
	var pretty bytes.Buffer
	json.Indent(&pretty, raw, "", "  ")
	os.WriteFile(state("indented"), pretty.Bytes(), 0o644)

	os.Mkdir(filepath.Join(stage, "no-record"), 0o755)
	os.Symlink(outside.Path(), filepath.Join(stage, "item-link"))
	os.Mkdir(filepath.Join(stage, "record-link"), 0o755)
	os.Symlink(filepath.Join(outside.Path(), ItemDir), filepath.Join(stage, "record-link", ItemDir))
	newItem(t, r, stage, "state-link")
	os.Remove(state("state-link"))
	os.Symlink(filepath.Join(outside.Path(), ItemDir, stateFile), state("state-link"))
	newItem(t, r, stage, "fifo")
	os.Remove(state("fifo"))
	if err := syscall.Mkfifo(state("fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	newItem(t, r, stage, "forged")
	raw, _ = os.ReadFile(state("forged"))
	os.WriteFile(state("forged"), bytes.Replace(raw, []byte(`"attempt":1`), []byte(`"attempt":2`), 1), 0o644)
	newItem(t, r, stage, "huge")
	os.WriteFile(state("huge"), make([]byte, maxStateSize+1), 0o644)
	os.WriteFile(filepath.Join(stage, "file"), nil, 0o644)

	f, err := r.OpenFolder(stage)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		name string
		ok   bool
		want error
	}{
		{"good", true, nil},
		{"indented", true, nil},
		{"no-record", false, os.ErrNotExist},
		{"item-link", false, nil},
		{"record-link", false, ErrNotRegular},
		{"state-link", false, ErrNotRegular},
		{"fifo", false, ErrNotRegular},
		{"forged", false, ErrForged},
		{"huge", false, ErrTooLarge},
		{"file", false, nil},
		{"missing", false, ErrGone},
		{"../outside", false, nil},
	}
	switch _, err := f.readState("good"); {
	case errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EPERM):
		t.Logf("openat2 is not available here (%v): the fallback is tested twice", err)
	case err != nil:
		t.Errorf("the one-open read of a good record: %v", err)
	}
	// Both ways: openat2, and the one kernels without it take.
	defer noOpenat2.Store(noOpenat2.Load())
	for _, tt := range tests {
		for _, way := range []string{"openat2", "fallback"} {
			noOpenat2.Store(way == "fallback")
			t.Run(tt.name+"/"+way, func(t *testing.T) {
				got, err := f.Peek(tt.name)
				want, wantErr := r.Peek(filepath.Join(stage, tt.name))
				if (err == nil) != tt.ok {
					t.Fatalf("Peek: %+v, %v; want ok=%v", got, err, tt.ok)
				}
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Errorf("error %v, want %v", err, tt.want)
				}
				if tt.name == "../outside" {
					if err == nil {
						t.Errorf("a name leading outside the folder was read: %+v", got)
					}
					return
				}
				if got.ID != want.ID || got.DSP != want.DSP || got.MessageID != want.MessageID || (err == nil) != (wantErr == nil) {
					t.Errorf("Folder.Peek %+v, %v; Root.Peek %+v, %v", got, err, want, wantErr)
				}
				if tt.ok && got.ID == outside.State.ID {
					t.Errorf("read the record outside through a link")
				}
			})
		}
	}
}

// A record in seal's own shape is read in one parse only when its seal
// verifies over its very bytes: any change to the data, the seal, or
// what the record is bound to fails.
func TestSealedVerbatim(t *testing.T) {
	s := newSealer(bytes.Repeat([]byte{7}, 32))
	raw, err := s.seal("state.json", "", State{ID: "x", Attempt: 1})
	if err != nil {
		t.Fatal(err)
	}
	var st State
	if err := s.open("state.json", "", append(raw, '\n'), &st); err != nil || st.ID != "x" {
		t.Fatalf("open: %+v, %v", st, err)
	}
	if _, ok := s.verbatim("state.json", "", raw); !ok {
		t.Error("seal's own output does not take the one-parse way")
	}
	otherSeal := bytes.Clone(raw)
	otherSeal[len(sealHead)] ^= 1 // '0'↔'1', 'a'↔'`': another seal or no hex
	for name, bad := range map[string][]byte{
		"data changed":  bytes.Replace(raw, []byte(`"attempt":1`), []byte(`"attempt":9`), 1),
		"seal changed":  otherSeal,
		"trailing data": append(bytes.Clone(raw), []byte(`{}`)...),
	} {
		if err := s.open("state.json", "", bad, &st); !errors.Is(err, ErrForged) {
			t.Errorf("%s: %v, want ErrForged", name, err)
		}
	}
	if err := s.open("history.jsonl", "", raw, &st); !errors.Is(err, ErrForged) {
		t.Errorf("another kind's record: %v, want ErrForged", err)
	}
	if err := s.open("state.json", "item", raw, &st); !errors.Is(err, ErrForged) {
		t.Errorf("another item's record: %v, want ErrForged", err)
	}
}
