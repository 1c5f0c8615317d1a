package delivery

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferrydelivery/ferry/ern"
)

// Mover is a Transport that can move a file on the server; AckIndex needs
// it to archive acknowledgements. Move creates to's folder when missing
// and never replaces an existing file.
type Mover interface {
	Move(ctx context.Context, from, to string) error
}

// AckIndexOptions configure an AckIndex.
type AckIndexOptions struct {
	// Archive is a folder on the DSP's server (relative to its root, like
	// the ack folder) into which acknowledgements are moved once read to
	// the end, so that the ack folder stays small. Empty: they stay where
	// the DSP wrote them and the index remembers them as read.
	Archive string
	// MaxAge is how long one listing of the ack folder answers every
	// lookup; a lookup after that lists again. Half the poll interval
	// keeps the added latency under half a poll. Default 1s.
	MaxAge time.Duration
	// ArchiveMaxAge bounds how often the archive is listed, and only after
	// a lookup found nothing in the ack folder: after a restart, an
	// acknowledgement archived just before it is found there. It is also
	// how long a final result is kept in memory for a delivery that asks
	// again. Default 1h.
	ArchiveMaxAge time.Duration
	Logger        *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// AckIndex is one DSP's acknowledgement folder as ferry has read it. Every
// delivery waiting on that DSP looks its acknowledgement up here: the
// folder is listed once per MaxAge whatever the number of waiting
// deliveries (none while nothing waits), files are matched by the
// MessageId in their name (ACK_<MessageId>_<timestamp>.xml) and read only
// when a delivery asks for that MessageId; files named otherwise are read
// once and indexed by the MessageIds they acknowledge. An acknowledgement
// read to its end (accepted or rejected) is moved into the archive folder
// when one is configured, else remembered, and is never read again.
//
// An AckIndex is safe for concurrent use; lookups of one DSP run one at a
// time.
type AckIndex struct {
	t   Transport
	dir string
	o   AckIndexOptions

	mu       sync.Mutex
	listedAt time.Time
	listErr  error
	byName   map[string][]nameMatch // MessageId (and each prefix ending at "_") → files
	listing  map[string]RemoteFile  // the ack folder's files, by name
	others   []string               // .xml files not named ACK_…, not read yet
	seen     map[string]bool        // files of others already read
	byBody   map[string][]string    // MessageId acknowledged → files of others
	parsed   map[string]parsedAck   // path → its content, read once
	settled  map[string]settled     // MessageId → final result already given
	prunedAt time.Time
	archive  archiveView
	stats    AckIndexStats
}

// AckIndexStats count an index's work on the DSP's server.
type AckIndexStats struct {
	Listings int // listings of the ack folder
	Reads    int // acknowledgement files read
	Archived int // files moved into the archive
	Lookups  int
}

// nameMatch is a file that may acknowledge a MessageId; exact when the
// MessageId is the whole id part of its name.
type nameMatch struct {
	file  string
	exact bool
}

// settled is a final result given, kept a while for a delivery that asks
// again (its move failed and is retried).
type settled struct {
	res AckResult
	at  time.Time
}

type parsedAck struct {
	ack     *ern.Ack
	err     error
	size    int64
	modTime time.Time
}

// archiveView is what ferry knows of the archive folder.
type archiveView struct {
	broken   bool // a move failed: keep and remember instead
	listedAt time.Time
	byName   map[string][]nameMatch
}

// NewAckIndex returns the index of t's acknowledgement folder dir.
func NewAckIndex(t Transport, dir string, o AckIndexOptions) *AckIndex {
	if o.MaxAge <= 0 {
		o.MaxAge = time.Second
	}
	if o.ArchiveMaxAge <= 0 {
		o.ArchiveMaxAge = time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	ix := &AckIndex{t: t, dir: dir, o: o, parsed: map[string]parsedAck{}, settled: map[string]settled{},
		seen: map[string]bool{}, byBody: map[string][]string{}}
	if o.Archive != "" {
		if _, ok := t.(Mover); !ok {
			o.Logger.Warn("ack.archive is set but this transport cannot move files: acknowledgements are kept and remembered as read",
				"archive", o.Archive)
			ix.archive.broken = true
		}
	}
	return ix
}

// Stats returns the work done so far.
func (ix *AckIndex) Stats() AckIndexStats {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.stats
}

// Check lists the acknowledgement folder now (not from the cache) and
// reports a fault at once: an *AckDirMissingError when the folder does
// not exist, the transport's error when the DSP cannot be reached. The
// pipeline calls it at start so that a wrong ack.dir is a warning and a
// readiness problem before any delivery waits on it.
func (ix *AckIndex) Check(ctx context.Context) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.listedAt = time.Time{}
	return ix.refresh(ctx)
}

// Lookup returns the acknowledgement of the delivery of message
// messageID (release releaseID), or Found false when there is none yet.
// Errors: a *MalformedAckError (permanent) when the DSP's acknowledgement
// of it cannot be read, an *AckDirMissingError when the folder does not
// exist, else the transport's error.
func (ix *AckIndex) Lookup(ctx context.Context, messageID, releaseID string) (AckResult, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.stats.Lookups++
	if s, ok := ix.settled[messageID]; ok {
		return s.res, nil
	}
	if err := ix.refresh(ctx); err != nil {
		return AckResult{}, err
	}
	res, err := ix.find(ctx, ix.dir, ix.byName[messageID], messageID, releaseID)
	if err == nil && !res.Found {
		ix.readOthers(ctx)
		var files []nameMatch
		for _, f := range ix.byBody[messageID] {
			files = append(files, nameMatch{file: f, exact: true})
		}
		res, err = ix.find(ctx, ix.dir, files, messageID, releaseID)
	}
	if err == nil && !res.Found && ix.o.Archive != "" {
		res, err = ix.findArchived(ctx, messageID, releaseID)
	}
	if err != nil || !res.Found || res.Outcome() == ern.AckPending {
		return res, err
	}
	ix.settle(ctx, messageID, res)
	return res, nil
}

// refresh lists the ack folder when the last listing is older than
// MaxAge; a failed listing is remembered as long, so that many waiting
// deliveries do not each try an unreachable server.
func (ix *AckIndex) refresh(ctx context.Context) error {
	now := ix.o.Now()
	if !ix.listedAt.IsZero() && now.Sub(ix.listedAt) < ix.o.MaxAge {
		return ix.listErr
	}
	ix.listedAt = now
	ix.stats.Listings++
	files, err := ix.t.List(ctx, ix.dir)
	if err == nil && len(files) == 0 {
		// List shows a missing folder as empty: tell them apart.
		if _, serr := ix.t.Stat(ctx, ix.dir); errors.Is(serr, fs.ErrNotExist) {
			err = &AckDirMissingError{Dir: ix.dir}
		}
	}
	if err != nil {
		if !errors.As(err, new(*AckDirMissingError)) {
			err = wrapList(ix.dir, err)
		}
		ix.listErr = err
		return err
	}
	ix.listErr = nil
	ix.byName = map[string][]nameMatch{}
	ix.others = ix.others[:0]
	ix.listing = make(map[string]RemoteFile, len(files))
	for _, f := range files {
		ix.listing[f.Name] = f
		if !indexName(ix.byName, f.Name) && isXML(f.Name) && !ix.seen[f.Name] {
			ix.others = append(ix.others, f.Name)
		}
	}
	// Forget what the DSP removed.
	for key := range ix.parsed {
		if dir, name := path.Split(key); path.Clean(dir) == path.Clean(ix.dir) {
			if _, ok := ix.listing[name]; !ok {
				delete(ix.parsed, key)
			}
		}
	}
	for name := range ix.seen {
		if _, ok := ix.listing[name]; !ok {
			delete(ix.seen, name)
		}
	}
	for id, names := range ix.byBody {
		kept := names[:0]
		for _, n := range names {
			if _, ok := ix.listing[n]; ok {
				kept = append(kept, n)
			}
		}
		if len(kept) == 0 {
			delete(ix.byBody, id)
		} else {
			ix.byBody[id] = kept
		}
	}
	return nil
}

func wrapList(dir string, err error) error {
	return &listError{dir: dir, err: err}
}

// listError keeps the transport's error (and its permanence) visible.
type listError struct {
	dir string
	err error
}

func (e *listError) Error() string { return "list acknowledgements in " + e.dir + ": " + e.err.Error() }
func (e *listError) Unwrap() error { return e.err }

func isXML(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".xml") }

// indexName files name under the MessageIds it may carry: for
// ACK_<id>_<timestamp>.xml every prefix of "<id>_<timestamp>" that ends
// before an underscore, and the whole of it (MessageIds may hold
// underscores). It reports false for names not in that form.
func indexName(m map[string][]nameMatch, name string) bool {
	if !strings.HasPrefix(name, "ACK_") || !isXML(name) {
		return false
	}
	rest := name[len("ACK_") : len(name)-len(".xml")]
	if rest == "" {
		return false
	}
	conventional := rest
	if i := strings.LastIndexByte(rest, '_'); i > 0 {
		conventional = rest[:i]
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] == '_' && i > 0 {
			id := rest[:i]
			m[id] = append(m[id], nameMatch{file: name, exact: id == conventional})
		}
	}
	m[rest] = append(m[rest], nameMatch{file: name, exact: true})
	return true
}

// find reads the candidate files in dir, newest name first, and returns
// the first that acknowledges messageID. A file whose name only starts
// with the MessageId must name it inside; one named for it may also
// identify the delivery by release, as legacy acknowledgements do.
func (ix *AckIndex) find(ctx context.Context, dir string, files []nameMatch, messageID, releaseID string) (AckResult, error) {
	sort.Slice(files, func(i, j int) bool { return files[i].file > files[j].file })
	for _, f := range files {
		p, err := ix.read(ctx, dir, f.file)
		if errors.Is(err, fs.ErrNotExist) {
			continue // moved or removed since the listing
		}
		if err != nil {
			return AckResult{}, err
		}
		if p.err != nil {
			if !f.exact {
				continue // another message's file, as far as its name says
			}
			return AckResult{}, Permanent(&MalformedAckError{File: f.file, Err: p.err})
		}
		if r, ok := matchAck(p.ack, messageID, releaseID, f.exact); ok {
			return AckResult{Found: true, File: f.file, Release: r}, nil
		}
	}
	return AckResult{}, nil
}

// matchAck finds messageID's status in a; loose matches (by release, or
// a lone release without id) only for a file named for that message.
func matchAck(a *ern.Ack, messageID, releaseID string, named bool) (ern.AckRelease, bool) {
	for _, r := range a.Releases {
		if r.AckedMessageID == messageID {
			return r, true
		}
	}
	if !named {
		return ern.AckRelease{}, false
	}
	if r, ok := a.Find(releaseID, messageID); ok {
		return r, true
	}
	if len(a.Releases) == 1 && a.Releases[0].ReleaseID == "" {
		return a.Releases[0], true
	}
	return ern.AckRelease{}, false
}

// read returns the content of an acknowledgement file, reading it from
// the server the first time only. The error is the transport's; a
// malformed file is a parsedAck with err set.
func (ix *AckIndex) read(ctx context.Context, dir, name string) (parsedAck, error) {
	key := path.Join(dir, name)
	var listed RemoteFile
	if dir == ix.dir {
		listed = ix.listing[name]
	}
	if p, ok := ix.parsed[key]; ok && p.size == listed.Size && p.modTime.Equal(listed.ModTime) {
		return p, nil // unchanged since read
	}
	ix.stats.Reads++
	rc, err := ix.t.Open(ctx, key)
	if err != nil {
		return parsedAck{}, &readError{file: name, err: err}
	}
	a, perr := ern.ReadAck(rc)
	rc.Close()
	p := parsedAck{ack: a, err: perr, size: listed.Size, modTime: listed.ModTime}
	ix.parsed[key] = p
	return p, nil
}

// readError keeps the transport's error visible.
type readError struct {
	file string
	err  error
}

func (e *readError) Error() string { return "read acknowledgement " + e.file + ": " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// readOthers reads, once each, the files whose names do not say which
// message they acknowledge, and indexes them by the MessageIds inside. A
// malformed one is logged once: no delivery can be blamed for it.
func (ix *AckIndex) readOthers(ctx context.Context) {
	if len(ix.others) == 0 {
		return
	}
	left := ix.others[:0]
	for _, name := range ix.others {
		p, err := ix.read(ctx, ix.dir, name)
		if err != nil {
			left = append(left, name) // try again next time
			continue
		}
		ix.seen[name] = true
		if p.err != nil {
			ix.o.Logger.Warn("an acknowledgement from the DSP is unreadable and names no message: ignored",
				"file", path.Join(ix.dir, name), "err", p.err)
			continue
		}
		for _, r := range p.ack.Releases {
			if r.AckedMessageID != "" {
				ix.byBody[r.AckedMessageID] = append(ix.byBody[r.AckedMessageID], name)
			}
		}
	}
	ix.others = left
}

// findArchived looks for messageID in the archive folder, listed at most
// once per ArchiveMaxAge: acknowledgements ferry archived before a
// restart, or another ferry sharing the root archived.
func (ix *AckIndex) findArchived(ctx context.Context, messageID, releaseID string) (AckResult, error) {
	now := ix.o.Now()
	if ix.archive.byName == nil || now.Sub(ix.archive.listedAt) >= ix.o.ArchiveMaxAge {
		files, err := ix.t.List(ctx, ix.o.Archive)
		if err != nil {
			return AckResult{}, wrapList(ix.o.Archive, err)
		}
		ix.stats.Listings++
		ix.archive.listedAt = now
		ix.archive.byName = map[string][]nameMatch{}
		for _, f := range files {
			indexName(ix.archive.byName, f.Name)
		}
	}
	return ix.find(ctx, ix.o.Archive, ix.archive.byName[messageID], messageID, releaseID)
}

// settle records a final result: the files named for the message are
// moved into the archive (when configured and possible) and forgotten,
// and the result is remembered for a delivery that asks again.
func (ix *AckIndex) settle(ctx context.Context, messageID string, res AckResult) {
	now := ix.o.Now()
	ix.settled[messageID] = settled{res: res, at: now}
	if now.Sub(ix.prunedAt) >= ix.o.ArchiveMaxAge {
		// Keep memory bounded in a daemon that runs for months: a result
		// is asked for again within minutes, if ever.
		for id, s := range ix.settled {
			if now.Sub(s.at) >= ix.o.ArchiveMaxAge {
				delete(ix.settled, id)
			}
		}
		ix.prunedAt = now
	}
	if ix.o.Archive == "" || ix.archive.broken {
		// Remembered as read: the result answers any later lookup, the
		// file is never read again.
		for _, f := range ix.byName[messageID] {
			if f.exact {
				delete(ix.parsed, path.Join(ix.dir, f.file))
			}
		}
		return
	}
	for _, f := range ix.byName[messageID] {
		if !f.exact {
			continue
		}
		from := path.Join(ix.dir, f.file)
		if err := ix.t.(Mover).Move(ctx, from, path.Join(ix.o.Archive, f.file)); err != nil {
			ix.archive.broken = true
			ix.o.Logger.Warn("ack.archive: cannot move acknowledgements into the archive folder; they are kept and remembered as read",
				"file", from, "archive", ix.o.Archive, "err", err)
			return
		}
		ix.stats.Archived++
		delete(ix.parsed, from)
	}
	delete(ix.byName, messageID)
}
