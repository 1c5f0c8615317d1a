package record

import "time"

// State is what ferry must know about an item across moves and
// restarts: item/.ferry/state.json, sealed.
type State struct {
	// ID identifies the record; every sealed file of the item is bound to
	// it, so records cannot be mixed between items.
	ID string `json:"id"`
	// DropID identifies one drop of a release; instances fanned out from
	// it carry it, so re-running an interrupted fan-out skips what exists.
	DropID string `json:"drop_id"`
	// Attempt counts the times the item was taken from the inbox.
	Attempt int `json:"attempt"`
	// DSP is set once the item is one DSP's delivery instance.
	DSP string `json:"dsp,omitempty"`
	// Tries counts transient failures in the current stage.
	Tries int `json:"tries,omitempty"`
	// NotBefore delays the next try after a transient failure.
	NotBefore time.Time `json:"not_before,omitzero"`
	// StageSince is when the item entered its stage: ages and overdue
	// alerts use it, not the folder's ctime, which every claim resets.
	StageSince time.Time `json:"stage_since,omitzero"`
	// UploadedAt starts the acknowledgement timeout.
	UploadedAt time.Time `json:"uploaded_at,omitzero"`
	// Progress is the bytes uploaded so far in the current upload, of
	// ProgressTotal; ProgressRate its recent speed in bytes per second
	// (for the time left that `ferry status` shows).
	Progress      int64   `json:"progress,omitempty"`
	ProgressTotal int64   `json:"progress_total,omitempty"`
	ProgressRate  float64 `json:"progress_rate,omitempty"`
	LastError     string  `json:"last_error,omitempty"`
	// MessageID and Kind are the delivery's, once packaged: `ferry status`
	// shows them without reading the delivery record.
	MessageID string `json:"message_id,omitempty"`
	Kind      string `json:"kind,omitempty"`
	// Blocked lists, per DSP, the validation errors that only that DSP's
	// rules raise: packaging fails that DSP's instance with them.
	Blocked map[string][]string `json:"blocked,omitempty"`
	// Fanned lists the DSPs whose delivery instance the fan-out of this
	// release has made, recorded before the instance leaves the release's
	// fan-out folder: a fan-out re-run after a crash finds what is done
	// from the release's own record, never from listing stage folders
	// (which a network share may show as they were seconds ago).
	Fanned map[string]bool `json:"fanned,omitempty"`
	// Seq counts the transitions recorded; Pending is the one written
	// before its move and confirmed into the history after it.
	Seq     int          `json:"seq,omitempty"`
	Pending *HistoryLine `json:"pending,omitempty"`
}

// HistoryLine is one transition of an item (or one failed try of a stage,
// where From and To are the same).
type HistoryLine struct {
	Time    time.Time `json:"time"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Node    string    `json:"node"`
	Attempt int       `json:"attempt"`
	DSP     string    `json:"dsp,omitempty"`
	Error   string    `json:"error,omitempty"`
	// Seq is the transition's number (0 for a failed try).
	Seq int `json:"seq,omitempty"`
	// Note says what else happened (records set aside, codes allocated).
	Note string `json:"note,omitempty"`
}
