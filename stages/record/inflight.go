package record

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/ferrydelivery/ferry/stages/files"
)

// A release is delivered to a DSP once at a time: the fan-out of a drop
// takes <root>/.ferry/ledger/<dsp>/<release-id>.inflight (created
// exclusively, holding the drop's id) before its instance for that DSP
// leaves, and the marker is removed when that delivery ends (accepted or
// failed). A second drop of the release meanwhile finds the marker held
// and waits, then goes as an update against what the first delivered.

const inflightSuffix = ".inflight"

// TakeInFlight marks releaseID as being delivered to dsp by the drop
// dropID. It returns "" when the mark is this drop's (taken now or
// before), else the drop id that holds it.
func (r *Root) TakeInFlight(dsp, releaseID, dropID string) (string, error) {
	if !ValidName(dsp) || !ValidReleaseID(releaseID) {
		return "", fmt.Errorf("in-flight mark: no entry can be named %q/%q", dsp, releaseID)
	}
	dir := r.path("ledger", dsp)
	if err := os.MkdirAll(dir, files.DirPerm); err != nil {
		return "", err
	}
	p := filepath.Join(dir, releaseID+inflightSuffix)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, files.FilePerm)
	if err == nil {
		_, werr := f.WriteString(dropID)
		if werr == nil {
			werr = f.Sync()
		}
		f.Close()
		if werr != nil {
			os.Remove(p)
			return "", fmt.Errorf("mark %s in flight to %s: %w", releaseID, dsp, werr)
		}
		return "", files.SyncDir(dir)
	}
	if !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("mark %s in flight to %s: %w", releaseID, dsp, err)
	}
	holder, err := r.inFlight(dsp, releaseID)
	if err != nil {
		return "", err
	}
	if holder == dropID {
		return "", nil
	}
	return holder, nil
}

// inFlight reads who holds a release's in-flight mark at dsp.
func (r *Root) inFlight(dsp, releaseID string) (string, error) {
	dir, err := openDir(nil, r.path("ledger", dsp))
	if err != nil {
		return "", err
	}
	defer dir.Close()
	b, err := readFile(dir, releaseID+inflightSuffix, 256)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// InFlightHolder names the drop whose delivery of releaseID to dsp is
// not finished ("" for none), without taking anything: for ferry plan.
func (r *Root) InFlightHolder(dsp, releaseID string) string {
	if !ValidName(dsp) || !ValidReleaseID(releaseID) {
		return ""
	}
	holder, err := r.inFlight(dsp, releaseID)
	if err != nil {
		return ""
	}
	return holder
}

// EndInFlight removes the in-flight mark of releaseID at dsp if dropID
// holds it (a delivery ended: accepted or failed).
func (r *Root) EndInFlight(dsp, releaseID, dropID string) error {
	if !ValidName(dsp) || !ValidReleaseID(releaseID) {
		return nil
	}
	holder, err := r.inFlight(dsp, releaseID)
	if errors.Is(err, os.ErrNotExist) || holder != dropID {
		return nil
	}
	if err != nil {
		return err
	}
	// The record of what was being sent goes first: it counts only
	// while the mark is held, so a crash between the two leaves nothing
	// wrong.
	if err := r.endSending(dsp, releaseID); err != nil {
		return err
	}
	if err := os.Remove(r.path("ledger", dsp, releaseID+inflightSuffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
