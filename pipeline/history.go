package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
)

// historyFile is the item's journal, one JSON line per transition.
const historyFile = "history.jsonl"

// HistoryLine is one transition of an item (or one failed try of a stage,
// where From and To are the same).
type HistoryLine struct {
	Time    time.Time `json:"time"`
	From    Stage     `json:"from"`
	To      Stage     `json:"to"`
	Node    string    `json:"node"`
	Attempt int       `json:"attempt"`
	DSP     string    `json:"dsp,omitempty"`
	Error   string    `json:"error,omitempty"`
}

// appendHistory adds a line to item/.ferry/history.jsonl, rewriting the
// file atomically so a crash never leaves a torn line.
func appendHistory(item string, line HistoryLine) error {
	p := filepath.Join(item, record.ItemDir, historyFile)
	old, err := os.ReadFile(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	b, err := json.Marshal(line)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), files.DirPerm); err != nil {
		return err
	}
	return files.WriteFileAtomic(p, append(append(old, b...), '\n'), files.FilePerm)
}

// ReadHistory returns an item's transitions, oldest first.
func ReadHistory(item string) ([]HistoryLine, error) {
	data, err := os.ReadFile(filepath.Join(item, record.ItemDir, historyFile))
	if err != nil {
		return nil, err
	}
	var lines []HistoryLine
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var l HistoryLine
		if err := dec.Decode(&l); err != nil {
			break // keep what is readable
		}
		lines = append(lines, l)
	}
	return lines, nil
}
