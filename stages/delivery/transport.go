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
