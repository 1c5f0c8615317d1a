package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/record"
)

// claimInstance claims a delivery instance of stage s whose backoff is
// over, and loads its record and DSP. It returns nil when there is
// nothing to do now (gone, waiting, not ferry's, or failed because its
// DSP is no longer configured); else the caller owns the claim and one
// in-flight count.
func (e *Engine) claimInstance(s Stage, name string) (*record.Item, *destination) {
	src := filepath.Join(e.layout.Dir(s), name)
	if st, err := e.rec.Peek(src); err == nil {
		if wait := e.waitUntil(st); wait > 0 {
			e.later(e.running, s, name, wait)
			return nil, nil
		}
	}
	item := e.claim(s, src)
	if item == "" {
		return nil, nil
	}
	it, ok := e.load(item, s)
	if !ok {
		return nil, nil
	}
	dest := e.dests[it.State.DSP]
	if dest == nil {
		e.fail(it, s, failure{Stage: s, What: fmt.Sprintf("DSP %q is no longer configured", it.State.DSP),
			ToDo: "Add it back to the configuration, or delete this folder's " + record.ItemDir + " folder and move it back to inbox/ to deliver it to the DSPs configured now."})
		return nil, nil
	}
	e.metrics.inFlight(s, 1)
	return it, dest
}

// upload sends a packaged instance to its DSP.
func (e *Engine) upload(ctx context.Context, name string) {
	it, dest := e.claimInstance(Packaged, name)
	if it == nil {
		return
	}
	started := e.now()
	defer e.metrics.inFlight(Packaged, -1)
	log := e.itemLog(it, Packaged)
	d, err := it.Delivery()
	if err != nil {
		e.fail(it, Packaged, failure{Stage: Packaged, What: "the delivery record is missing or not ferry's: " + err.Error(),
			ToDo: "Move the folder back to inbox/ to package and deliver it again."})
		return
	}
	pkg, err := it.PackageDir()
	if err != nil {
		e.holdBack(it, Packaged, err)
		return
	}
	var sent atomic.Int64
	stopProgress := e.reportProgress(it, d, &sent, log)
	stats, err := delivery.Upload(ctx, dest.transport, pkg, d, it.Uploads(), func(n int64) { sent.Store(n) })
	stopProgress()
	e.reach(it.State.DSP, err)
	e.metrics.uploaded(it.State.DSP, stats)
	if err != nil {
		e.retryOrFail(ctx, it, Packaged, err, uploadAdvice(dest.cfg, err))
		return
	}
	log.Info("uploaded", "files", stats.Files, "bytes", stats.Bytes, "skipped_files", stats.SkippedFiles)
	it.State.UploadedAt = e.now().UTC()
	e.advance(it, Packaged, Uploaded, started)
}
