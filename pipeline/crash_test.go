package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// A release found in validated/ without a record of this root's (its
// state lost in a crash, or put there by hand) is never fanned out: a
// delivery instance named "@dsp" for a release ferry did not check would
// deliver it a second time (K2). It fails, saying how to start it over.
func TestValidatedFolderWithoutRecordIsNotDelivered(t *testing.T) {
	cfg := localConfig(t)
	e, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	releasetest.Write(t, e.layout.Dir(Validated), "orphan", 1, releasetest.Options{})
	startEngine(t, e)
	item := filepath.Join(e.layout.Dir(Failed), "orphan")
	waitPath(t, filepath.Join(item, ErrorsFileName), 20*time.Second)
	if report := readErrors(t, item); !strings.Contains(report, "without a record") || !strings.Contains(report, "inbox/") {
		t.Errorf("ERRORS.txt:\n%s", report)
	}
	for _, s := range []Stage{Packaged, Uploaded, Acknowledged} {
		if names, _ := e.layout.Items(s); len(names) > 0 {
			t.Errorf("%s holds %v", s, names)
		}
	}
	if out, _ := os.ReadDir(cfg.DSP["dsp"].Local.Dir); len(out) > 0 {
		t.Errorf("the DSP received %d entries", len(out))
	}
}

// A consumed release is renamed out of validated/ before it is removed:
// a crash in the middle of the removal leaves it in this node's trash,
// which the next start empties, never a half-removed release in a stage.
func TestInterruptedRemovalIsFinishedAtStart(t *testing.T) {
	cfg := localConfig(t)
	e, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	half := filepath.Join(e.layout.State("trash", e.node), "release-123")
	os.MkdirAll(half, 0o755)
	os.WriteFile(filepath.Join(half, "01.wav"), []byte("RIFF"), 0o644)
	startEngine(t, e)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(half); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the interrupted removal was not finished at start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if names, _ := e.layout.Items(Validated); len(names) > 0 {
		t.Errorf("validated/ holds %v", names)
	}
}

// A folder its owner deletes while ferry works on it is logged as gone,
// never made again as an empty item in failed/.
func TestDeletedItemIsNotFailedEmpty(t *testing.T) {
	cfg := localConfig(t)
	e, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	claimed := e.layout.ClaimDir(Validated, e.node)
	os.MkdirAll(claimed, 0o755)
	rel := releasetest.Write(t, claimed, "vanishing", 1, releasetest.Options{})
	it, _, err := e.rec.Adopt(rel)
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(rel) // the owner deletes it mid-stage
	e.fail(it, Validated, failure{Stage: Validated, What: "packaging failed", ToDo: "nothing"})
	if names, _ := e.layout.Items(Failed); len(names) > 0 {
		t.Errorf("failed/ holds %v for a folder that was deleted", names)
	}
	if _, err := os.Stat(rel); err == nil {
		t.Error("the deleted folder was made again")
	}
}

// A folder name that is not valid UTF-8 (Latin-1 from an old Windows
// share) is delivered under exactly its own bytes, never renamed.
func TestNonUTF8FolderNameIsKept(t *testing.T) {
	e := runEngine(t, localConfig(t))
	name := "caf\xe9"
	drop(t, e, name, 1, releasetest.Options{})
	waitPath(t, filepath.Join(e.layout.Dir(Acknowledged), name+"@dsp"), 20*time.Second)
}
