// Package digest gives every resource file ferry delivers its content
// identity: one read pass computes BLAKE3 (ferry's own identity, used by
// the hash cache and the delivery ledger) together with the HashSum a DSP
// asks for in the ERN (MD5, SHA1 or SHA-256).
//
// File hashes one file. A Cache remembers the sums of files by (device,
// inode, size, mtime), persists them across restarts, and re-reads a file
// only when one of those changed, so a release dropped again unchanged
// costs a stat per file and no reads.
package digest
