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
	"sync/atomic"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate"
)

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
		e.log.Error("release claim", "stage", s, "item", filepath.Base(item), "err", err)
		return ""
	}
	return dst
}

// advance records the transition in the item's history, then moves it
// into the next stage folder with one rename and queues it there.
func (e *Engine) advance(ctx context.Context, item string, from, to Stage, st ItemState, started time.Time) {
	log := e.itemLog(item, st, from)
	st.Tries, st.NotBefore, st.LastError = 0, time.Time{}, ""
	if err := writeState(item, st); err != nil {
		log.Error("write item state", "err", err)
	}
	if err := appendHistory(item, HistoryLine{Time: e.now().UTC(), From: from, To: to, Node: e.node, Attempt: st.Attempt, DSP: st.DSP}); err != nil {
		log.Error("write history", "err", err)
	}
	dst, err := moveInto(item, e.layout.Dir(to))
	if err != nil {
		log.Error("move to next stage", "to", to, "err", err)
		e.unclaim(from, item)
		return
	}
	e.metrics.processed(from, st.DSP, resultOK, e.now().Sub(started))
	log.Info("moved", "to", to)
	e.enqueue(e.running, to, filepath.Base(dst))
}

// fail writes ERRORS.txt and moves the item to failed/.
func (e *Engine) fail(item string, from Stage, f failure, st ItemState) {
	log := e.itemLog(item, st, from)
	now := e.now()
	if f.DSP == "" {
		f.DSP = st.DSP
	}
	if err := writeErrorsFile(item, f, now); err != nil {
		log.Error("write ERRORS.txt", "err", err)
	}
	st.LastError = f.What
	writeState(item, st)
	appendHistory(item, HistoryLine{Time: now.UTC(), From: from, To: Failed, Node: e.node, Attempt: st.Attempt, DSP: st.DSP, Error: f.What})
	if _, err := moveInto(item, e.layout.Dir(Failed)); err != nil {
		log.Error("move to failed", "err", err)
		return
	}
	e.metrics.processed(from, st.DSP, resultFailed, 0)
	log.Warn("failed", "error", f.What)
}

// retryOrFail handles a stage error: permanent errors and transient ones
// past the attempt limit fail the item; other transient ones put it back
// with exponential backoff and jitter.
func (e *Engine) retryOrFail(ctx context.Context, item string, s Stage, st ItemState, err error, toDo string) {
	log := e.itemLog(item, st, s)
	if ctx.Err() != nil && !delivery.IsPermanent(err) {
		// Shutting down: the abort is ours, not the item's fault. It goes
		// back to its stage as it is, for the next start.
		log.Info("interrupted by the shutdown; will resume", "error", err)
		e.unclaim(s, item)
		return
	}
	st.Tries++
	if delivery.IsPermanent(err) || st.Tries >= e.cfg.Retry.Attempts {
		what := err.Error()
		if !delivery.IsPermanent(err) {
			toDo = "This looked temporary but did not clear after " + fmt.Sprint(st.Tries) + " tries. " + toDo
		}
		e.fail(item, s, failure{Stage: s, What: what, ToDo: toDo, Attempts: st.Tries}, st)
		return
	}
	backoff := e.backoff(st.Tries)
	st.NotBefore = e.now().Add(backoff)
	st.LastError = err.Error()
	writeState(item, st)
	appendHistory(item, HistoryLine{Time: e.now().UTC(), From: s, To: s, Node: e.node, Attempt: st.Attempt, DSP: st.DSP, Error: err.Error()})
	e.metrics.processed(s, st.DSP, resultRetry, 0)
	e.metrics.retry(st.DSP)
	log.Warn("temporary failure, will retry", "error", err, "try", st.Tries, "backoff", backoff.Round(time.Second))
	if dst := e.unclaim(s, item); dst != "" {
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
func (e *Engine) waitUntil(st ItemState) time.Duration {
	if st.NotBefore.IsZero() {
		return 0
	}
	return st.NotBefore.Sub(e.now())
}

func (e *Engine) itemLog(item string, st ItemState, s Stage) *slog.Logger {
	release := st.Release
	if release == "" {
		release = filepath.Base(item)
	}
	return e.log.With("release", release, "dsp", st.DSP, "stage", s)
}

// validate takes a folder from an inbox and checks it.
func (e *Engine) validate(ctx context.Context, path string) {
	item := e.claim(Inbox, path)
	if item == "" {
		return
	}
	if marker, ok := e.markers.LoadAndDelete(path); ok {
		os.Remove(marker.(string))
	}
	started := e.now()
	e.metrics.inFlight(Inbox, 1)
	defer e.metrics.inFlight(Inbox, -1)
	removeErrorsFile(item)
	st := readState(item)
	st.Attempt++
	st.Tries, st.NotBefore, st.LastError = 0, time.Time{}, ""
	st.DropID = newDropID()
	if st.Release == "" {
		st.Release = filepath.Base(item)
	}
	if err := os.MkdirAll(filepath.Join(item, record.ItemDir), files.DirPerm); err != nil {
		e.log.Error("prepare item", "err", err)
	}
	var only []string
	if st.DSP != "" {
		only = []string{st.DSP}
	}
	v := validate.ValidatorFor(e.cfg)
	v.Now = e.now
	rel, problems := v.ValidateFor(item, only)
	for _, p := range problems {
		if p.Severity == validate.Warning {
			e.itemLog(item, st, Inbox).Warn("validation warning", "problem", p.String())
		}
	}
	if rel == nil { // not even the metadata could be read
		e.fail(item, Inbox, failure{Stage: Inbox,
			What:    fmt.Sprintf("the release folder has %d error(s); nothing was sent", problems.Errors()),
			Details: problemLines(problems),
			ToDo:    "Fix each problem listed above in this folder."}, st)
		return
	}
	if missing := e.unknownDSPs(e.destinationsFor(st, rel)); len(missing) > 0 {
		e.fail(item, Inbox, failure{Stage: Inbox,
			What: fmt.Sprintf("this release goes to DSPs that are not configured: %s", strings.Join(missing, ", ")),
			ToDo: "Use DSP names from the configuration (" + strings.Join(e.cfg.DSPNames(), ", ") + ") in deliver_to. " +
				"A delivery instance (name@dsp) for a DSP that was removed can be sent elsewhere by deleting its .ferry/state.json."}, st)
		return
	}
	// Errors that only some DSPs' rules raise block those DSPs alone: the
	// others get the release, each DSP's delivery failing on its own.
	st.Blocked = nil
	dsps := e.destinationsFor(st, rel)
	for _, dsp := range dsps {
		if ps := problems.For(dsp); ps.Errors() > 0 {
			if st.Blocked == nil {
				st.Blocked = map[string][]string{}
			}
			st.Blocked[dsp] = problemLines(ps)
		}
	}
	if problems.Errors() > 0 && len(st.Blocked) == len(dsps) {
		e.fail(item, Inbox, failure{Stage: Inbox,
			What:    fmt.Sprintf("the release folder has %d error(s) and %d warning(s); nothing was sent", problems.Errors(), problems.Warnings()),
			Details: problemLines(problems),
			ToDo:    "Fix each problem listed above in this folder (release.toml or the files)."}, st)
		return
	}
	e.advance(ctx, item, Inbox, Validated, st, started)
}

// problemLines renders a report for ERRORS.txt, one problem per entry.
func problemLines(ps validate.Problems) []string {
	lines := make([]string, 0, len(ps))
	for _, p := range ps {
		lines = append(lines, p.String())
	}
	return lines
}

func (e *Engine) unknownDSPs(names []string) []string {
	var missing []string
	for _, n := range names {
		if e.cfg.DSP[n] == nil {
			missing = append(missing, n)
		}
	}
	return missing
}

// destinationsFor lists the DSPs an item goes to: its own DSP when it is
// an instance moved back for a retry, else release.toml's deliver_to,
// else the configured default.
func (e *Engine) destinationsFor(st ItemState, rel *validate.Release) []string {
	switch {
	case st.DSP != "":
		return []string{st.DSP}
	case len(rel.DeliverTo) > 0:
		return rel.DeliverTo
	case len(e.cfg.DeliverTo) > 0:
		return e.cfg.DeliverTo
	}
	return e.cfg.DSPNames()
}

// fanoutSuffix marks the hidden folders where instances are assembled
// before they are renamed into packaged/.
const fanoutSuffix = ".fanout"

// pack fans a validated release out into one delivery instance per DSP,
// each with its package built, and moves each into packaged/.
func (e *Engine) pack(ctx context.Context, name string) {
	item := e.claim(Validated, filepath.Join(e.layout.Dir(Validated), name))
	if item == "" {
		return
	}
	started := e.now()
	e.metrics.inFlight(Validated, 1)
	defer e.metrics.inFlight(Validated, -1)
	st := readState(item)
	rel, problems := validate.Load(item)
	if problems.Errors() > 0 {
		e.fail(item, Validated, failure{Stage: Validated, What: "the release changed after validation: " + problems.Error(),
			ToDo: "Fix the problems listed."}, st)
		return
	}
	staging := item + fanoutSuffix
	os.RemoveAll(staging)
	defer os.RemoveAll(staging)
	base := st.Release
	for _, dsp := range e.destinationsFor(st, rel) {
		if e.instanceExists(base, dsp, st.DropID) {
			continue // made before an interruption
		}
		inst := filepath.Join(staging, base+"@"+dsp)
		ist := st
		ist.DSP, ist.Blocked = dsp, nil
		if err := copyTree(item, inst, true); err != nil {
			e.retryOrFail(ctx, item, Validated, st, fmt.Errorf("prepare the %s instance: %w", dsp, err), "Check the disk under the root.")
			return
		}
		if problems := st.Blocked[dsp]; len(problems) > 0 {
			e.fail(inst, Validated, failure{Stage: Validated, DSP: dsp,
				What:    fmt.Sprintf("the release breaks %s's rules; it was not sent there (the other DSPs got it)", dsp),
				Details: problems,
				ToDo:    "Fix each problem listed above in this folder; it will then be delivered to " + dsp + " only."}, ist)
			continue
		}
		d, err := e.packager.Package(inst, reloaded(rel, inst), dsp, e.cfg.DSP[dsp], e.prior(inst, dsp, rel.ID()))
		if err != nil {
			e.fail(inst, Validated, failure{Stage: Validated, DSP: dsp, What: "packaging for " + dsp + " failed: " + err.Error(),
				ToDo: "Check the release against this DSP's settings."}, ist)
			continue
		}
		e.itemLog(inst, ist, Validated).Info("packaged", "message", d.MessageID, "ern", d.ERNVersion, "files", len(d.Files))
		e.advance(ctx, inst, Validated, Packaged, ist, started)
	}
	// Every instance exists now (each with its own history); the release
	// folder itself is consumed.
	if err := os.RemoveAll(item); err != nil {
		e.log.Error("remove fanned-out release", "release", base, "err", err)
	}
}

// prior gathers what is known of this release at dsp: the ledger's last
// acknowledged delivery, and the instance's own unacknowledged previous
// attempt when it is a retry.
func (e *Engine) prior(inst, dsp, releaseID string) delivery.Prior {
	var p delivery.Prior
	var delivered, attempt record.Delivery
	if files.ReadJSON(e.ledgerPath(dsp, releaseID), &delivered) == nil {
		p.Delivered = &delivered
	}
	if files.ReadJSON(filepath.Join(inst, record.ItemDir, record.DeliveryFile), &attempt) == nil &&
		attempt.DSP == dsp && (p.Delivered == nil || p.Delivered.MessageID != attempt.MessageID) {
		p.Attempt = &attempt
	}
	return p
}

func (e *Engine) ledgerPath(dsp, releaseID string) string {
	return e.layout.State("ledger", dsp, releaseID+".json")
}

// reloaded points a loaded release at an instance folder (same files,
// hard-linked).
func reloaded(rel *validate.Release, dir string) *validate.Release {
	r := *rel
	r.Dir = dir
	return &r
}

// instanceExists reports whether the fan-out of this drop already made
// the instance for dsp (it may have moved on to any later stage).
func (e *Engine) instanceExists(base, dsp, dropID string) bool {
	for _, s := range []Stage{Packaged, Uploaded, Acknowledged, Failed} {
		matches, _ := filepath.Glob(filepath.Join(e.layout.Dir(s), globEscape(base+"@"+dsp)+"*"))
		claimed, _ := filepath.Glob(filepath.Join(e.layout.Dir(s), claimsDir, "*", globEscape(base+"@"+dsp)+"*"))
		for _, m := range append(matches, claimed...) {
			if st := readState(m); st.DropID == dropID && st.DSP == dsp {
				return true
			}
		}
	}
	return false
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}

// claimInstance claims a delivery instance of stage s whose backoff is
// over, and finds its DSP. It returns "" when there is nothing to do now
// (gone, waiting, or failed because its DSP is no longer configured); else
// the caller owns the claim and one in-flight count.
func (e *Engine) claimInstance(s Stage, name string) (string, ItemState, *destination) {
	src := filepath.Join(e.layout.Dir(s), name)
	if wait := e.waitUntil(readState(src)); wait > 0 {
		e.later(e.running, s, name, wait)
		return "", ItemState{}, nil
	}
	item := e.claim(s, src)
	if item == "" {
		return "", ItemState{}, nil
	}
	st := readState(item)
	dest := e.dests[st.DSP]
	if dest == nil {
		e.fail(item, s, failure{Stage: s, What: fmt.Sprintf("DSP %q is no longer configured", st.DSP),
			ToDo: "Add it back to the configuration, or delete this folder's .ferry/state.json and move it back to inbox/ to deliver it to the DSPs configured now."}, st)
		return "", ItemState{}, nil
	}
	e.metrics.inFlight(s, 1)
	return item, st, dest
}

// upload sends a packaged instance to its DSP.
func (e *Engine) upload(ctx context.Context, name string) {
	item, st, dest := e.claimInstance(Packaged, name)
	if item == "" {
		return
	}
	started := e.now()
	defer e.metrics.inFlight(Packaged, -1)
	log := e.itemLog(item, st, Packaged)
	var sent atomic.Int64
	stopProgress := e.reportProgress(item, &st, &sent, log)
	stats, err := delivery.Upload(ctx, dest.transport, item, "", func(n int64) { sent.Store(n) })
	stopProgress()
	e.reach(st.DSP, err)
	e.metrics.uploaded(st.DSP, stats)
	if err != nil {
		e.retryOrFail(ctx, item, Packaged, st, err, "Check the DSP's SFTP settings and that its server is reachable.")
		return
	}
	log.Info("uploaded", "files", stats.Files, "bytes", stats.Bytes, "skipped_files", stats.SkippedFiles)
	st.UploadedAt = e.now().UTC()
	e.advance(ctx, item, Packaged, Uploaded, st, started)
}

// progressEvery is how often a long upload logs its progress and records
// it for `ferry status`: steady, never per packet.
const progressEvery = 10 * time.Second

// reportProgress logs and records an upload's progress every
// progressEvery until the returned stop is called.
func (e *Engine) reportProgress(item string, st *ItemState, sent *atomic.Int64, log *slog.Logger) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p := *st
				p.Progress = sent.Load()
				writeState(item, p)
				log.Info("uploading", "bytes_sent", p.Progress)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// acknowledge looks for the DSP's acknowledgement of an uploaded instance.
func (e *Engine) acknowledge(ctx context.Context, name string) {
	item, st, dest := e.claimInstance(Uploaded, name)
	if item == "" {
		return
	}
	defer e.metrics.inFlight(Uploaded, -1)
	var d record.Delivery
	if err := files.ReadJSON(filepath.Join(item, record.ItemDir, record.DeliveryFile), &d); err != nil {
		e.fail(item, Uploaded, failure{Stage: Uploaded, What: "the delivery record is missing: " + err.Error(),
			ToDo: "Move the folder back to inbox/ to deliver it again."}, st)
		return
	}
	if dest.cfg.Ack.Mode == "none" {
		// Delivered once uploaded: the ledger records it, so that the next
		// drop of this release is an update.
		e.accept(ctx, item, st, &d)
		return
	}
	res, err := delivery.FindAck(ctx, dest.transport, dest.cfg.Ack.Dir, &d)
	e.reach(st.DSP, err)
	if err != nil && delivery.IsPermanent(err) {
		e.fail(item, Uploaded, failure{Stage: Uploaded, What: err.Error(),
			ToDo: "Ask the DSP to resend its acknowledgement, or check the delivery on their side."}, st)
		return
	}
	if err != nil || !res.Found || res.Outcome() == ern.AckPending {
		if err != nil {
			e.itemLog(item, st, Uploaded).Warn("cannot read acknowledgements yet", "err", err)
		}
		if e.now().Sub(st.UploadedAt) > dest.cfg.Ack.Timeout.Duration {
			e.metrics.ack(st.DSP, "timeout", 0)
			e.fail(item, Uploaded, failure{Stage: Uploaded,
				What: fmt.Sprintf("no acknowledgement from %s within %s of the upload (message %s)", st.DSP, dest.cfg.Ack.Timeout.Duration, d.MessageID),
				ToDo: "Ask the DSP whether they received the delivery; if not, move this folder back to inbox/ to send it again."}, st)
			return
		}
		if dst := e.unclaim(Uploaded, item); dst != "" {
			e.later(e.running, Uploaded, filepath.Base(dst), dest.cfg.Ack.Poll.Duration)
		}
		return
	}
	latency := e.now().Sub(st.UploadedAt)
	r := res.Release
	if res.Outcome() == ern.AckRejected {
		e.metrics.ack(st.DSP, "rejected", latency)
		details := []string{"DSP status: " + r.Status}
		if r.MessageStatus != "" {
			details = append(details, "Message status: "+r.MessageStatus)
		}
		if r.ErrorText != "" {
			details = append(details, "DSP's error text: "+r.ErrorText)
		}
		if r.Information != "" {
			details = append(details, "Concerning: "+r.Information)
		}
		if r.ProposedAction != "" {
			details = append(details, "DSP's proposed action: "+r.ProposedAction)
		}
		if r.ProposedAction != "ResendXmlOnly" {
			// The DSP wants the files again: a retry must not skip them.
			os.Remove(filepath.Join(item, record.ItemDir, record.UploadedFile))
		}
		e.fail(item, Uploaded, failure{Stage: Uploaded, What: fmt.Sprintf("%s rejected the delivery (acknowledgement %s)", st.DSP, res.File),
			Details: details, ToDo: proposedActionAdvice(r.ProposedAction)}, st)
		return
	}
	e.metrics.ack(st.DSP, "accepted", latency)
	e.accept(ctx, item, st, &d)
}

// accept records a delivery the DSP has in the ledger and moves the item
// to acknowledged/.
func (e *Engine) accept(ctx context.Context, item string, st ItemState, d *record.Delivery) {
	if err := e.recordLedger(d); err != nil {
		e.itemLog(item, st, Uploaded).Error("write delivery ledger", "err", err)
	}
	e.advance(ctx, item, Uploaded, Acknowledged, st, st.UploadedAt)
}

// proposedActionAdvice turns a DDEX ProposedActionType into plain words.
func proposedActionAdvice(action string) string {
	switch action {
	case "ResendXmlOnly":
		return "The DSP asks for the message again: correct the metadata if the error text says so."
	case "ResendXmlAndResources":
		return "The DSP asks for the message and the files again: check the files the error names."
	case "DoNotResendRelease":
		return "The DSP asks not to resend this release: contact them before doing anything else, and do not move it back to inbox/ until they agree."
	}
	return "Read the DSP's error text above and correct the release."
}

// recordLedger writes what the DSP now has to
// <root>/.ferry/ledger/<dsp>/<release-id>.json: updates are planned
// against it.
func (e *Engine) recordLedger(d *record.Delivery) error {
	p := e.ledgerPath(d.DSP, d.ReleaseID)
	if err := os.MkdirAll(filepath.Dir(p), files.DirPerm); err != nil {
		return err
	}
	return files.WriteJSONAtomic(p, d)
}
