package record

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

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

func parseIndexLine(line string, d *Delivery) bool {
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
	*d = Delivery{Created: time.Unix(0, ns).UTC(), DSP: f[1], ReleaseID: f[2], UPC: f[3], Kind: f[4], MessageID: f[5], ERNVersion: f[6],
		Title: f[7], Artist: f[8]}
	if f[9] != "" {
		d.ISRCs = strings.Split(f[9], ",")
	}
	return true
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
// none: built aside, then renamed into place, so a crash or a second
// daemon doing the same never leaves half an index.
func (r *Root) ensureIndex() error {
	final := r.path("ledger", indexDir)
	if _, err := os.Lstat(final); err == nil {
		return nil
	}
	all, err := r.scanLedger()
	if err != nil {
		return err
	}
	tmp := r.path("ledger", "."+indexDir+"-"+r.node)
	os.RemoveAll(tmp)
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

// latest returns the newest delivery of every release at every DSP: from
// the index when the root has one, else from the ledger files.
func (r *Root) latest() ([]*Delivery, error) {
	es, err := os.ReadDir(r.path("ledger", indexDir))
	if errors.Is(err, os.ErrNotExist) {
		return r.scanLedger()
	}
	if err != nil {
		return nil, err
	}
	var size int64
	for _, e := range es {
		if fi, err := e.Info(); err == nil {
			size += fi.Size()
		}
	}
	newest := make(map[[2]string]*Delivery, size/100) // about 100 bytes a line
	// Lines are parsed into one slab, not one allocation each.
	slab := make([]Delivery, 0, size/100)
	for _, e := range es {
		if !strings.HasSuffix(e.Name(), ".tsv") {
			continue
		}
		// Read whole: every field is then a slice of one string, not a
		// copy per line.
		raw, err := os.ReadFile(r.path("ledger", indexDir, e.Name()))
		if err != nil {
			return nil, err
		}
		for text := string(raw); text != ""; {
			var line string
			line, text, _ = strings.Cut(text, "\n")
			if len(slab) == cap(slab) {
				slab = make([]Delivery, 0, max(1024, cap(slab)))
			}
			slab = slab[:len(slab)+1]
			d := &slab[len(slab)-1]
			if !parseIndexLine(line, d) {
				slab = slab[:len(slab)-1]
				continue
			}
			k := [2]string{d.DSP, d.ReleaseID}
			if old := newest[k]; old == nil || !d.Created.Before(old.Created) {
				newest[k] = d
			}
		}
	}
	out := make([]*Delivery, 0, len(newest))
	for _, d := range newest {
		out = append(out, d)
	}
	return out, nil
}
