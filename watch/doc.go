// Package watch tells the pipeline when a drop in an inbox folder is
// complete: a release folder (or a loose file) whose whole tree has stopped
// changing for a settle period, or whose ready marker has appeared.
//
// It watches with filesystem events (fsnotify) where they work, adding
// watches for sub-folders as they appear, and polls where they do not
// (network and FUSE mounts, exhausted watch limits). Events only date
// changes and trigger scans; a scan of the drop's tree (names, sizes,
// mtimes, file count) decides, so lost events (a queue overflow) cost a
// rescan, never a drop. Temporary and system names keep a folder waiting.
// The design follows syncthing's lib/fs (events with a polling fallback)
// and lib/watchaggregator (per-folder debounce).
//
// The package claims nothing: it reports ready entries on a channel, and
// the consumer claims one by renaming it out of the inbox.
package watch
