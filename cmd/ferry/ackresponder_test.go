package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
)

// ackResponder plays a DSP's ingestion beside an SFTP server that only
// stores files (Debian's sshd): it answers every message ferry delivers
// into the served folder with an acceptance in acknowledgements/, as the
// pipeline tests' fakeDSP does, but at the scale of the throughput runs.
// Each round (every 100 ms) it lists the served folder once, reads only
// the delivery folders whose message it has not answered yet, and writes
// each acknowledgement as a temporary file renamed into place, so ferry
// never reads half of one.
type ackResponder struct {
	t       testing.TB
	root    string
	done    chan struct{}
	wg      sync.WaitGroup
	answers int
}

// startAckResponder starts answering the deliveries under root (the
// sshd's served folder); stop ends it and says how many it answered.
func startAckResponder(t testing.TB, root string) *ackResponder {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(root, "acknowledgements"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &ackResponder{t: t, root: root, done: make(chan struct{})}
	r.wg.Add(1)
	go r.run()
	t.Cleanup(func() { r.stop() })
	return r
}

func (r *ackResponder) stop() int {
	select {
	case <-r.done:
	default:
		close(r.done)
	}
	r.wg.Wait()
	return r.answers
}

func (r *ackResponder) run() {
	defer r.wg.Done()
	answered := map[string]bool{} // delivery folders whose message was answered
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		entries, _ := os.ReadDir(r.root)
		for _, e := range entries {
			name := e.Name()
			if !e.IsDir() || answered[name] || name == "acknowledgements" || strings.HasPrefix(name, ".") {
				continue
			}
			// ferry renames the message into its final name after every
			// resource: while it is missing, the folder is still arriving.
			if r.answer(filepath.Join(r.root, name)) {
				answered[name] = true
			}
		}
		select {
		case <-r.done:
			return
		case <-tick.C:
		}
	}
}

// answer acknowledges the message in one delivery folder, if it is
// there under its final name.
func (r *ackResponder) answer(folder string) bool {
	files, _ := os.ReadDir(folder)
	for _, f := range files {
		name := f.Name()
		if f.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".xml") {
			continue
		}
		doc, err := os.ReadFile(filepath.Join(folder, name))
		if err != nil {
			return false
		}
		id := between(string(doc), "<MessageId>", "</MessageId>")
		if id == "" {
			r.t.Errorf("ackResponder: no MessageId in %s", filepath.Join(folder, name))
			return true
		}
		if err := writeAcceptance(r.root, id); err != nil {
			r.t.Errorf("ackResponder: %v", err)
			return true
		}
		r.answers++
		return true
	}
	return false
}

// writeAcceptance writes the DSP's acceptance of message id into the
// acknowledgement folder under dspRoot, as a temporary file renamed into
// place so that ferry never reads half of one.
func writeAcceptance(dspRoot, id string) error {
	var buf bytes.Buffer
	err := ern.WriteAck(&buf, &ern.Ack{MessageID: "ACK-" + id, Created: time.Now(), Releases: []ern.AckRelease{{
		AckedMessageID: id, MessageType: "NewReleaseMessage", Status: ern.StatusIngested, MessageStatus: "FileOK"}}})
	if err != nil {
		return err
	}
	dir := filepath.Join(dspRoot, "acknowledgements")
	tmp := filepath.Join(dir, ".tmp-"+id)
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "ACK_"+id+"_20261205000000000.xml"))
}

// between returns the text of s between the first a and the b after it.
func between(s, a, b string) string {
	_, s, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	s, _, ok = strings.Cut(s, b)
	if !ok {
		return ""
	}
	return s
}
