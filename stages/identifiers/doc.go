// Package identifiers allocates UPC/EAN, ISRC and GRid codes from the
// label's own blocks ([identifiers] in the configuration), exactly once.
//
// Its state is one append-only journal under <root>/.ferry/ids/: every
// code ferry allocated, reserved, imported or saw in a release, one JSON
// record per line. Every operation holds an exclusive flock(2) on
// <root>/.ferry/ids/lock while it reads what other processes appended,
// decides, appends its record and fsyncs it, so several daemons and the
// `ferry ids` commands may share a root. A code is returned only after
// its record is on disk; a process killed before that leaves at most a
// torn last line, which the next holder of the lock cuts off (the codes
// in it were never handed out). A crash after the fsync and before the
// code reaches a release leaves a gap: the code stays used and is shown
// as unconfirmed.
//
// The package knows pools and the journal, nothing of the pipeline.
package identifiers
