package record

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ferrydelivery/ferry/stages/files"
)

// The catalogue index, <root>/.ferry/ledger/index/, lets `ferry releases`
// answer without opening one ledger file per release: each node appends
// a line per accepted delivery to its own file (<node>.tsv; one writer per
// file, so several daemons never interleave), and reading the catalogue
// folds every file, the latest line per release and DSP winning. It is
// derived from the ledger: a root without it (an older ferry's) is
// indexed from the ledger files once, when first needed.

const (
	indexDir    = "index"
	indexFields = 10
)

// indexLine is a delivery as the index keeps it: tab-separated, in this
// order, the time as Unix nanoseconds (parsed far faster than a date). Text fields cannot hold tabs or line breaks (validation refuses
// control characters; they are replaced here all the same).
func indexLine(d *Delivery) string {
	clean := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
	return strings.Join([]string{
		strconv.FormatInt(d.Created.UnixNano(), 10), d.DSP, d.ReleaseID, d.UPC, d.Kind, d.MessageID, d.ERNVersion,
		clean.Replace(d.Title), clean.Replace(d.Artist), strings.Join(d.ISRCs, ","),
	}, "\t") + "\n"
}

// indexEntry is one index line: a delivery as the catalogue needs it.
// Its strings are slices of the index file as read, not copies.
type indexEntry struct {
	created                                          int64 // Unix nanoseconds
	dsp, releaseID, upc, kind, messageID, ernVersion string
	title, artist                                    string
	isrcs                                            string // comma-separated
	next                                             int32  // the release's next DSP in the fold, or -1
}

// parseIndexLine reads one index line into e; false for a line that is
// not one (torn by a crash, or not ferry's).
func parseIndexLine(line string, e *indexEntry) bool {
	var f [indexFields]string
	rest := line
	for i := range indexFields - 1 {
		var ok bool
		if f[i], rest, ok = strings.Cut(rest, "\t"); !ok {
			return false // a line torn by a crash
		}
	}
	f[indexFields-1] = rest
	if strings.Contains(rest, "\t") {
		return false
	}
	ns, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || !ValidName(f[1]) || !ValidReleaseID(f[2]) {
		return false
	}
	*e = indexEntry{created: ns, dsp: f[1], releaseID: f[2], upc: f[3], kind: f[4], messageID: f[5], ernVersion: f[6],
		title: f[7], artist: f[8], isrcs: f[9], next: -1}
	return true
}

// entryOf is d as its index line would give it back.
func entryOf(d *Delivery) indexEntry {
	var e indexEntry
	parseIndexLine(strings.TrimSuffix(indexLine(d), "\n"), &e)
	return e
}

// appendIndex adds an accepted delivery to this node's index file,
// indexing the ledger first if the root has no index yet.
func (r *Root) appendIndex(d *Delivery) error {
	if err := r.ensureIndex(); err != nil {
		return err
	}
	dir, err := openDir(nil, r.path("ledger", indexDir))
	if err != nil {
		return err
	}
	defer dir.Close()
	return appendLine(dir, r.node+".tsv", []byte(indexLine(d)))
}

// ensureIndex makes the index from the ledger files when the root has
// none: built aside in a folder of its own, then renamed into place, so
// a crash or a second daemon doing the same never leaves half an index.
// The folder is new each time, in the node's temporary folder: on a
// network share a killed daemon's last writes can still land after it
// died, and they must never land in a folder that is then renamed into
// place (the next start empties the node's temporary folder).
func (r *Root) ensureIndex() error {
	final := r.path("ledger", indexDir)
	if _, err := os.Lstat(final); err == nil {
		return nil
	}
	all, err := r.scanLedger()
	if err != nil {
		return err
	}
	// In the node's temporary folder, which every start empties.
	tmp := r.path("tmp", r.node, indexDir+"-"+newID()[:8])
	if err := os.MkdirAll(tmp, files.DirPerm); err != nil {
		return err
	}
	var b strings.Builder
	for _, d := range all {
		b.WriteString(indexLine(d))
	}
	if err := files.WriteFileAtomic(filepath.Join(tmp, "ledger-"+r.node+".tsv"), []byte(b.String()), files.FilePerm); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Lstat(final); serr == nil {
			return nil // another daemon indexed it first
		}
		return fmt.Errorf("install the catalogue index: %w", err)
	}
	return files.SyncDir(filepath.Dir(final))
}

// scanLedger reads every ledger entry: what the index is made from.
func (r *Root) scanLedger() ([]*Delivery, error) {
	dsps, err := os.ReadDir(r.path("ledger"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Delivery
	for _, dd := range dsps {
		if !dd.IsDir() || !ValidName(dd.Name()) {
			continue
		}
		entries, err := os.ReadDir(r.path("ledger", dd.Name()))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			id, ok := strings.CutSuffix(e.Name(), ".json")
			if !ok || !ValidReleaseID(id) {
				continue
			}
			if d, err := r.Delivered(dd.Name(), id); err == nil {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// fold is the catalogue index folded: every release with the newest
// entry at each DSP. Entries live in one slab and a release's DSPs are a
// list through it, so 100,000 releases cost a few allocations, not
// 100,000.
type fold struct {
	entries  []indexEntry
	releases []foldedRelease
	byID     map[string]int32 // release id → its place in releases
}

// foldedRelease is one release in a fold: its first entry and the
// newest (whose title and artist name the release).
type foldedRelease struct {
	title, id    string
	head, newest int32
}

func newFold(lines int) *fold {
	return &fold{entries: make([]indexEntry, 0, lines), releases: make([]foldedRelease, 0, lines),
		byID: make(map[string]int32, lines)}
}

// add folds the entry last appended to f.entries in: kept when it is the
// first or newest for its release and DSP, dropped otherwise.
func (f *fold) add() {
	j := int32(len(f.entries) - 1)
	e := &f.entries[j]
	ri, ok := f.byID[e.releaseID]
	if !ok {
		f.byID[e.releaseID] = int32(len(f.releases))
		f.releases = append(f.releases, foldedRelease{title: e.title, id: e.releaseID, head: j, newest: j})
		return
	}
	rel := &f.releases[ri]
	for at := rel.head; at >= 0; at = f.entries[at].next {
		old := &f.entries[at]
		// Per DSP, the newest accepted message and the newest outcome
		// of one not accepted are kept apart (see mergeOutcomes).
		if old.dsp != e.dsp || outcome(old.kind) != outcome(e.kind) {
			continue
		}
		if e.created > old.created || e.created == old.created && rank(e.kind) >= rank(old.kind) { // what replaces the one kept
			e.next = old.next
			*old = *e
			if old.created >= f.entries[rel.newest].created {
				rel.newest, rel.title = at, old.title
			}
		}
		f.entries = f.entries[:j]
		return
	}
	e.next = rel.head
	rel.head = j
	if e.created > f.entries[rel.newest].created {
		rel.newest, rel.title = j, e.title
	}
}

// latest folds the catalogue: from the index when the root has one, else
// from the ledger files.
func (r *Root) latest() (*fold, error) {
	es, err := os.ReadDir(r.path("ledger", indexDir))
	if errors.Is(err, os.ErrNotExist) {
		all, err := r.scanLedger()
		f := newFold(len(all))
		for _, d := range all {
			f.entries = append(f.entries, entryOf(d))
			f.add()
		}
		return f, err
	}
	if err != nil {
		return nil, err
	}
	// Read whole: every field is then a slice of one string, not a copy
	// per line.
	var texts []string
	var size int
	for _, e := range es {
		if !strings.HasSuffix(e.Name(), ".tsv") {
			continue
		}
		text, err := readString(r.path("ledger", indexDir, e.Name()))
		if err != nil {
			return nil, err
		}
		texts = append(texts, text)
		size += len(text)
	}
	const lineSize = 80 // about: a guess that saves most of the slab's regrowth
	f := newFold(size / lineSize)
	for _, text := range texts {
		for text != "" {
			var line string
			line, text, _ = strings.Cut(text, "\n")
			f.entries = append(f.entries, indexEntry{})
			if !parseIndexLine(line, &f.entries[len(f.entries)-1]) {
				f.entries = f.entries[:len(f.entries)-1]
				continue
			}
			f.add()
		}
	}
	return f, nil
}

// readString reads a whole file into a string without the copy
// string(os.ReadFile(…)) makes.
func readString(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	var b strings.Builder
	if fi, err := fh.Stat(); err == nil {
		b.Grow(int(fi.Size()) + 1)
	}
	_, err = io.Copy(&b, fh)
	return b.String(), err
}
