package media

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/ferrydelivery/ferry/stages/files"
)

// countingReaderAt counts the bytes its reads return, so callers can show
// (and benchmarks prove) how little of a file was read.
type countingReaderAt struct {
	r io.ReaderAt
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

// readUpTo reads up to n bytes at off, fewer when the file (of size bytes)
// ends first. Reading fewer bytes than size promised (the file shrank
// while being read) is an error, so callers can index what they asked for
// within size without checking again.
func readUpTo(r io.ReaderAt, off int64, n int, size int64) ([]byte, error) {
	if off >= size || off < 0 || n <= 0 {
		return nil, nil
	}
	n = int(min(int64(n), size-off))
	buf := make([]byte, n)
	got, err := r.ReadAt(buf, off)
	switch {
	case got == n:
		return buf, nil
	case err == nil || errors.Is(err, io.EOF):
		return nil, fmt.Errorf("read at byte %d: file ended after %d of %d bytes (changed while being read?): %w", off, got, n, io.ErrUnexpectedEOF)
	}
	return nil, fmt.Errorf("read at byte %d: %w", off, err)
}

// openRegular opens path for reading after checking that it is a regular
// file: opening a FIFO would block forever, a folder or device is not a
// media file. files.OpenRegular closes the race where the path is
// swapped for a FIFO or a link between the check and the open.
func openRegular(path, format string) (*os.File, int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, 0, openError(err)
	}
	if err := regular(fi, format); err != nil {
		return nil, 0, err
	}
	f, fi, err := files.OpenRegular(path, -1)
	if errors.Is(err, files.ErrNotRegular) && fi == nil {
		return nil, 0, &HeaderError{format, "is a link, not a file", ErrNotRegular}
	}
	if err != nil && fi != nil {
		return nil, 0, regular(fi, format)
	}
	if err != nil {
		return nil, 0, openError(err)
	}
	return f, fi.Size(), nil
}

func regular(fi fs.FileInfo, format string) error {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return &HeaderError{format, "is a folder, not a file", ErrNotRegular}
	case m&fs.ModeNamedPipe != 0:
		return &HeaderError{format, "is a named pipe (FIFO), not a file", ErrNotRegular}
	case m&fs.ModeSocket != 0:
		return &HeaderError{format, "is a socket, not a file", ErrNotRegular}
	case m&fs.ModeDevice != 0:
		return &HeaderError{format, "is a device, not a file", ErrNotRegular}
	}
	return &HeaderError{format, "is not a regular file (" + m.Type().String() + ")", ErrNotRegular}
}

// openError drops the path from an open or stat error (callers report
// the file) and says what happened in plain words; the result still
// matches fs.ErrNotExist or fs.ErrPermission with errors.Is.
func openError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("file not found: %w", err)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("file not readable: %w", err)
	}
	return fmt.Errorf("cannot open: %w", err)
}
