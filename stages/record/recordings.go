package record

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ferrydelivery/ferry/stages/files"
)

// What a DSP has, or is being sent, of a set of recordings: the window
// overlap check asks, for a release about to go to a DSP, which other
// releases there carry exactly the same ISRCs. It costs a few small
// reads per release checked, whatever the size of the catalogue:
//
//   - the recording-set index, ledger/<dsp>/isrcset/<key>, one file per
//     set of ISRCs (the key is a hash of the sorted set), lists a line
//     per release delivered or sent there with exactly that set;
//   - the per-DSP ISRC index (ledger/<dsp>/isrc/<ISRC>, see
//     LiveElsewhere) names the release each recording was last accepted
//     on, which finds releases accepted before the set index existed;
//   - then one ledger read per release found.
//
// A delivery being sent is recorded at fan-out, once its checks passed
// and its package is built: <release-id>.sending.json beside the ledger
// entry, the delivery as it will reach the DSP. It counts while the
// release's in-flight mark is held, and is removed with the mark.

const (
	sendingSuffix = ".sending.json"
	isrcSetDir    = "isrcset"
)

// Holding is a release a DSP has (live) or is being sent (delivering).
type Holding struct {
	State    string // StateLive or StateDelivering
	Delivery *Delivery
}

// RecordSending records d, packaged and about to leave for its DSP, as
// being delivered there, with its recordings indexed.
func (r *Root) RecordSending(d *Delivery) error {
	if !ValidName(d.DSP) || !ValidReleaseID(d.ReleaseID) {
		return fmt.Errorf("sending: no entry can be named %q/%q", d.DSP, d.ReleaseID)
	}
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if err := r.writeRootFile(filepath.Join("ledger", d.DSP), d.ReleaseID+sendingSuffix, append(data, '\n')); err != nil {
		return fmt.Errorf("record %s as being sent to %s: %w", d.ReleaseID, d.DSP, err)
	}
	if err := r.indexRecordingSet(d); err != nil {
		return fmt.Errorf("index the recordings being sent to %s: %w", d.DSP, err)
	}
	return nil
}

// recordingSetKey names a set of ISRCs in the recording-set index: the
// first 128 bits of the SHA-256 of the sorted set, in hex.
func recordingSetKey(isrcs []string) string {
	sum := sha256.Sum256([]byte(strings.Join(normalizedSet(isrcs), ",")))
	return hex.EncodeToString(sum[:16])
}

// indexRecordingSet adds d's release to the recording-set index of its
// set of ISRCs at its DSP, unless it is listed already.
func (r *Root) indexRecordingSet(d *Delivery) error {
	if len(d.ISRCs) == 0 {
		return nil
	}
	key := recordingSetKey(d.ISRCs)
	if slices.Contains(r.recordingSet(d.DSP, key), d.ReleaseID) {
		return nil
	}
	full := r.path("ledger", d.DSP, isrcSetDir)
	if err := os.MkdirAll(full, files.DirPerm); err != nil {
		return err
	}
	dir, err := openDir(nil, full)
	if err != nil {
		return err
	}
	defer dir.Close()
	return appendLine(dir, key, []byte(d.ReleaseID+"\n"))
}

// recordingSet reads the releases listed for a set of ISRCs at dsp; a
// line torn by a crash is skipped.
func (r *Root) recordingSet(dsp, key string) []string {
	dir, err := openDir(nil, r.path("ledger", dsp, isrcSetDir))
	if err != nil {
		return nil
	}
	defer dir.Close()
	raw, err := readFile(dir, key, maxHistorySize)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(raw), "\n") {
		if ValidReleaseID(line) {
			out = append(out, line)
		}
	}
	return out
}

// endSending removes the record of a delivery being sent (it ended).
func (r *Root) endSending(dsp, releaseID string) error {
	err := os.Remove(r.path("ledger", dsp, releaseID+sendingSuffix))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// sending reads the delivery of releaseID being sent to dsp; nil when
// none is (no record, or the in-flight mark is gone).
func (r *Root) sending(dsp, releaseID string) *Delivery {
	if _, err := r.inFlight(dsp, releaseID); err != nil {
		return nil
	}
	dir, err := openDir(nil, r.path("ledger", dsp))
	if err != nil {
		return nil
	}
	defer dir.Close()
	raw, err := readFile(dir, releaseID+sendingSuffix, maxLedgerSize)
	if err != nil {
		return nil
	}
	var d Delivery
	if json.Unmarshal(raw, &d) != nil || d.DSP != dsp || d.ReleaseID != releaseID {
		return nil
	}
	return &d
}

// SameRecordings returns the releases other than releaseID that dsp has
// live, or is being sent, whose ISRCs are exactly isrcs (in any order):
// the same recordings under another release. A release both live and
// being sent again is returned in both states. The order is stable: by
// release id, live first.
func (r *Root) SameRecordings(dsp, releaseID string, isrcs []string) []Holding {
	want := normalizedSet(isrcs)
	if len(want) == 0 || !ValidName(dsp) {
		return nil
	}
	candidates := map[string]bool{}
	for _, id := range r.recordingSet(dsp, recordingSetKey(want)) {
		candidates[id] = true
	}
	if dir, err := openDir(nil, r.path("ledger", dsp, "isrc")); err == nil {
		for _, isrc := range want {
			if !ValidReleaseID(isrc) {
				continue
			}
			b, err := readFile(dir, isrc, 256)
			if other := strings.TrimSpace(string(b)); err == nil && ValidReleaseID(other) {
				candidates[other] = true
			}
		}
		dir.Close()
	}
	delete(candidates, releaseID)
	ids := make([]string, 0, len(candidates))
	for id := range candidates {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []Holding
	for _, id := range ids {
		if d, err := r.Delivered(dsp, id); err == nil && stateAfter(d.Kind) == StateLive && slices.Equal(normalizedSet(d.ISRCs), want) {
			out = append(out, Holding{State: StateLive, Delivery: d})
		}
		if d := r.sending(dsp, id); d != nil && slices.Equal(normalizedSet(d.ISRCs), want) {
			out = append(out, Holding{State: StateDelivering, Delivery: d})
		}
	}
	return out
}

// normalizedSet is isrcs sorted, each once.
func normalizedSet(isrcs []string) []string {
	out := slices.Clone(isrcs)
	slices.Sort(out)
	return slices.Compact(out)
}

// SentBefore returns the releases being sent to dsp with exactly the
// recordings isrcs whose line in the recording-set index comes before
// releaseID's: the ones that recorded themselves as being sent first.
// Checked by a delivery after it recorded itself (RecordSending), it
// settles two releases of the same recordings fanned out at the same
// moment by two daemons: each wrote its line before reading, so at least
// the second sees the first, and the index's order says which yields.
func (r *Root) SentBefore(dsp, releaseID string, isrcs []string) []Holding {
	want := normalizedSet(isrcs)
	if len(want) == 0 || !ValidName(dsp) {
		return nil
	}
	var out []Holding
	for _, id := range r.recordingSet(dsp, recordingSetKey(want)) {
		if id == releaseID {
			break
		}
		if d := r.sending(dsp, id); d != nil && slices.Equal(normalizedSet(d.ISRCs), want) {
			out = append(out, Holding{State: StateDelivering, Delivery: d})
		}
	}
	return out
}
