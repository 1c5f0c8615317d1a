package record

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Files ferry keeps inside an item's ItemDir, sealed.
const (
	stateFile   = "state.json"
	historyFile = "history.jsonl"
)

// setAsidePrefix names the folders inside ItemDir where records that
// arrived with a drop but were not written by this root's ferry are put:
// kept for people to look at, never read by ferry.
const setAsidePrefix = "set-aside-"

// ErrorsFile is the plain-text report written into every failed item.
const ErrorsFile = "ERRORS.txt"

// ErrGone is returned when an item's folder disappeared (its owner
// deleted or moved it while ferry worked on it).
var ErrGone = errors.New("the folder is gone")

// Item is ferry's record of one item folder. Its paths are the folder's
// and fixed names; nothing read from a record ever becomes a path.
type Item struct {
	root *Root
	mu   sync.Mutex
	path string
	// State is the item's state as loaded or last saved; change it, then
	// Save or Prepare.
	State State
}

// Path is the item's folder.
func (it *Item) Path() string { return it.path }

// Name is the item's folder name.
func (it *Item) Name() string { return filepath.Base(it.path) }

// Adoption says what Adopt did with the records a folder carried.
type Adoption struct {
	// Kept is true when the folder carried a record of this root's,
	// which goes on (a folder moved back from failed/).
	Kept bool
	// SetAside names the folder inside .ferry where records that were not
	// this root's were put, and Why says what was wrong with them.
	SetAside, Why string
}

// Adopt takes on a folder arriving from an inbox. A record this root
// issued goes on; anything else in its .ferry/ (forged, from another
// root, a link, a FIFO, a huge file) is set aside unread and the item
// starts a new record. It writes nothing but the set-aside moves, so a
// full disk does not fail it.
func (r *Root) Adopt(path string) (*Item, Adoption, error) {
	it := &Item{root: r, path: path}
	var a Adoption
	dir, rec, err := it.open(false)
	if errors.Is(err, ErrNotRegular) {
		// .ferry is a link or a file: it names nothing of ferry's.
		if err := unix.Unlinkat(int(dir.Fd()), ItemDir, 0); err != nil {
			dir.Close()
			return nil, a, fmt.Errorf("remove the %s in %s that is not a folder: %w", ItemDir, path, err)
		}
		a.Why = ItemDir + " was not a folder; removed"
		dir.Close()
		return it.fresh(a)
	}
	if err != nil {
		return nil, a, err
	}
	defer dir.Close()
	if rec == nil {
		return it.fresh(a)
	}
	defer rec.Close()
	removeTemps(rec)
	st, err := r.readState(rec)
	if err == nil {
		it.State = st
		a.Kept = true
		// A folder users move back comes from failed/: a move there whose
		// history line a crash kept from being written is confirmed now.
		if p := st.Pending; p != nil {
			switch {
			case p.To != "failed":
				it.State.Seq = p.Seq - 1 // the move never happened
			case it.lastSeq(rec) < p.Seq:
				it.confirm(rec)
			}
		}
		it.State.Pending = nil
		return it, a, nil
	}
	if errors.Is(err, os.ErrNotExist) && empty(rec) {
		return it.fresh(a)
	}
	a.Why = reason(err)
	a.SetAside, err = setAside(rec, r.now().UTC().Format("20060102T150405Z"))
	if err != nil {
		return nil, a, fmt.Errorf("set aside the records %s carried: %w", path, err)
	}
	return it.fresh(a)
}

func (it *Item) fresh(a Adoption) (*Item, Adoption, error) {
	it.State = State{ID: newID()}
	return it, a, nil
}

// reason puts a record error in a few words for the log and the history.
func reason(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no " + stateFile
	case errors.Is(err, ErrForged):
		return stateFile + " was not written by this root's ferry"
	case errors.Is(err, ErrNotRegular):
		return stateFile + " is not a regular file"
	case errors.Is(err, ErrTooLarge):
		return stateFile + " is larger than ferry ever writes"
	}
	return err.Error()
}

// empty reports whether a record folder holds nothing but earlier
// set-aside folders.
func empty(rec *os.File) bool {
	names, err := readNames(rec)
	if err != nil {
		return false
	}
	for _, n := range names {
		if !strings.HasPrefix(n, setAsidePrefix) {
			return false
		}
	}
	return true
}

// setAside moves every entry of rec, except earlier set-aside folders,
// into a new set-aside folder. Renames move links and devices as names,
// never through them.
func setAside(rec *os.File, stamp string) (string, error) {
	names, err := readNames(rec)
	if err != nil {
		return "", err
	}
	name := setAsidePrefix + stamp
	for i := 2; ; i++ {
		err := unix.Mkdirat(int(rec.Fd()), name, 0o777)
		if err == nil {
			break
		}
		if err != unix.EEXIST || i > 100 {
			return "", err
		}
		name = fmt.Sprintf("%s%s-%d", setAsidePrefix, stamp, i)
	}
	to, err := openDir(rec, name)
	if err != nil {
		return "", err
	}
	defer to.Close()
	for _, n := range names {
		if strings.HasPrefix(n, setAsidePrefix) {
			continue
		}
		if err := unix.Renameat(int(rec.Fd()), n, int(to.Fd()), n); err != nil {
			return "", fmt.Errorf("move %s aside: %w", n, err)
		}
	}
	return filepath.Join(ItemDir, name), rec.Sync()
}

// Load reads the record of an item in a later stage. An item whose
// record this root did not write is not ferry's to work on: ErrForged
// (or the read error) is returned and the caller fails the item.
// A transition into stage that a crash kept out of the history is
// confirmed.
func (r *Root) Load(path, stage string) (*Item, error) {
	it := &Item{root: r, path: path}
	dir, rec, err := it.open(false)
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	if rec == nil {
		return nil, fmt.Errorf("%s has no record: %w", path, os.ErrNotExist)
	}
	defer rec.Close()
	removeTemps(rec)
	st, err := r.readState(rec)
	if err != nil {
		return nil, fmt.Errorf("the record of %s: %w", filepath.Base(path), err)
	}
	it.State = st
	if p := st.Pending; p != nil {
		switch {
		case p.To != stage:
			it.State.Seq = p.Seq - 1 // the move never happened
		case it.lastSeq(rec) < p.Seq:
			it.confirm(rec)
		}
		it.State.Pending = nil
	}
	return it, nil
}

// Peek reads an item's state without taking the item on, for listings
// (`ferry status`, retries, fan-out checks). A record that is not this
// root's reads as an error.
func (r *Root) Peek(path string) (State, error) {
	it := &Item{root: r, path: path}
	dir, rec, err := it.open(false)
	if err != nil {
		return State{}, err
	}
	defer dir.Close()
	if rec == nil {
		return State{}, os.ErrNotExist
	}
	defer rec.Close()
	return r.readState(rec)
}

func (r *Root) readState(rec *os.File) (State, error) {
	raw, err := readFile(rec, stateFile, maxStateSize)
	if err != nil {
		return State{}, err
	}
	return r.decodeState(raw)
}

// decodeState verifies and decodes a state file's content.
func (r *Root) decodeState(raw []byte) (State, error) {
	var st State
	if err := r.seal.open(stateFile, "", raw, &st); err != nil {
		return State{}, err
	}
	if st.ID == "" {
		return State{}, fmt.Errorf("%s: %w", stateFile, ErrForged)
	}
	return st, nil
}

// open opens the item folder and its record folder without following
// links. rec is nil when the item has no record folder and create is
// false. The item folder missing is ErrGone.
func (it *Item) open(create bool) (dir, rec *os.File, err error) {
	dir, err = openDir(nil, it.path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("%s: %w", it.path, ErrGone)
		}
		if errors.Is(err, ErrNotRegular) {
			return nil, nil, fmt.Errorf("%s is not a folder (a link or a file)", it.path)
		}
		return nil, nil, err
	}
	if create {
		rec, err = ensureDir(dir, ItemDir)
	} else {
		rec, err = openDir(dir, ItemDir)
		if errors.Is(err, os.ErrNotExist) {
			return dir, nil, nil
		}
	}
	if err != nil {
		if errors.Is(err, ErrNotRegular) {
			return dir, nil, err
		}
		dir.Close()
		return nil, nil, err
	}
	return dir, rec, nil
}

// withRecord runs fn with the item's record folder open (created when
// missing).
func (it *Item) withRecord(fn func(dir, rec *os.File) error) error {
	dir, rec, err := it.open(true)
	if err != nil {
		if dir != nil {
			dir.Close()
		}
		return err
	}
	defer dir.Close()
	defer rec.Close()
	return fn(dir, rec)
}

// Save writes the item's state.
func (it *Item) Save() error {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.withRecord(func(_, rec *os.File) error { return it.saveIn(rec) })
}

func (it *Item) saveIn(rec *os.File) error {
	data, err := it.root.seal.seal(stateFile, "", it.State)
	if err != nil {
		return err
	}
	return writeFile(rec, rec, stateFile, data)
}

// Prepare records a transition before the move that makes it: the state
// is saved with the transition pending. If this fails (a full disk), the
// caller must not move the item. After the move, Moved confirms it.
func (it *Item) Prepare(line HistoryLine) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	it.State.Seq++
	line.Seq = it.State.Seq
	it.State.Pending = &line
	it.State.StageSince = line.Time
	return it.withRecord(func(_, rec *os.File) error { return it.saveIn(rec) })
}

// Moved tells the record its folder is now at path after the move that
// Prepare recorded, and writes that transition into the history. An
// error leaves it pending in the state, confirmed the next time the item
// is loaded in its new stage.
func (it *Item) Moved(path string) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	it.path = path
	return it.withRecord(func(_, rec *os.File) error { return it.confirm(rec) })
}

// Cancel drops a prepared transition whose move did not happen.
func (it *Item) Cancel() {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.State.Pending != nil {
		it.State.Pending = nil
		it.State.Seq--
	}
}

func (it *Item) confirm(rec *os.File) error {
	p := it.State.Pending
	if p == nil {
		return nil
	}
	if err := it.appendHistory(rec, *p); err != nil {
		return err
	}
	it.State.Pending = nil
	return nil
}

// Note adds a line to the history without a move: a failed try, what
// adoption set aside.
func (it *Item) Note(line HistoryLine) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.withRecord(func(_, rec *os.File) error { return it.appendHistory(rec, line) })
}

func (it *Item) appendHistory(rec *os.File, line HistoryLine) error {
	data, err := it.root.seal.seal(historyFile, it.State.ID, line)
	if err != nil {
		return err
	}
	return appendLine(rec, historyFile, append(data, '\n'))
}

// WriteErrors writes ERRORS.txt into the item, atomically; its temporary
// file is inside .ferry/, where neither the watcher nor a person takes it
// for part of the release.
func (it *Item) WriteErrors(text []byte) error {
	return it.withRecord(func(dir, rec *os.File) error { return writeFile(rec, dir, ErrorsFile, text) })
}

// RemoveErrors drops an old ERRORS.txt when an item is retried.
func (it *Item) RemoveErrors() error {
	dir, err := openDir(nil, it.path)
	if err != nil {
		return err
	}
	defer dir.Close()
	if err := unix.Unlinkat(int(dir.Fd()), ErrorsFile, 0); err != nil && err != unix.ENOENT {
		return &os.PathError{Op: "remove", Path: filepath.Join(it.path, ErrorsFile), Err: err}
	}
	return nil
}

// PackageDir is the folder inside the item where packaging lays out the
// exact tree uploaded. The record folder is made (a real folder) first.
func (it *Item) PackageDir() (string, error) {
	if err := it.withRecord(func(_, _ *os.File) error { return nil }); err != nil {
		return "", err
	}
	return filepath.Join(it.path, ItemDir, PackageDir), nil
}

// fanoutDir is the folder inside ItemDir where delivery instances are
// built before they are renamed into their stage.
const fanoutDir = "fanout"

// FanoutDir is where the release's delivery instances are built: inside
// its record folder, so that an instance whose move a crash interrupted
// is still with its release, whoever takes the release next.
func (it *Item) FanoutDir() (string, error) {
	err := it.withRecord(func(_, rec *os.File) error {
		d, err := ensureDir(rec, fanoutDir)
		if err == nil {
			d.Close()
		}
		return err
	})
	return filepath.Join(it.path, ItemDir, fanoutDir), err
}

// ResetFanout forgets a fan-out of an earlier drop of the folder (it came
// back through the inbox): its instances left long ago.
func (it *Item) ResetFanout() error {
	it.State.Fanned = nil
	return os.RemoveAll(filepath.Join(it.path, ItemDir, fanoutDir))
}

// NewInstance starts the record of a delivery instance fanned out from
// it into the folder path: its own identity, the release's state for
// dsp, and the release's history so far.
func (it *Item) NewInstance(path, dsp string) (*Item, error) {
	lines, err := it.History()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	// A delivery instance moved back for a retry carries its delivery and
	// what is already on the server, so that the retry reuses its remote
	// folder and sends only what is missing.
	var d *Delivery
	var up *Uploads
	if it.State.DSP == dsp {
		d, _ = it.Delivery()
		up = it.Uploads()
	}
	inst := &Item{root: it.root, path: path, State: it.State}
	inst.State.ID = newID()
	inst.State.DSP = dsp
	inst.State.Blocked = nil
	inst.State.Fanned = nil
	inst.State.Pending = nil
	err = inst.withRecord(func(_, rec *os.File) error {
		var data []byte
		for _, l := range lines {
			b, err := inst.root.seal.seal(historyFile, inst.State.ID, l)
			if err != nil {
				return err
			}
			data = append(append(data, b...), '\n')
		}
		if err := writeFile(rec, rec, historyFile, data); err != nil {
			return err
		}
		if d != nil {
			b, err := inst.root.seal.seal(DeliveryFile, inst.State.ID, d)
			if err != nil {
				return err
			}
			if err := writeFile(rec, rec, DeliveryFile, b); err != nil {
				return err
			}
			b, err = up.lines(inst.State.ID)
			if err != nil {
				return err
			}
			if err := writeFile(rec, rec, UploadedFile, b); err != nil {
				return err
			}
		}
		return inst.saveIn(rec)
	})
	if err != nil {
		return nil, fmt.Errorf("start the record of %s: %w", filepath.Base(path), err)
	}
	return inst, nil
}

func newID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// NewDropID returns a fresh identifier for one drop of a release.
func NewDropID() string { return newID()[:16] }
