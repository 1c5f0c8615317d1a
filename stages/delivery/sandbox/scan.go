package sandbox

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/ern"
)

// AckDir is the folder, below the sandbox's SFTP root, where it writes
// acknowledgements.
const AckDir = "acknowledgements"

// checkLoop checks, every interval, the delivery folders that changed
// since the last check, and acknowledges each complete message once. A
// delivery is complete when its message XML is present under its final
// name (ferry uploads it after the resources) or, for a batch, when
// BatchComplete_*.xml is. Nothing is read while nothing arrives.
func (s *Server) checkLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		s.checkChanged()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// changed is told by the SFTP file system of every file that appears
// under its final name (rel is slash-separated below received/): its
// delivery folder is checked at the next tick. Acknowledgement files,
// wherever ferry moves them (an archive), are not deliveries, and files
// with a leading dot are uploads in progress.
func (s *Server) changed(rel string) {
	rel = strings.TrimPrefix(filepath.ToSlash(filepath.Clean("/"+rel)), "/")
	top, _, _ := strings.Cut(rel, "/")
	base := path.Base(rel)
	if top == "" || top == "." || top == AckDir || strings.HasPrefix(top, ".") ||
		strings.HasPrefix(base, "ACK_") || strings.HasPrefix(base, ".") {
		return // not a delivery, or a temporary file: its rename will tell
	}
	s.dirtyMu.Lock()
	s.dirty[top] = struct{}{}
	s.dirtyMu.Unlock()
}

// scanAll marks for checking every delivery folder that changed since it
// was last acknowledged: run once at start, for what arrived before a
// crash and was not acknowledged yet. It reads the received folder once
// and a folder's attributes, never its files, unless it changed.
func (s *Server) scanAll() {
	s.fsOps.Add(1)
	entries, err := os.ReadDir(s.Received)
	if err != nil {
		s.log.Error("sandbox: scan received deliveries", "err", err)
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || name == AckDir || strings.HasPrefix(name, ".") {
			continue
		}
		fi, err := e.Info()
		if err != nil || s.index.folderDone(name, fi.ModTime().UnixNano()) {
			continue
		}
		s.changed(name)
	}
}

// checkChanged checks the delivery folders marked since the last call.
func (s *Server) checkChanged() {
	s.dirtyMu.Lock()
	names := make([]string, 0, len(s.dirty))
	for n := range s.dirty {
		names = append(names, n)
	}
	clear(s.dirty)
	s.dirtyMu.Unlock()
	slices.Sort(names)
	for _, n := range names {
		s.checkFolder(n)
	}
}

// checkFolder acknowledges the complete messages of one delivery folder
// that the index does not hold as they are now.
func (s *Server) checkFolder(name string) {
	folder := filepath.Join(s.Received, name)
	s.fsOps.Add(1)
	fi, err := os.Stat(folder) // before the messages: a later change marks it again
	if err != nil || !fi.IsDir() {
		return
	}
	for _, msg := range s.completeMessages(folder) {
		var st stamp
		s.fsOps.Add(1)
		if mi, err := os.Stat(msg.path); err == nil {
			st = stamp{Size: mi.Size(), MTime: mi.ModTime().UnixNano()}
		}
		rel, err := filepath.Rel(s.Received, msg.path)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		if s.index.acknowledged(rel, st) {
			continue
		}
		if ack, ok := legacyMarker(msg.path); ok {
			// Acknowledged by an older sandbox, which kept a marker file
			// beside the message: take it into the index once.
			s.index.record(journalLine{Msg: rel, Folder: name, Size: st.Size, MTime: st.MTime,
				FolderMTime: fi.ModTime().UnixNano(), Ack: ack})
			continue
		}
		s.acknowledge(msg, name, st, fi.ModTime().UnixNano())
	}
}

// legacyMarker reads the marker an older sandbox wrote beside a message
// it acknowledged (.<name>.acknowledged, holding the acknowledgement's
// name), valid while the message is not newer than it.
func legacyMarker(msg string) (string, bool) {
	marker := filepath.Join(filepath.Dir(msg), "."+filepath.Base(msg)+".acknowledged")
	m, err := os.Stat(marker)
	if err != nil {
		return "", false
	}
	f, err := os.Stat(msg)
	if err != nil || f.ModTime().After(m.ModTime()) {
		return "", false
	}
	data, _ := os.ReadFile(marker)
	return strings.TrimSpace(string(data)), true
}

// completeMessages returns the message files ready to be checked in one
// delivery folder, each with the hash its batch manifest gives it (zero
// for release-by-release deliveries). A batch is ready once its
// BatchComplete manifest is there; the messages are the ones it lists.
func (s *Server) completeMessages(folder string) []message {
	s.fsOps.Add(1)
	manifests, _ := filepath.Glob(filepath.Join(folder, "BatchComplete_*.xml"))
	if len(manifests) > 0 {
		return s.batchMessages(manifests[0])
	}
	if isBatchName(filepath.Base(folder)) {
		return nil // a batch without its manifest yet
	}
	s.fsOps.Add(1)
	paths, _ := filepath.Glob(filepath.Join(folder, "*.xml"))
	msgs := make([]message, len(paths))
	for i, p := range paths {
		msgs[i] = message{path: p}
	}
	return msgs
}

// message is a delivered message file and, in a batch, what the manifest
// says of it.
type message struct {
	path          string
	algorithm     string
	hash          string
	manifestError string
}

// batchMessages reads a batch manifest. An unreadable manifest is
// reported against every message file of the batch.
func (s *Server) batchMessages(manifest string) []message {
	root := filepath.Dir(manifest)
	f, err := os.Open(manifest)
	if err != nil {
		return nil
	}
	defer f.Close()
	m, err := ern.ReadManifest(f)
	if err != nil {
		s.fsOps.Add(1)
		paths, _ := filepath.Glob(filepath.Join(root, "*", "*.xml"))
		var msgs []message
		for _, p := range paths {
			msgs = append(msgs, message{path: p, manifestError: "the batch manifest is invalid: " + err.Error()})
		}
		return msgs
	}
	var msgs []message
	for _, bm := range m.Messages {
		msgs = append(msgs, message{path: filepath.Join(root, filepath.FromSlash(bm.URL)), algorithm: bm.HashAlgorithm, hash: bm.Hash})
	}
	return msgs
}

// isBatchName tells <P|M|N>_<17 digits> batch folders from release folders
// (<P|N|L>_<ReleaseId>_<timestamp>).
func isBatchName(name string) bool {
	parts := strings.Split(name, "_")
	return len(parts) == 2 && len(parts[1]) == 17
}
