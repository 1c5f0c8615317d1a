package pipeline

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"time"

	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
)

// itemStateFile holds what ferry must know about an item across moves
// and restarts.
const itemStateFile = "state.json"

// ItemState is item/.ferry/state.json.
type ItemState struct {
	// DropID identifies one drop of a release; instances fanned out from
	// it carry it, so re-running an interrupted fan-out skips what exists.
	DropID string `json:"drop_id"`
	// Attempt counts the times the item was taken from the inbox.
	Attempt int `json:"attempt"`
	// DSP is set once the item is one DSP's delivery instance.
	DSP string `json:"dsp,omitempty"`
	// Release is the release folder's name without the @dsp suffix.
	Release string `json:"release,omitempty"`
	// Tries counts transient failures in the current stage.
	Tries int `json:"tries,omitempty"`
	// NotBefore delays the next try after a transient failure.
	NotBefore time.Time `json:"not_before,omitzero"`
	// UploadedAt starts the acknowledgement timeout.
	UploadedAt time.Time `json:"uploaded_at,omitzero"`
	// Progress is the bytes uploaded so far in the current upload.
	Progress  int64  `json:"progress,omitempty"`
	LastError string `json:"last_error,omitempty"`
	// Blocked lists, per DSP, the validation errors that only that DSP's
	// rules raise: packaging fails that DSP's instance with them.
	Blocked map[string][]string `json:"blocked,omitempty"`
}

func readState(item string) ItemState {
	var st ItemState
	_ = files.ReadJSON(filepath.Join(item, record.ItemDir, itemStateFile), &st)
	return st
}

func writeState(item string, st ItemState) error {
	return files.WriteJSONAtomic(filepath.Join(item, record.ItemDir, itemStateFile), st)
}

func newDropID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
