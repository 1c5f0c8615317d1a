// Package bulk is the "package" transport: for distributors whose
// portals take bulk packages that a person uploads, it writes one zip
// archive per delivery into a folder: the DDEX tree of the delivery and,
// when configured, a CSV metadata sheet with one row per track.
//
// The Transport interface hands files over one by one, so the archive is
// assembled as they come: each file is streamed into a temporary zip in
// the destination folder (stored, not compressed: audio and JPEG do not
// shrink), with no other copy of the audio. The delivery is complete when
// an XML file arrives directly in the delivery folder: the ERN message
// release by release, or the BatchComplete manifest in a batch (whose
// message sits one folder down). delivery.Upload always sends resources
// first, then the message, then the manifest, so that file is the last
// one. The sheet is then added from the message, the zip is closed,
// flushed to disk and renamed to its final name in one step: the folder
// never shows a partial archive under a final name.
//
// A Put that fails (a source error, a cancelled context) drops the whole
// unfinished archive: the Stat of its earlier files then fails, so the
// next try sends them again into a fresh archive.
package bulk

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
)

// Layouts of the files inside an archive.
const (
	// LayoutFolder keeps the delivery folder at the archive's root, as
	// it would be on the DSP's SFTP server.
	LayoutFolder = "folder"
	// LayoutContents puts the delivery folder's contents at the root.
	LayoutContents = "contents"
	// LayoutFlat puts every file at the root, without folders.
	LayoutFlat = "flat"
)

// TempSuffix ends the names of archives being assembled; with a leading
// dot it keeps folder scanners and portals' uploaders away from them.
const TempSuffix = ".ferry-tmp"

// DefaultName is the archive name template: the delivery folder's name,
// unique per delivery (N_<release>_<timestamp>.zip).
const DefaultName = "{folder}.zip"

// maxMessage bounds how much of a message is kept in memory to read it.
const maxMessage = 64 << 20

// Options configure a Transport.
type Options struct {
	// Dir is the existing folder archives are written to.
	Dir string
	// Name is the archive name template: {folder}, {upc}, {release_id},
	// {message_id}, {kind}, {date} (YYYYMMDD, UTC) and {time} (HHMMSS).
	Name string
	// Layout is LayoutFolder (default), LayoutContents or LayoutFlat.
	Layout string
	// Sheet, when set, adds a CSV metadata sheet to each archive.
	Sheet *Sheet
	// StaleAfter: temporary archives older than this, left by a crash,
	// are removed when the transport starts (default 24h).
	StaleAfter time.Duration
	Now        func() time.Time
	Logger     *slog.Logger
}

// Transport assembles and writes archives under Options.Dir.
type Transport struct {
	o        Options
	mu       sync.Mutex
	pending  map[string]*archive // by delivery folder
	finished map[string]string   // delivery folder → archive written
}

var _ delivery.Transport = (*Transport)(nil)

// New checks the folder (it must exist: a missing one is a configuration
// fault, not something to create on an unmounted share's mount point) and
// removes stale temporary archives.
func New(o Options) (*Transport, error) {
	if o.Name == "" {
		o.Name = DefaultName
	}
	switch o.Layout {
	case "":
		o.Layout = LayoutFolder
	case LayoutFolder, LayoutContents, LayoutFlat:
	default:
		return nil, delivery.Permanent(fmt.Errorf("package layout %q: want folder, contents or flat", o.Layout))
	}
	if err := checkName(o.Name); err != nil {
		return nil, delivery.Permanent(err)
	}
	if o.Sheet != nil {
		if err := o.Sheet.check(); err != nil {
			return nil, delivery.Permanent(err)
		}
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, delivery.Permanent(fmt.Errorf("package folder %q: %w", o.Dir, err))
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, delivery.Permanent(fmt.Errorf("package folder: %w", err))
	}
	if !fi.IsDir() {
		return nil, delivery.Permanent(fmt.Errorf("package folder %s is not a folder", abs))
	}
	o.Dir = abs
	t := &Transport{o: o, pending: map[string]*archive{}, finished: map[string]string{}}
	t.removeStale()
	return t, nil
}

func (t *Transport) removeStale() {
	temps, _ := filepath.Glob(filepath.Join(t.o.Dir, ".*"+TempSuffix))
	for _, p := range temps {
		if fi, err := os.Stat(p); err == nil && t.o.Now().Sub(fi.ModTime()) > t.o.StaleAfter {
			if os.Remove(p) == nil {
				t.o.Logger.Info("removed an unfinished archive left by an earlier run", "file", filepath.Base(p))
			}
		}
	}
}

// Dir is the folder archives are written to.
func (t *Transport) Dir() string { return t.o.Dir }

// errBadPath marks a path that is absolute, leaves the root, or is not
// inside a delivery folder.
var errBadPath = errors.New("invalid path")

// split checks p and returns it cleaned with its delivery folder.
func split(p string) (clean, folder string, err error) {
	clean = path.Clean(p)
	if p == "" || path.IsAbs(clean) || clean == "." || clean == ".." || strings.HasPrefix(clean, "../") || strings.ContainsRune(p, 0) {
		return "", "", delivery.Permanent(fmt.Errorf("%w %q: want a path inside a delivery folder", errBadPath, p))
	}
	folder, _, ok := strings.Cut(clean, "/")
	if !ok {
		return "", "", delivery.Permanent(fmt.Errorf("%w %q: the package transport takes files inside a delivery folder", errBadPath, p))
	}
	return clean, folder, nil
}

// closes reports whether p is the file that completes its delivery: an
// XML file directly inside the delivery folder.
func closes(clean string) bool {
	return strings.Count(clean, "/") == 1 && strings.EqualFold(path.Ext(clean), ".xml")
}

// Put streams size bytes from r into the archive of p's delivery folder,
// and writes the archive out when p completes the delivery.
func (t *Transport) Put(ctx context.Context, p string, r io.Reader, size int64) error {
	clean, folder, err := split(p)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	a, err := t.archiveFor(folder)
	if err != nil {
		return err
	}
	a.write.Lock()
	defer a.write.Unlock()
	if err := a.add(ctx, t, clean, r, size); err != nil {
		t.drop(a)
		return fmt.Errorf("package %s: %w", clean, err)
	}
	if !closes(clean) {
		return nil
	}
	final, err := a.finish(t)
	if err != nil {
		t.drop(a)
		return fmt.Errorf("write the package of %s: %w", folder, err)
	}
	t.mu.Lock()
	delete(t.pending, folder)
	t.finished[folder] = final
	t.mu.Unlock()
	t.o.Logger.Info("package written", "archive", filepath.Base(final), "files", len(a.entries))
	return nil
}

// archiveFor returns the unfinished archive of folder, starting one.
func (t *Transport) archiveFor(folder string) (*archive, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if a := t.pending[folder]; a != nil {
		return a, nil
	}
	a, err := newArchive(t.o.Dir, folder)
	if err != nil {
		return nil, classify(err)
	}
	t.pending[folder] = a
	return a, nil
}

// drop abandons an unfinished archive and its temporary file.
func (t *Transport) drop(a *archive) {
	t.mu.Lock()
	if t.pending[a.folder] == a {
		delete(t.pending, a.folder)
	}
	t.mu.Unlock()
	a.discard()
}

// Stat returns the size of a file of a delivery being assembled or
// written by this transport, or an error wrapping fs.ErrNotExist.
func (t *Transport) Stat(_ context.Context, p string) (int64, error) {
	clean, folder, err := split(p)
	if err != nil {
		return 0, err
	}
	t.mu.Lock()
	a, final := t.pending[folder], t.finished[folder]
	t.mu.Unlock()
	if a != nil {
		if e, ok := a.entry(clean); ok {
			return e.size, nil
		}
	}
	if final != "" {
		if f, err := finishedEntry(final, t.inArchive(clean)); err == nil {
			return int64(f.UncompressedSize64), nil
		}
	}
	return 0, fmt.Errorf("stat %s: %w", clean, fs.ErrNotExist)
}

// List returns the files directly inside dir among the deliveries being
// assembled or written by this transport; a missing dir is empty.
func (t *Transport) List(_ context.Context, dir string) ([]delivery.RemoteFile, error) {
	clean, folder, err := split(dir + "/x")
	if err != nil {
		return nil, err
	}
	dir = path.Dir(clean)
	t.mu.Lock()
	a, final := t.pending[folder], t.finished[folder]
	t.mu.Unlock()
	seen := map[string]delivery.RemoteFile{}
	if final != "" {
		if zr, err := zip.OpenReader(final); err == nil {
			for _, f := range zr.File {
				if p, ok := t.fromArchive(f.Name, folder); ok && path.Dir(p) == dir {
					seen[path.Base(p)] = delivery.RemoteFile{Name: path.Base(p), Size: int64(f.UncompressedSize64), ModTime: f.Modified}
				}
			}
			zr.Close()
		}
	}
	if a != nil {
		for p, e := range a.snapshot() {
			if path.Dir(p) == dir {
				seen[path.Base(p)] = delivery.RemoteFile{Name: path.Base(p), Size: e.size, ModTime: e.mod}
			}
		}
	}
	files := make([]delivery.RemoteFile, 0, len(seen))
	for _, f := range seen {
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// Open reads a file of a delivery being assembled or written.
func (t *Transport) Open(_ context.Context, p string) (io.ReadCloser, error) {
	clean, folder, err := split(p)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	a, final := t.pending[folder], t.finished[folder]
	t.mu.Unlock()
	if a != nil {
		if rc, ok := a.open(clean); ok {
			return rc, nil
		}
	}
	if final != "" {
		zr, err := zip.OpenReader(final)
		if err == nil {
			for _, f := range zr.File {
				if f.Name == t.inArchive(clean) {
					rc, err := f.Open()
					if err != nil {
						zr.Close()
						return nil, err
					}
					return readCloser{rc, zr}, nil
				}
			}
			zr.Close()
		}
	}
	return nil, fmt.Errorf("open %s: %w", clean, fs.ErrNotExist)
}

// Close abandons the archives still being assembled: they are partial.
func (t *Transport) Close() error {
	t.mu.Lock()
	pending := t.pending
	t.pending = map[string]*archive{}
	t.mu.Unlock()
	for _, a := range pending {
		a.write.Lock()
		a.discard()
		a.write.Unlock()
	}
	return nil
}

// inArchive is the name of the file at clean inside its archive.
func (t *Transport) inArchive(clean string) string {
	switch t.o.Layout {
	case LayoutContents:
		_, rest, _ := strings.Cut(clean, "/")
		return rest
	case LayoutFlat:
		return path.Base(clean)
	}
	return clean
}

// fromArchive maps an archive entry back to its transport path.
func (t *Transport) fromArchive(name, folder string) (string, bool) {
	switch t.o.Layout {
	case LayoutContents, LayoutFlat:
		return folder + "/" + name, true
	}
	return name, strings.HasPrefix(name, folder+"/")
}

func finishedEntry(archivePath, name string) (*zip.File, error) {
	zr, err := zip.OpenReader(archivePath)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			return f, nil
		}
	}
	return nil, fs.ErrNotExist
}

type readCloser struct {
	io.ReadCloser
	zr *zip.ReadCloser
}

func (r readCloser) Close() error {
	r.ReadCloser.Close()
	return r.zr.Close()
}

// classify marks permission faults and a read-only filesystem permanent;
// others (a full disk, an I/O error on a share) stay transient.
func classify(err error) error {
	if errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return delivery.Permanent(err)
	}
	return err
}

// messageOf reads an ERN message for the sheet and the archive name.
func messageOf(b []byte) (*ern.Message, error) {
	m, _, err := ern.Read(strings.NewReader(string(b)))
	return m, err
}
