// Package files holds the few file operations every stage needs done the
// same careful way: crash-safe writes (temp file, fsync, rename), hard
// links with a copy fallback, and opening a file found in a drop without
// following links, blocking on a FIFO or reading without bound.
package files
