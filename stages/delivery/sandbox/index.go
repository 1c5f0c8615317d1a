package sandbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
)

// journalName is the sandbox's record of what it acknowledged, one JSON
// line per message, in its folder. It is only appended to, so recording an
// acknowledgement costs the same with 10 or 10,000 deliveries behind it.
const journalName = "acknowledged.jsonl"

// index remembers which delivered messages were checked and acknowledged,
// so the sandbox never reads them again: an idle sandbox does no work, and
// a new delivery costs what that delivery holds, not what came before.
type index struct {
	mu      sync.Mutex
	f       *os.File
	msgs    map[string]stamp // message path below received/ → as acknowledged
	folders map[string]int64 // delivery folder → its mtime (ns) when last acknowledged
}

// stamp tells a message file from a newer upload under the same name.
type stamp struct {
	Size  int64
	MTime int64 // ns
}

// journalLine is one acknowledged message.
type journalLine struct {
	Msg         string `json:"msg"`    // slash path below received/
	Folder      string `json:"folder"` // top-level delivery folder
	Size        int64  `json:"size"`
	MTime       int64  `json:"mtime"`
	FolderMTime int64  `json:"folder_mtime"`
	Ack         string `json:"ack"` // acknowledgement file name
}

// openIndex loads the journal at path, creating it when missing. A line
// cut short by a crash is skipped with a warning: the message it was
// about is checked again, which is what a DSP that lost track would do.
func openIndex(path string, log *slog.Logger) (*index, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	ix := &index{f: f, msgs: map[string]stamp{}, folders: map[string]int64{}}
	r := bufio.NewReader(f)
	var last byte = '\n'
	bad := 0
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			last = line[len(line)-1]
			var l journalLine
			if jerr := json.Unmarshal(bytes.TrimSpace(line), &l); jerr != nil || l.Msg == "" {
				bad++
			} else {
				ix.add(l)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
	if bad > 0 {
		log.Warn("sandbox: skipped unreadable lines of its acknowledgement journal; those messages are checked again",
			"file", path, "lines", bad)
	}
	if last != '\n' {
		// A torn last line: start the next one on a line of its own.
		if _, err := f.Write([]byte{'\n'}); err != nil {
			f.Close()
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
	}
	return ix, nil
}

func (ix *index) add(l journalLine) {
	ix.msgs[l.Msg] = stamp{Size: l.Size, MTime: l.MTime}
	if l.Folder != "" && l.FolderMTime > ix.folders[l.Folder] {
		ix.folders[l.Folder] = l.FolderMTime
	}
}

// acknowledged reports whether the message at rel, as it is now, was
// acknowledged: a message uploaded again (a retry into the same folder)
// has a new stamp and is checked again.
func (ix *index) acknowledged(rel string, now stamp) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	s, ok := ix.msgs[rel]
	return ok && s == now
}

// folderDone reports whether a delivery folder has not changed since its
// last acknowledgement.
func (ix *index) folderDone(folder string, mtime int64) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	m, ok := ix.folders[folder]
	return ok && m == mtime
}

// record appends l to the journal and flushes it to disk.
func (ix *index) record(l journalLine) error {
	data, err := json.Marshal(l)
	if err != nil {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if _, err := ix.f.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("write %s: %w", ix.f.Name(), err)
	}
	if err := ix.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", ix.f.Name(), err)
	}
	ix.add(l)
	return nil
}

func (ix *index) close() error { return ix.f.Close() }
