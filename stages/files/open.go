package files

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// ErrNotRegular is returned for a path that is a link, a folder, a FIFO,
// a device or a socket where a file was expected.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned for a file over the size its reader allows.
var ErrTooLarge = errors.New("file too large")

// OpenRegular opens a file found in a drop for reading: without following
// a link in its last component (O_NOFOLLOW: a caller that allows links
// inside the drop resolves them first and opens the target), without
// blocking on a FIFO (O_NONBLOCK), and checked on the open descriptor to
// be a regular file of at most max bytes (max < 0: no cap, for media
// read by offset). The FileInfo is the descriptor's.
func OpenRegular(path string, max int64) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, nil, fmt.Errorf("%s is a link: %w", path, ErrNotRegular)
		}
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fi, fmt.Errorf("%s is %s: %w", path, Kind(fi.Mode()), ErrNotRegular)
	}
	if max >= 0 && fi.Size() > max {
		f.Close()
		return nil, fi, fmt.Errorf("%s is %d bytes, over %d: %w", path, fi.Size(), max, ErrTooLarge)
	}
	return f, fi, nil
}

// ReadRegular reads a whole file found in a drop, as OpenRegular opens
// it, refusing more than max bytes even if it grows while read.
func ReadRegular(path string, max int64) ([]byte, error) {
	f, _, err := OpenRegular(path, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s grew past %d bytes: %w", path, max, ErrTooLarge)
	}
	return data, nil
}

// Kind names what a file that is not a regular file is ("a folder", "a
// named pipe (FIFO)"), for messages; "" for a regular file or a link.
func Kind(m os.FileMode) string {
	switch {
	case m.IsRegular(), m&os.ModeSymlink != 0:
		return ""
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "a special file (" + m.Type().String() + ")"
}
