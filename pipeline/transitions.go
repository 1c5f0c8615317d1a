package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/pipeline/notify"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
)

// recordRetry is how soon an item whose record could not be written (a
// full disk) is tried again. It waits in its stage meanwhile.
const recordRetry = 10 * time.Second

// claim moves an item of stage s into this node's claim folder: the one
// rename that makes it ours. It returns "" when the item is gone (taken
// by another daemon, or moved by a user).
func (e *Engine) claim(s Stage, src string) string {
	dir := e.layout.ClaimDir(s, e.node)
	if err := os.MkdirAll(dir, files.DirPerm); err != nil {
		e.log.Error("claim", "stage", s, "err", err)
		return ""
	}
	dst, err := moveInto(src, dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			e.log.Error("claim", "stage", s, "item", filepath.Base(src), "err", err)
		}
		return ""
	}
	return dst
}

// unclaim puts an item back into its stage folder for a later try.
func (e *Engine) unclaim(s Stage, item string) string {
	dst, err := moveInto(item, e.layout.Dir(s))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			e.log.Error("release claim", "stage", s, "item", filepath.Base(item), "err", err)
		}
		return ""
	}
	return dst
}

// holdBack puts an item whose record could not be written back into its
// stage and tries it again later: no item moves on without its record.
func (e *Engine) holdBack(it *record.Item, s Stage, err error) {
	e.recordFailed(err)
	e.itemLog(it, s).Error("cannot write the item's record; it stays where it is and is tried again", "err", err)
	if staged(it) {
		return // an instance being fanned out: its release is held back
	}
	if dst := e.unclaim(s, it.Path()); dst != "" {
		name := filepath.Base(dst)
		if s == Inbox {
			name = dst
		}
		e.later(e.running, s, name, recordRetry)
	}
}

// move records a transition of it from one stage to another, moves it
// with one rename, and confirms the record. It returns the item's new
// folder, or "" when the item stays (its record could not be written, or
// the rename failed), in which case it has been put back for a later try.
func (e *Engine) move(it *record.Item, from, to Stage, errText string) string {
	line := record.HistoryLine{Time: e.now().UTC(), From: string(from), To: string(to), Node: e.node,
		Attempt: it.State.Attempt, DSP: it.State.DSP, Error: errText}
	if err := it.Prepare(line); err != nil {
		if errors.Is(err, record.ErrGone) {
			e.gone(it, from)
			return ""
		}
		e.holdBack(it, from, err)
		return ""
	}
	e.recordOK()
	dst, err := moveInto(it.Path(), e.layout.Dir(to))
	if err != nil {
		it.Cancel()
		if errors.Is(err, fs.ErrNotExist) {
			e.gone(it, from)
			return ""
		}
		e.itemLog(it, from).Error("move", "to", to, "err", err)
		if !staged(it) {
			e.unclaim(from, it.Path())
		}
		return ""
	}
	if err := it.Moved(dst); err != nil {
		// The transition stays pending in the state and is confirmed into
		// the history the next time the item is loaded.
		e.itemLog(it, to).Warn("write history", "err", err)
	}
	return dst
}

// staged reports whether it is a delivery instance still being fanned
// out (inside its release's record folder).
func staged(it *record.Item) bool {
	return filepath.Base(filepath.Dir(filepath.Dir(it.Path()))) == record.ItemDir
}

// gone logs an item whose folder disappeared while ferry worked on it:
// its owner deleted or moved it. There is nothing left to fail.
func (e *Engine) gone(it *record.Item, s Stage) {
	e.itemLog(it, s).Warn("the folder was deleted or moved away while ferry worked on it; nothing more is done with it")
}

// advance moves an item into the next stage folder and queues it there.
func (e *Engine) advance(it *record.Item, from, to Stage, started time.Time) {
	it.State.Tries, it.State.NotBefore, it.State.LastError = 0, time.Time{}, ""
	it.State.Progress, it.State.ProgressTotal = 0, 0
	dst := e.move(it, from, to, "")
	if dst == "" {
		return
	}
	e.metrics.processed(from, it.State.DSP, resultOK, e.now().Sub(started))
	e.itemLog(it, from).Info("moved", "to", to)
	if to == Acknowledged {
		e.notify.Notify(notify.Event{Kind: notify.Acknowledged, Release: releaseOf(it.Name(), it.State.DSP), DSP: it.State.DSP, Stage: string(to)})
	}
	e.enqueue(e.running, to, filepath.Base(dst))
}

// fail writes ERRORS.txt and moves the item to failed/. When ERRORS.txt
// or the record cannot be written, the item stays in its stage.
func (e *Engine) fail(it *record.Item, from Stage, f failure) {
	if f.DSP == "" {
		f.DSP = it.State.DSP
	}
	report := errorsText(f, e.now())
	if err := it.WriteErrors(report); err != nil {
		if errors.Is(err, record.ErrGone) {
			e.gone(it, from)
			return
		}
		e.holdBack(it, from, fmt.Errorf("write %s: %w", record.ErrorsFile, err))
		return
	}
	it.State.LastError = f.What
	it.State.Progress, it.State.ProgressTotal = 0, 0
	d, derr := it.Delivery()
	sent := derr == nil && it.State.DSP != "" // a delivery that had left the fan-out
	if sent && !f.Rejected {
		// The catalogue says the message failed before the folder says so.
		if err := e.rec.RecordOutcome(d, record.StateFailed); err != nil {
			e.holdBack(it, from, err)
			return
		}
	}
	if e.move(it, from, Failed, f.What) == "" {
		return
	}
	if sent {
		e.endInFlight(it, d) // a failed delivery has ended
	}
	e.metrics.processed(from, it.State.DSP, resultFailed, 0)
	e.itemLog(it, from).Warn("failed", "err", f.What)
	e.notify.Notify(notify.Event{Kind: notify.Failed, Release: releaseOf(it.Name(), it.State.DSP), DSP: f.DSP, Stage: string(from),
		Summary: f.What, Details: strings.Split(strings.TrimSpace(string(report)), "\n")})
}

// retryOrFail handles a stage error: permanent errors and transient ones
// past the attempt limit fail the item; other transient ones put it back
// with exponential backoff and jitter.
func (e *Engine) retryOrFail(ctx context.Context, it *record.Item, s Stage, err error, toDo string) {
	log := e.itemLog(it, s)
	if ctx.Err() != nil && !delivery.IsPermanent(err) {
		// Shutting down: the abort is ours, not the item's fault. It goes
		// back to its stage as it is, for the next start.
		log.Info("interrupted by the shutdown; will resume", "err", err)
		e.unclaim(s, it.Path())
		return
	}
	it.State.Tries++
	if delivery.IsPermanent(err) || it.State.Tries >= e.cfg.Retry.Attempts {
		what := err.Error()
		if !delivery.IsPermanent(err) {
			toDo = "This looked temporary but did not clear after " + fmt.Sprint(it.State.Tries) + " tries. " + toDo
		}
		e.fail(it, s, failure{Stage: s, What: what, ToDo: toDo, Attempts: it.State.Tries})
		return
	}
	backoff := e.backoff(it.State.Tries)
	it.State.NotBefore = e.now().Add(backoff)
	it.State.LastError = err.Error()
	if werr := it.Save(); werr != nil {
		e.holdBack(it, s, werr)
		return
	}
	if werr := it.Note(record.HistoryLine{Time: e.now().UTC(), From: string(s), To: string(s), Node: e.node,
		Attempt: it.State.Attempt, DSP: it.State.DSP, Error: err.Error()}); werr != nil {
		log.Warn("write history", "err", werr)
	}
	e.metrics.processed(s, it.State.DSP, resultRetry, 0)
	e.metrics.retry(it.State.DSP)
	log.Warn("temporary failure, will retry", "err", err, "try", it.State.Tries, "backoff", backoff.Round(time.Second))
	if dst := e.unclaim(s, it.Path()); dst != "" {
		e.later(e.running, s, filepath.Base(dst), backoff)
	}
}

// backoff is exponential from retry.initial, capped at retry.max, with
// ±20% jitter so that many items failing together do not retry together.
func (e *Engine) backoff(tries int) time.Duration {
	d := e.cfg.Retry.Initial.Duration
	for i := 1; i < tries && d < e.cfg.Retry.Max.Duration; i++ {
		d *= 2
	}
	d = min(d, e.cfg.Retry.Max.Duration)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// waitUntil reports how long an item must still wait before its next try.
func (e *Engine) waitUntil(st record.State) time.Duration {
	if st.NotBefore.IsZero() {
		return 0
	}
	return st.NotBefore.Sub(e.now())
}

// itemLog is the logger for one item: every line carries release, dsp
// and stage.
func (e *Engine) itemLog(it *record.Item, s Stage) *slog.Logger {
	return e.log.With("release", releaseOf(it.Name(), it.State.DSP), "dsp", it.State.DSP, "stage", s)
}

// releaseOf is a release's name from an item's folder name: the name
// without the "@dsp" suffix of a delivery instance (and anything after
// it, such as the "~2" of a name that was taken).
func releaseOf(name, dsp string) string {
	if dsp != "" {
		if i := strings.LastIndex(name, "@"+dsp); i > 0 {
			return name[:i]
		}
	}
	return name
}
