package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/record"
)

// ItemStatus is one item as `ferry status` shows it.
type ItemStatus struct {
	Name      string    `json:"name"`
	Release   string    `json:"release"`
	DSP       string    `json:"dsp,omitempty"`
	Stage     Stage     `json:"stage"`
	Since     time.Time `json:"since"`               // when it entered the stage
	InFlight  string    `json:"in_flight,omitempty"` // the node working on it
	Attempt   int       `json:"attempt"`
	Tries     int       `json:"tries,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	// Progress and ProgressTotal are the bytes sent of the upload in
	// flight and the bytes it sends in all (kept for scripts); Upload has
	// the whole picture, rate included.
	Progress      int64     `json:"progress_bytes,omitempty"`
	ProgressTotal int64     `json:"progress_total_bytes,omitempty"`
	Upload        *Progress `json:"upload,omitempty"`
	// MessageID and Kind (new, update, takedown) come from the packaged
	// delivery, once there is one.
	MessageID string `json:"message_id,omitempty"`
	Kind      string `json:"kind,omitempty"`
}

// Status lists every item under the root, in stage order, then by
// release and DSP. When the root's records cannot be read by this user
// (the key is the daemon's), it shows the folders alone.
func Status(l Layout) ([]ItemStatus, error) { return StatusOf(l, Stages...) }

// StatusOf is Status for the items of some stages only: the status page
// reads the records of failed/ and packaged/ alone, whatever
// acknowledged/ has accumulated.
func StatusOf(l Layout, stages ...Stage) ([]ItemStatus, error) {
	rec, _ := record.OpenReader(l.Root)
	var out []ItemStatus
	for _, s := range Stages {
		if !slices.Contains(stages, s) {
			if _, err := os.Stat(l.Dir(s)); err != nil {
				return nil, fmt.Errorf("%s is not a ferry root: %w", l.Root, err)
			}
			continue
		}
		add := func(dir, node string) {
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				if !hidden(e.Name()) && !strings.HasSuffix(e.Name(), fanoutSuffix) {
					names = append(names, e.Name())
				}
			}
			// Records are read a few at a time: the reads wait on the disk
			// (or the share), not on the processor.
			var folder *record.Folder
			if rec != nil {
				if folder, _ = rec.OpenFolder(dir); folder != nil {
					defer folder.Close()
				}
			}
			found := make([]ItemStatus, len(names))
			digest.ForEach(len(names), 8, func(i int) error {
				found[i] = itemStatus(folder, dir, names[i], s, node)
				return nil
			})
			out = append(out, found...)
		}
		if _, err := os.Stat(l.Dir(s)); err != nil {
			return nil, fmt.Errorf("%s is not a ferry root: %w", l.Root, err)
		}
		add(l.Dir(s), "")
		nodes, _ := os.ReadDir(filepath.Join(l.Dir(s), claimsDir))
		for _, n := range nodes {
			add(filepath.Join(l.Dir(s), claimsDir, n.Name()), n.Name())
		}
	}
	order := map[Stage]int{}
	for i, s := range Stages {
		order[s] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Release != b.Release {
			return a.Release < b.Release
		}
		if a.DSP != b.DSP {
			return a.DSP < b.DSP
		}
		return order[a.Stage] < order[b.Stage]
	})
	return out, nil
}

// Retry moves failed items back into the inbox, as a user would by hand.
// names are item names in failed/; allFailed takes every failed item;
// dsp, when set, limits the retry to that DSP's instances.
func Retry(l Layout, names []string, allFailed bool, dsp string) ([]string, error) {
	rec, _ := record.OpenReader(l.Root)
	if allFailed {
		all, err := l.Items(Failed)
		if err != nil {
			return nil, err
		}
		names = all
	}
	var moved []string
	var errs []error
	for _, name := range names {
		src := filepath.Join(l.Dir(Failed), name)
		if _, err := os.Stat(src); err != nil {
			errs = append(errs, notInFailed(l, name))
			continue
		}
		if dsp != "" {
			var st record.State
			if rec != nil {
				st, _ = rec.Peek(src)
			}
			if st.DSP != dsp && !strings.HasSuffix(name, "@"+dsp) {
				continue
			}
		}
		dst, err := moveInto(src, l.Dir(Inbox))
		if err != nil {
			errs = append(errs, fmt.Errorf("move %s back to inbox/: %w", name, err))
			continue
		}
		moved = append(moved, filepath.Base(dst))
	}
	return moved, errors.Join(errs...)
}

// ReadHistory returns the transitions of the item folder at path, which
// is in a stage folder of its root, oldest first.
func ReadHistory(item string) ([]record.HistoryLine, error) {
	stageDir := filepath.Dir(item)
	rec, err := record.OpenReader(filepath.Dir(stageDir))
	if err != nil {
		return nil, err
	}
	return rec.History(item, filepath.Base(stageDir))
}

// notInFailed says a name is not in failed/ and, when failed/ holds its
// delivery instances (NAME@dsp) or names close to it, which ones to use.
func notInFailed(l Layout, name string) error {
	failed, _ := l.Items(Failed)
	var near []string
	for _, f := range failed {
		release, _, _ := strings.Cut(f, "@")
		if release == name || strings.EqualFold(release, name) || strings.EqualFold(f, name) {
			near = append(near, f)
		}
	}
	switch {
	case len(near) > 0:
		return fmt.Errorf("%s is not in failed/; did you mean %s?", name, strings.Join(near, " or "))
	case len(failed) == 0:
		return fmt.Errorf("%s is not in failed/ (failed/ is empty)", name)
	}
	return fmt.Errorf("%s is not in failed/ (run `ferry status` to see where it is)", name)
}

// StageCounts counts the items in each stage folder, claimed ones
// included, from the folders alone (as ferry_stage_items does).
func StageCounts(l Layout) map[Stage]int {
	out := make(map[Stage]int, len(Stages))
	for _, s := range Stages {
		out[s], _ = countStage(l, s, nil) // counts only: no record read
	}
	return out
}

// itemStatus reads what `ferry status` shows of the item name in the
// folder dir (open as folder when the records can be read), in stage s,
// claimed by node (or none).
func itemStatus(folder *record.Folder, dir, name string, s Stage, node string) ItemStatus {
	var st record.State
	if folder != nil {
		st, _ = folder.Peek(name)
	}
	path := filepath.Join(dir, name)
	is := ItemStatus{Name: name, Release: releaseOf(name, st.DSP), DSP: st.DSP, Stage: s, InFlight: node,
		Attempt: st.Attempt, Tries: st.Tries, LastError: st.LastError, Progress: st.Progress, ProgressTotal: st.ProgressTotal,
		Since: st.StageSince, MessageID: st.MessageID, Kind: st.Kind}
	if st.Progress > 0 && s == Packaged {
		is.Upload = &Progress{Done: st.Progress, Total: st.ProgressTotal, Rate: st.ProgressRate}
	}
	if is.Since.IsZero() {
		if fi, err := os.Lstat(path); err == nil {
			is.Since = changeTime(fi)
		}
	}
	return is
}
