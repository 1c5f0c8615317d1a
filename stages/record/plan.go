package record

import (
	"encoding/json"
	"os"
	"time"
)

// PlanFile is the plan packaging made, kept in the instance's ItemDir for
// people: what the message is and, file by file, what is sent and why.
// ferry never reads it back, so it is plain JSON, not sealed.
const PlanFile = "plan.json"

// PlannedFile says what a delivery does with one of its files, and why.
type PlannedFile struct {
	Role     string `json:"role"`
	Resource string `json:"resource,omitempty"`
	Remote   string `json:"remote"`
	Send     bool   `json:"send"`
	Why      string `json:"why"`
}

// Plan is what packaging decided to send one DSP: the same account
// `ferry plan` gives before a drop.
type Plan struct {
	DSP        string `json:"dsp"`
	ReleaseID  string `json:"release_id"`
	Kind       string `json:"kind"`
	ERNVersion string `json:"ern_version"`
	MessageID  string `json:"message_id"`
	// Replaces is the DSP's last accepted message of the release, which
	// this one updates; empty for a first delivery.
	Replaces string `json:"last_accepted_message,omitempty"`
	// Preset is the configuration preset the release's deals (or this
	// DSP) came from, if any.
	Preset  string        `json:"preset,omitempty"`
	Planned time.Time     `json:"planned"`
	Files   []PlannedFile `json:"files"`
}

// SetPlan writes p into the item (crash-safely, like every record).
func (it *Item) SetPlan(p Plan) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return it.withRecord(func(_, rec *os.File) error { return writeFile(rec, rec, PlanFile, append(data, '\n')) })
}
