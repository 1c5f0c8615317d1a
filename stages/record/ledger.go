package record

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ferrydelivery/ferry/stages/files"
)

// The ledger, <root>/.ferry/ledger/<dsp>/<release-id>.json, holds the
// last delivery each DSP accepted of each release: updates are planned
// against it. Its names come from the configuration (the DSP) and a
// validated identifier (the release), never from a record.

// Delivered returns the last delivery of releaseID that dsp accepted, or
// an error wrapping os.ErrNotExist when there is none.
func (r *Root) Delivered(dsp, releaseID string) (*Delivery, error) {
	if !ValidName(dsp) || !ValidReleaseID(releaseID) {
		return nil, fmt.Errorf("ledger: no entry can be named %q/%q", dsp, releaseID)
	}
	dir, err := openDir(nil, r.path("ledger", dsp))
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	raw, err := readFile(dir, releaseID+".json", maxLedgerSize)
	if err != nil {
		return nil, err
	}
	var d Delivery
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("ledger entry %s: %w", filepath.Join(dsp, releaseID+".json"), err)
	}
	return &d, nil
}

// RecordDelivered writes d as what its DSP now has of its release. It
// must succeed before the item moves to acknowledged/.
func (r *Root) RecordDelivered(d *Delivery) error {
	if err := d.Check(); err != nil {
		return err
	}
	if d.Kind == "takedown" {
		// A takedown sends no files, but the DSP keeps those it had: a
		// restore or update is planned against them.
		if prev, err := r.Delivered(d.DSP, d.ReleaseID); err == nil {
			kept := *d
			kept.Files = nil
			for _, f := range prev.Files {
				if f.Role == RoleResource {
					kept.Files = append(kept.Files, f)
				}
			}
			kept.Files = append(kept.Files, d.Files...)
			kept.Release = prev.Release // with its deals, for a restore
			d = &kept
		}
	}
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	if err := r.writeRootFile(filepath.Join("ledger", d.DSP), d.ReleaseID+".json", append(data, '\n')); err != nil {
		return fmt.Errorf("write the ledger: %w", err)
	}
	if err := r.appendMessage(d); err != nil {
		return fmt.Errorf("write the release's message history: %w", err)
	}
	if err := r.appendIndex(d); err != nil {
		return fmt.Errorf("write the catalogue index: %w", err)
	}
	if stateAfter(d.Kind) == StateLive {
		if err := r.indexISRCs(d); err != nil {
			return fmt.Errorf("write the ISRC index: %w", err)
		}
		if err := r.indexRecordingSet(d); err != nil {
			return fmt.Errorf("write the recording-set index: %w", err)
		}
	}
	return nil
}

// RecordOutcome records in the catalogue what became of the delivery d,
// which its DSP has not accepted: StateDelivering when it leaves the
// fan-out, StateRejected when the DSP rejects it, StateFailed when it
// fails otherwise (an upload given up, no acknowledgement in time).
// A rejection or failure is also a line of the release's message history
// at the DSP. The ledger entry, what the DSP last accepted, is not
// touched: updates are still planned against it.
func (r *Root) RecordOutcome(d *Delivery, state string) error {
	if !outcome(state) {
		return fmt.Errorf("record %s at %s: %q is not the outcome of a message not accepted", d.ReleaseID, d.DSP, state)
	}
	if !ValidName(d.DSP) || !ValidReleaseID(d.ReleaseID) {
		return fmt.Errorf("record an outcome: no entry can be named %q/%q", d.DSP, d.ReleaseID)
	}
	line := *d
	line.Kind = state
	if err := os.MkdirAll(r.path("ledger", d.DSP), files.DirPerm); err != nil { // a first delivery there
		return err
	}
	if state != StateDelivering {
		if err := r.appendMessage(&line); err != nil {
			return fmt.Errorf("write the release's message history: %w", err)
		}
	}
	if err := r.appendIndex(&line); err != nil {
		return fmt.Errorf("write the catalogue index: %w", err)
	}
	return nil
}
