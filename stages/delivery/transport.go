package delivery

import (
	"context"
	"io"
	"time"
)

// Transport is where a delivery goes: a DSP's SFTP server, a local folder,
// the built-in sandbox. One small interface, one package per backend
// (stages/sftp, stages/local), as litestream does with its replica clients.
//
// Paths are slash-separated and relative to the destination's root folder.
// Every method's errors name the path (and the server): callers add what
// they were doing, never the path again, so the cause stays in sight.
type Transport interface {
	// Put stores size bytes from r at path so that path never exists with
	// partial content: it writes a temporary name and renames it.
	// Missing parent folders are created.
	Put(ctx context.Context, path string, r io.Reader, size int64) error
	// Stat returns the size of the file at path, or an error wrapping
	// fs.ErrNotExist when there is none.
	Stat(ctx context.Context, path string) (int64, error)
	// List returns the files directly inside dir; a missing dir is empty.
	List(ctx context.Context, dir string) ([]RemoteFile, error)
	// Open reads the file at path.
	Open(ctx context.Context, path string) (io.ReadCloser, error)
	// Close releases connections.
	Close() error
}

// RemoteFile is one entry of a Transport listing.
type RemoteFile struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// BatchPutter is a Transport that uploads several files at once faster
// than one Put after another: over a long link, the requests of many
// files share each round trip. Upload uses it, when the Transport has it,
// for the resources of a delivery (the message and manifest still go one
// by one, after them).
type BatchPutter interface {
	// PutBatch stores each of files as Put would, several at once, and
	// calls done once for every file it started, with that file's error,
	// never two calls at once, so done may record progress without a
	// lock. After a failure it starts no further file. It returns when
	// every started file is done: nil, or the first failure.
	PutBatch(ctx context.Context, files []BatchFile, done func(i int, err error)) error
}

// BatchFile is one file of a PutBatch.
type BatchFile struct {
	// Path and Size are as for Put.
	Path string
	Size int64
	// Open returns the file's bytes when its upload starts; PutBatch
	// closes them when it ends.
	Open func() (io.ReadCloser, error)
}
