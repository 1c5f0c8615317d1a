package delivery

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/record"
)

// AckResult is what was found about one delivery in the DSP's
// acknowledgement folder.
type AckResult struct {
	Found   bool
	File    string // the acknowledgement file, relative to the ack folder
	Release ern.AckRelease
}

// Outcome is the DSP's verdict; only meaningful when Found.
func (r AckResult) Outcome() ern.AckOutcome { return r.Release.Outcome() }

// FindAck looks in ackDir for the acknowledgement of delivery d. DSPs name
// them ACK_<MessageId>_<timestamp>.xml; the newest matching file wins. A
// malformed acknowledgement is a permanent *MalformedAckError naming the
// file. Each call lists the whole folder: AckIndex shares one listing
// between every delivery waiting on a DSP.
func FindAck(ctx context.Context, t Transport, ackDir string, d *record.Delivery) (AckResult, error) {
	files, err := t.List(ctx, ackDir)
	if err != nil {
		return AckResult{}, fmt.Errorf("list acknowledgements in %s: %w", ackDir, err)
	}
	var names []string
	for _, f := range files {
		if strings.Contains(f.Name, d.MessageID) && strings.HasSuffix(strings.ToLower(f.Name), ".xml") {
			names = append(names, f.Name)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	for _, name := range names {
		rc, err := t.Open(ctx, path.Join(ackDir, name))
		if err != nil {
			return AckResult{}, fmt.Errorf("read acknowledgement %s: %w", name, err)
		}
		a, err := ern.ReadAck(rc)
		rc.Close()
		if err != nil {
			return AckResult{}, Permanent(&MalformedAckError{File: name, Err: err})
		}
		if r, ok := a.Find(d.ReleaseID, d.MessageID); ok {
			return AckResult{Found: true, File: name, Release: r}, nil
		}
		if len(a.Releases) == 1 && a.Releases[0].ReleaseID == "" {
			return AckResult{Found: true, File: name, Release: a.Releases[0]}, nil
		}
	}
	return AckResult{}, nil
}
