// Package mediatest writes tiny but real media files for tests and the
// example release: PCM WAV and FLAC sine tones that any player decodes,
// and gradient JPEG and PNG images, including the variants a validator
// must refuse (CMYK and greyscale artwork, broken WAV headers).
//
// Everything is computed, nothing is copied from elsewhere, so the files
// are small, fast to make and free of licences.
package mediatest
