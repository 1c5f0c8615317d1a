package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrydelivery/ferry/stages/record"
)

// A DSP with ack.mode = "manual" is acknowledged by a person, who moves
// the delivery from uploaded/ to acknowledged/ (a distributor's portal
// said it was taken). ferry looks at uploaded/ every ack.poll while the
// delivery waits; once it is gone from there and found in acknowledged/,
// ferry records the acceptance as it does a DSP's: the ledger and the
// catalogue (so the next drop of the release is an update), the end of
// the release's in-flight mark, and a line in the item's history. A
// delivery moved while no daemon ran is found at the next start.

// awaitPerson puts a manual delivery back in uploaded/ and looks again
// after dest's poll interval.
func (e *Engine) awaitPerson(it *record.Item, dest *destination) {
	if dst := e.unclaim(Uploaded, it.Path()); dst != "" {
		e.later(e.running, Uploaded, filepath.Base(dst), dest.cfg.Ack.Poll.Duration)
	}
}

// confirmedByPerson records the acceptance of the manual delivery name,
// no longer in uploaded/, if a person moved it to acknowledged/ and it
// is not recorded yet.
func (e *Engine) confirmedByPerson(name string) {
	at := strings.LastIndexByte(name, '@')
	if at < 0 {
		return
	}
	if dest := e.dests[name[at+1:]]; dest == nil || dest.cfg.Ack.Mode != "manual" {
		return
	}
	path := filepath.Join(e.layout.Dir(Acknowledged), name)
	if _, err := os.Lstat(path); err != nil {
		return // deleted, or moved elsewhere: nothing to record
	}
	it, err := e.rec.Load(path, string(Acknowledged))
	if err != nil {
		return
	}
	d, err := it.Delivery()
	if err != nil || d.DSP != name[at+1:] {
		return
	}
	if prev, err := e.rec.Delivered(d.DSP, d.ReleaseID); err == nil && prev.MessageID == d.MessageID {
		return // recorded already
	}
	log := e.itemLog(it, Acknowledged)
	if err := e.rec.RecordDelivered(d); err != nil {
		// Looked at again after a poll, as a DSP's acceptance would be.
		log.Error("record the delivery a person confirmed", "err", err)
		e.recordFailed(err)
		e.later(e.running, Uploaded, name, e.dests[d.DSP].cfg.Ack.Poll.Duration)
		return
	}
	e.endInFlight(it, d)
	e.metrics.ack(d.DSP, "accepted", e.now().Sub(it.State.UploadedAt))
	if err := it.Note(record.HistoryLine{Time: e.now().UTC(), From: string(Uploaded), To: string(Acknowledged), Node: e.node,
		Attempt: it.State.Attempt, DSP: d.DSP, Note: `moved to acknowledged/ by a person (ack.mode = "manual"): recorded as accepted`}); err != nil {
		log.Warn("write history", "err", err)
	}
	log.Info("confirmed by a person", "message", d.MessageID)
}

// confirmManualAtStart records the manual deliveries a person moved to
// acknowledged/ while no daemon ran.
func (e *Engine) confirmManualAtStart(ctx context.Context) {
	var manual []string
	for name, d := range e.dests {
		if d.cfg.Ack.Mode == "manual" {
			manual = append(manual, "@"+name)
		}
	}
	if len(manual) == 0 {
		return
	}
	names, _ := e.layout.itemsIn(e.layout.Dir(Acknowledged))
	for _, name := range names {
		if ctx.Err() != nil {
			return
		}
		for _, suffix := range manual {
			if strings.HasSuffix(name, suffix) {
				e.confirmedByPerson(name)
			}
		}
	}
}
