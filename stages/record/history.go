package record

import (
	"bytes"
	"errors"
	"os"
)

// History returns the item's transitions, oldest first: the lines whose
// seal verifies (a torn last line from a crash, or a line someone added,
// is skipped).
func (it *Item) History() ([]HistoryLine, error) {
	dir, rec, err := it.open(false)
	if err != nil {
		if dir != nil {
			dir.Close()
		}
		return nil, err
	}
	defer dir.Close()
	if rec == nil {
		return nil, os.ErrNotExist
	}
	defer rec.Close()
	return it.historyIn(rec)
}

// lastSeq is the number of the last transition in the history.
func (it *Item) lastSeq(rec *os.File) int {
	lines, _ := it.historyIn(rec)
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i].Seq > 0 {
			return lines[i].Seq
		}
	}
	return 0
}

func (it *Item) historyIn(rec *os.File) ([]HistoryLine, error) {
	raw, err := readFile(rec, historyFile, maxHistorySize)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var lines []HistoryLine
	for _, b := range bytes.Split(raw, []byte{'\n'}) {
		if len(b) == 0 {
			continue
		}
		var l HistoryLine
		if it.root.seal.open(historyFile, it.State.ID, b, &l) == nil {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// History reads the history of the item at path, which is in stage, for
// `ferry status` and tests: with the transition into stage that a crash
// may have kept pending. An item whose record is not this root's has none.
func (r *Root) History(path, stage string) ([]HistoryLine, error) {
	st, err := r.Peek(path)
	if err != nil {
		return nil, err
	}
	it := &Item{root: r, path: path, State: st}
	lines, err := it.History()
	if p := st.Pending; err == nil && p != nil && p.To == stage && (len(lines) == 0 || lines[len(lines)-1].Seq < p.Seq) {
		lines = append(lines, *p)
	}
	return lines, err
}

// HistoryPath is where an item's history is, relative to the item, for
// the words ERRORS.txt and the README give people.
const HistoryPath = ItemDir + "/" + historyFile
