package record

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// SetDelivery records what packaging made for this instance.
func (it *Item) SetDelivery(d *Delivery) error {
	if err := d.Check(); err != nil {
		return err
	}
	data, err := it.root.seal.seal(DeliveryFile, it.State.ID, d)
	if err != nil {
		return err
	}
	if err := it.withRecord(func(_, rec *os.File) error { return writeFile(rec, rec, DeliveryFile, data) }); err != nil {
		return err
	}
	it.State.MessageID, it.State.Kind = d.MessageID, d.Kind // saved with the next transition
	return nil
}

// Delivery reads what packaging made for this instance. A record that
// is missing, not this root's, or names paths ferry never makes is an
// error: the caller packages again.
func (it *Item) Delivery() (*Delivery, error) {
	var d Delivery
	if err := it.readSealed(DeliveryFile, maxDeliverySize, &d); err != nil {
		return nil, err
	}
	if err := d.Check(); err != nil {
		return nil, err
	}
	return &d, nil
}

// PeekDelivery reads an item's delivery record without taking the item
// on, for listings (`ferry status`: its MessageId and kind). It writes
// nothing.
func (r *Root) PeekDelivery(path string) (*Delivery, error) {
	st, err := r.Peek(path) // the delivery is sealed to the state's ID
	if err != nil {
		return nil, err
	}
	return (&Item{root: r, path: path, State: st}).Delivery()
}

func (it *Item) readSealed(name string, max int64, v any) error {
	dir, rec, err := it.open(false)
	if err != nil {
		if dir != nil {
			dir.Close()
		}
		return err
	}
	defer dir.Close()
	if rec == nil {
		return os.ErrNotExist
	}
	defer rec.Close()
	raw, err := readFile(rec, name, max)
	if err != nil {
		return err
	}
	return it.root.seal.open(name, it.State.ID, raw, v)
}

// UploadedEntry is one file known to be on the server.
type UploadedEntry struct {
	BLAKE3 string `json:"blake3"`
	Size   int64  `json:"size"`
}

// uploadedLine is one line of the record of uploaded files.
type uploadedLine struct {
	Remote string `json:"remote"`
	UploadedEntry
}

// Uploads remembers which files of an instance's delivery are on the
// DSP's server, so that a retry sends only what is missing. The record
// is a file of sealed lines, appended in batches (every uploadsBatch
// files or uploadsEvery, and on Flush), so 10,000 files cost 10,000 short
// lines, not 10,000 rewrites: a crash loses at most the last batch,
// whose files the upload then finds on the server and checks instead of
// sending them again.
type Uploads struct {
	it      *Item
	mu      sync.Mutex
	entries map[string]UploadedEntry
	unsaved []uploadedLine
	saved   time.Time
}

const (
	uploadsBatch = 64
	uploadsEvery = 2 * time.Second
)

// Uploads loads the instance's record of uploaded files; a missing or
// foreign record (or line) is empty: it costs only re-checks on the server.
func (it *Item) Uploads() *Uploads {
	u := &Uploads{it: it, entries: map[string]UploadedEntry{}, saved: time.Now()}
	dir, rec, err := it.open(false)
	if err != nil || rec == nil {
		if dir != nil {
			dir.Close()
		}
		return u
	}
	defer dir.Close()
	defer rec.Close()
	raw, err := readFile(rec, UploadedFile, maxUploadedSize)
	if err != nil {
		return u
	}
	for _, b := range bytes.Split(raw, []byte{'\n'}) {
		var l uploadedLine
		if len(b) > 0 && it.root.seal.open(UploadedFile, it.State.ID, b, &l) == nil {
			u.entries[l.Remote] = l.UploadedEntry
		}
	}
	return u
}

// Has reports whether remote is recorded on the server with this content.
func (u *Uploads) Has(remote, blake3 string, size int64) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	e, ok := u.entries[remote]
	return ok && e.BLAKE3 == blake3 && e.Size == size
}

// Mark records remote as on the server, writing the record when a batch
// is full or due.
func (u *Uploads) Mark(remote string, e UploadedEntry) error {
	u.mu.Lock()
	u.entries[remote] = e
	u.unsaved = append(u.unsaved, uploadedLine{Remote: remote, UploadedEntry: e})
	due := len(u.unsaved) >= uploadsBatch || time.Since(u.saved) >= uploadsEvery
	u.mu.Unlock()
	if due {
		return u.Flush()
	}
	return nil
}

// Flush writes what is marked.
func (u *Uploads) Flush() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.unsaved) == 0 {
		return nil
	}
	var data []byte
	for _, l := range u.unsaved {
		b, err := u.it.root.seal.seal(UploadedFile, u.it.State.ID, l)
		if err != nil {
			return err
		}
		data = append(append(data, b...), '\n')
	}
	err := u.it.withRecord(func(_, rec *os.File) error { return appendLine(rec, UploadedFile, data) })
	if err != nil {
		return fmt.Errorf("record uploaded files: %w", err)
	}
	u.unsaved, u.saved = u.unsaved[:0], time.Now()
	return nil
}

// lines are the record's entries as sealed lines for item id (a new
// instance carrying a retried one's record).
func (u *Uploads) lines(id string) ([]byte, error) {
	var data []byte
	for remote, e := range u.entries {
		b, err := u.it.root.seal.seal(UploadedFile, id, uploadedLine{Remote: remote, UploadedEntry: e})
		if err != nil {
			return nil, err
		}
		data = append(append(data, b...), '\n')
	}
	return data, nil
}

// ForgetUploads clears the record of uploaded files, when the DSP asks
// for the files again.
func (it *Item) ForgetUploads() error {
	return it.withRecord(func(_, rec *os.File) error {
		err := unlinkIn(rec, UploadedFile)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	})
}

// ForgetDelivery clears the instance's delivery and its record of
// uploaded files, when the DSP asks for everything again: the next
// packaging starts a new remote folder, so every file is sent.
func (it *Item) ForgetDelivery() error {
	return it.withRecord(func(_, rec *os.File) error {
		for _, name := range []string{UploadedFile, DeliveryFile} {
			if err := unlinkIn(rec, name); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		return nil
	})
}
