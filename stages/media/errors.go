package media

import (
	"errors"
	"fmt"
)

// Kinds of header problems, for errors.Is.
var (
	// ErrTruncated: the file ends before its headers say it should
	// (an interrupted copy or export).
	ErrTruncated = errors.New("truncated")
	// ErrCorrupt: the header is present but its values are impossible or
	// inconsistent.
	ErrCorrupt = errors.New("corrupt")
	// ErrUnsupported: a real format, but not one ferry accepts (RF64,
	// AIFF, MP3, TIFF, …).
	ErrUnsupported = errors.New("unsupported format")
	// ErrNotRegular: the path is a folder, pipe, socket or device.
	ErrNotRegular = errors.New("not a regular file")
	// ErrBeyondData: an image header claims more pixels than the file's
	// data can hold (a decompression bomb, or a damaged header).
	ErrBeyondData = errors.New("dimensions beyond the data")
)

// HeaderError is a problem found in a file's header.
type HeaderError struct {
	Format  string // "WAV", "FLAC", "JPEG", "PNG", or "audio"/"image" before the format is known
	Problem string
	Kind    error // ErrTruncated, ErrCorrupt, ErrUnsupported, ErrNotRegular or ErrBeyondData
}

func (e *HeaderError) Error() string { return e.Format + ": " + e.Problem }

// Unwrap lets errors.Is(err, ErrTruncated) and friends work.
func (e *HeaderError) Unwrap() error { return e.Kind }

func truncated(format, f string, args ...any) error {
	return &HeaderError{format, fmt.Sprintf(f, args...), ErrTruncated}
}

func corrupt(format, f string, args ...any) error {
	return &HeaderError{format, fmt.Sprintf(f, args...), ErrCorrupt}
}

func unsupported(format, f string, args ...any) error {
	return &HeaderError{format, fmt.Sprintf(f, args...), ErrUnsupported}
}

func beyondData(format, f string, args ...any) error {
	return &HeaderError{format, fmt.Sprintf(f, args...), ErrBeyondData}
}
