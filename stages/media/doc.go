// Package media reads what a delivery validator needs from audio and
// artwork files without decoding them: format, sample rate, bit depth,
// channels and duration of WAV and FLAC files; format, size and colour
// model of JPEG and PNG images.
//
// Readers look at headers only, with small bounded reads through
// io.ReaderAt, and count what they read (BytesRead), so a release of
// gigabytes is checked by reading kilobytes. Hostile or broken input gives
// an error, never a panic; errors say what is wrong in words a label's
// delivery team understands, e.g. "WAV: fmt chunk missing", and wrap one
// of ErrTruncated, ErrCorrupt or ErrUnsupported so callers can classify
// them. Errors do not repeat the file's path: callers report the file.
package media
