package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/files"
)

// Release states, as the sandbox sees a release after each message.
const (
	StatusLive      = "live"       // on sale in State.Territories
	StatusTakenDown = "taken-down" // withdrawn everywhere; an update restores it
	StatusPurged    = "purged"     // removed for good; nothing more is taken
)

// Actions the sandbox recognises in a message, named in its
// acknowledgements (MessageStatus/Information starts with "<action>:").
const (
	ActionNew      = "new"      // first delivery of the release here
	ActionUpdate   = "update"   // a live release described again
	ActionTakedown = "takedown" // withdrawn, everywhere or in some territories
	ActionRestore  = "restore"  // an update after a takedown: live again
	ActionPurge    = "purge"    // PurgeReleaseMessage
)

// releasesDir holds one state file per release in the sandbox's folder,
// so recording a message rewrites that release's file only.
const releasesDir = "releases"

// State is what the sandbox holds about one release: its own notion of
// what is live, for tests to compare with what ferry believes.
type State struct {
	ReleaseID string `json:"release_id"`
	Status    string `json:"status"` // StatusLive, StatusTakenDown or StatusPurged
	// Territories are where the release is on sale (deals not ended when
	// the message arrived), sorted; empty unless Status is StatusLive.
	Territories []string `json:"territories,omitempty"`
	// Until is the earliest end of a live deal (a scheduled takedown), as
	// the message wrote it; empty when no deal ends.
	Until string `json:"until,omitempty"`
	// Hashes are the HashSums of the files received for the release, so a
	// later message may refer to them without sending them again.
	Hashes  []string     `json:"hashes,omitempty"`
	History []Transition `json:"history"`
}

// Transition is one message's effect on a release.
type Transition struct {
	Action    string    `json:"action"`
	MessageID string    `json:"message_id"`
	Status    string    `json:"status"`
	At        time.Time `json:"at"`
}

// Last is the latest transition (zero when there is none).
func (s State) Last() Transition {
	if len(s.History) == 0 {
		return Transition{}
	}
	return s.History[len(s.History)-1]
}

// LiveAt reports whether the release is on sale at t: live, and its
// earliest deal end (a scheduled takedown) not passed.
func (s State) LiveAt(t time.Time) bool {
	return s.Status == StatusLive && !ended(s.Until, t)
}

// Live returns the sandbox's view of every release it was sent, keyed
// by release id (GRid or ICPN, as acknowledgements name it), from the
// sandbox folder dir (Options.Dir). A missing folder holds no release.
func Live(dir string) (map[string]State, error) {
	entries, err := os.ReadDir(filepath.Join(dir, releasesDir))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]State{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox releases: %w", err)
	}
	out := map[string]State{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		var s State
		if err := files.ReadJSON(filepath.Join(dir, releasesDir, e.Name()), &s); err != nil {
			return nil, fmt.Errorf("sandbox releases: %w", err)
		}
		out[s.ReleaseID] = s
	}
	return out, nil
}

// stateFile is the release's state file; ids are escaped so that any id
// stays one file name.
func stateFile(dir, releaseID string) string {
	return filepath.Join(dir, releasesDir, url.PathEscape(releaseID)+".json")
}

// loadState reads a release's state; ok is false when the sandbox never
// took a message for it.
func loadState(dir, releaseID string) (State, bool, error) {
	var s State
	err := files.ReadJSON(stateFile(dir, releaseID), &s)
	if errors.Is(err, os.ErrNotExist) {
		return State{ReleaseID: releaseID}, false, nil
	}
	return s, err == nil, err
}

// saveState writes a release's state atomically.
func saveState(dir string, s State) error {
	if err := os.MkdirAll(filepath.Join(dir, releasesDir), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return files.WriteFileAtomic(stateFile(dir, s.ReleaseID), append(data, '\n'), 0o644)
}

// refusal is a message the sandbox will not apply, and why.
type refusal struct{ text string }

func (r *refusal) Error() string { return r.text }

// transition applies message m (its kind, its deals) to the release's
// state prev (known says whether there is one). It returns the action the
// message is and the new state, or a refusal for a change that makes no
// sense: a takedown or purge of a release never delivered, anything but
// a purge after a purge.
func transition(prev State, known bool, m *ern.Message, hashes []string, now time.Time) (string, State, error) {
	id := prev.ReleaseID
	next := prev
	next.History = slices.Clone(prev.History)
	if known && prev.Last().MessageID == m.Header.MessageID {
		// The same message checked again (a restart before its
		// acknowledgement was recorded): the same answer.
		return prev.Last().Action, prev, nil
	}
	var action string
	switch m.Kind {
	case ern.Purge:
		if !known {
			return "", prev, &refusal{fmt.Sprintf("release %s was never delivered here: there is nothing to purge", id)}
		}
		action = ActionPurge
		next.Status, next.Territories, next.Until, next.Hashes = StatusPurged, nil, "", nil
	case ern.Takedown:
		switch {
		case !known:
			return "", prev, &refusal{fmt.Sprintf("release %s was never delivered here: there is nothing to take down", id)}
		case prev.Status == StatusPurged:
			return "", prev, &refusal{fmt.Sprintf("release %s was purged here: there is nothing to take down", id)}
		}
		action = ActionTakedown
		next.Territories, next.Until = liveTerritories(m.Release.Deals, now)
	default:
		switch {
		case !known:
			action = ActionNew
		case prev.Status == StatusPurged:
			return "", prev, &refusal{fmt.Sprintf("release %s was purged here and cannot be delivered again", id)}
		case prev.Status == StatusTakenDown || prev.Last().Action == ActionTakedown:
			action = ActionRestore
		default:
			action = ActionUpdate
		}
		next.Territories, next.Until = liveTerritories(m.Release.Deals, now)
	}
	if action != ActionPurge {
		next.Status = StatusLive
		if len(next.Territories) == 0 {
			next.Status = StatusTakenDown
		}
		for _, h := range hashes {
			if !slices.Contains(next.Hashes, h) {
				next.Hashes = append(next.Hashes, h)
			}
		}
	}
	next.History = append(next.History, Transition{Action: action, MessageID: m.Header.MessageID, Status: next.Status, At: now.UTC()})
	return action, next, nil
}

// liveTerritories lists the territories of the deals that have not ended
// at now, and the earliest end among them.
func liveTerritories(deals []ern.Deal, now time.Time) ([]string, string) {
	var out []string
	until := ""
	for _, d := range deals {
		if ended(d.EndDate, now) {
			continue
		}
		for _, t := range d.Territories {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
		if d.EndDate != "" && (until == "" || d.EndDate < until) {
			until = d.EndDate
		}
	}
	slices.Sort(out)
	return out, until
}

// ended reports whether a deal's end (a date, valid through that day, or
// a date and time) is before now. An end that cannot be read is taken as
// not ended, so that a release is never called withdrawn by mistake.
func ended(end string, now time.Time) bool {
	if end == "" {
		return false
	}
	if t, err := time.Parse("2006-01-02", end); err == nil {
		return !now.Before(t.AddDate(0, 0, 1))
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, end); err == nil {
			return !now.Before(t)
		}
	}
	return false
}

// describe says what the release is after a message, for the
// acknowledgement.
func describe(s State) string {
	switch s.Status {
	case StatusLive:
		d := "live in " + strings.Join(s.Territories, ", ")
		if s.Until != "" {
			d += " until " + s.Until
		}
		return d
	case StatusTakenDown:
		return "taken down"
	}
	return s.Status
}
