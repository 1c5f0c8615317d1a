package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/record"
)

// acknowledge looks for the DSP's acknowledgement of an uploaded instance.
func (e *Engine) acknowledge(ctx context.Context, name string) {
	it, dest := e.claimInstance(Uploaded, name)
	if it == nil {
		e.confirmedByPerson(name) // gone from uploaded/: a person may have moved it
		return
	}
	defer e.metrics.inFlight(Uploaded, -1)
	d, err := it.Delivery()
	if err != nil {
		e.fail(it, Uploaded, failure{Stage: Uploaded, What: "the delivery record is missing or not ferry's: " + err.Error(),
			ToDo: "Move the folder back to inbox/ to deliver it again."})
		return
	}
	if dest.cfg.Ack.Mode == "manual" {
		// A person confirms the delivery by moving the folder from
		// uploaded/ to acknowledged/ (see manual.go): it waits, with no
		// timeout.
		e.awaitPerson(it, dest)
		return
	}
	if dest.cfg.Ack.Mode == "none" {
		// Delivered once uploaded: the ledger records it, so that the next
		// drop of this release is an update.
		e.accept(it, d)
		return
	}
	res, err := dest.acks.Lookup(ctx, d.MessageID, d.ReleaseID)
	e.ackOutcome(it.State.DSP, err)
	if !delivery.IsPermanent(err) {
		e.errs.report(e.log.With("dsp", it.State.DSP), it.State.DSP+" acknowledgements", "cannot read the DSP's acknowledgements", err)
	}
	if err != nil && delivery.IsPermanent(err) {
		e.fail(it, Uploaded, failure{Stage: Uploaded, What: err.Error(),
			ToDo: "Ask the DSP to resend its acknowledgement, or check the delivery on their side."})
		return
	}
	if err != nil || !res.Found || res.Outcome() == ern.AckPending {
		if e.now().Sub(it.State.UploadedAt) > dest.cfg.Ack.Timeout.Duration {
			e.metrics.ack(it.State.DSP, "timeout", 0)
			e.fail(it, Uploaded, failure{Stage: Uploaded,
				What: fmt.Sprintf("no acknowledgement from %s within %s of the upload (message %s)", it.State.DSP, dest.cfg.Ack.Timeout.Duration, d.MessageID),
				ToDo: "Ask the DSP whether they received the delivery; if not, move this folder back to inbox/ to send it again."})
			return
		}
		if dst := e.unclaim(Uploaded, it.Path()); dst != "" {
			e.later(e.running, Uploaded, filepath.Base(dst), dest.cfg.Ack.Poll.Duration)
		}
		return
	}
	latency := e.now().Sub(it.State.UploadedAt)
	if res.Outcome() == ern.AckRejected {
		e.metrics.ack(it.State.DSP, "rejected", latency)
		e.reject(it, res)
		return
	}
	e.metrics.ack(it.State.DSP, "accepted", latency)
	e.accept(it, d)
}

// ackOutcome records what reading a DSP's acknowledgements said about
// the DSP: a malformed acknowledgement or a missing acknowledgement folder
// is the DSP's fault, not unreachability (the DSP answered); a missing
// folder is a readiness problem of its own, since no delivery to that DSP
// can ever be acknowledged.
func (e *Engine) ackOutcome(dsp string, err error) {
	var missing *delivery.AckDirMissingError
	e.reachMu.Lock()
	if errors.As(err, &missing) {
		e.ackDirMissing[dsp] = err
	} else if err == nil || delivery.IsDSPFault(err) {
		delete(e.ackDirMissing, dsp)
	}
	e.reachMu.Unlock()
	if delivery.IsDSPFault(err) {
		err = nil
	}
	e.reach(dsp, err)
}

// checkAckFolders looks, once at start, at the acknowledgement folder of
// every DSP that sends acknowledgements, so that a wrong ack.dir is a
// warning and a readiness problem at once rather than a timeout days
// later.
func (e *Engine) checkAckFolders(ctx context.Context) {
	for _, name := range e.cfg.DSPNames() {
		d := e.dests[name]
		if d == nil || d.cfg.Ack.Mode == "none" {
			continue
		}
		err := d.acks.Check(ctx)
		if ctx.Err() != nil {
			return
		}
		e.ackOutcome(name, err)
		var missing *delivery.AckDirMissingError
		if errors.As(err, &missing) {
			e.log.Warn("the DSP's acknowledgement folder does not exist: no delivery to it can be acknowledged", "dsp", name, "dir", d.cfg.Ack.Dir)
		}
	}
}

// reject fails an instance the DSP rejected, with the DSP's words.
func (e *Engine) reject(it *record.Item, res delivery.AckResult) {
	r := res.Release
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
	if d, err := it.Delivery(); err == nil {
		if err := e.rec.RecordOutcome(d, record.StateRejected); err != nil {
			e.holdBack(it, Uploaded, err)
			return
		}
		e.endInFlight(it, d)
	}
	if r.ProposedAction != "ResendXmlOnly" {
		// The DSP wants the files again: the retry starts a new remote
		// folder and sends every file.
		if err := it.ForgetDelivery(); err != nil {
			e.holdBack(it, Uploaded, err)
			return
		}
	}
	e.fail(it, Uploaded, failure{Stage: Uploaded, What: fmt.Sprintf("%s rejected the delivery (acknowledgement %s)", it.State.DSP, res.File),
		Heading: "The DSP said:", Details: details, ToDo: proposedActionAdvice(r.ProposedAction), Rejected: true})
}

// accept records a delivery the DSP has in the ledger and moves the item
// to acknowledged/. If the ledger cannot be written the item waits in
// uploaded/: an acknowledged item always has its ledger entry.
func (e *Engine) accept(it *record.Item, d *record.Delivery) {
	if err := e.rec.RecordDelivered(d); err != nil {
		e.holdBack(it, Uploaded, err)
		return
	}
	e.endInFlight(it, d)
	e.advance(it, Uploaded, Acknowledged, it.State.UploadedAt)
}

// endInFlight ends a delivery's hold on its release at its DSP, so that a
// later drop of the release goes on (see oneAtATime). A failure only
// delays that drop: the mark is broken once nothing of this one is in a
// work stage.
func (e *Engine) endInFlight(it *record.Item, d *record.Delivery) {
	if err := e.rec.EndInFlight(d.DSP, d.ReleaseID, it.State.DropID); err != nil {
		e.itemLog(it, Uploaded).Warn("end the release's in-flight mark", "err", err)
	}
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
