package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate"
)

// pack fans a validated release out into one delivery instance per DSP,
// each with its package built, and moves each into packaged/. Instances
// are built inside the release's record folder; each DSP is marked done
// in the release's record before its instance leaves, so a fan-out re-run
// after a crash knows from the release alone what is done: an instance
// marked done and gone has left; one still inside is built again.
func (e *Engine) pack(ctx context.Context, name string) {
	item := e.claim(Validated, filepath.Join(e.layout.Dir(Validated), name))
	if item == "" {
		return
	}
	started := e.now()
	e.metrics.inFlight(Validated, 1)
	defer e.metrics.inFlight(Validated, -1)
	it, ok := e.load(item, Validated)
	if !ok {
		return
	}
	rel, problems := validate.ValidatorFor(e.cfg).Load(ctx, item)
	if ctx.Err() != nil {
		e.unclaim(Validated, item)
		return
	}
	if rel != nil && e.artists != nil {
		e.artists.Inject(rel.Model) // ISNI and IPI from the registry, into every message
	}
	if problems.Errors() > 0 {
		e.fail(it, Validated, failure{Stage: Validated, What: "the release changed after validation: " + problems.Error(),
			ToDo: "Fix the problems listed."})
		return
	}
	staging, err := it.FanoutDir()
	if err != nil {
		e.holdBack(it, Validated, err)
		return
	}
	base := releaseOf(it.Name(), it.State.DSP)
	waiting := false
	var skipped []string
	dsps := e.destinationsFor(it.State.DSP, rel)
	for _, dsp := range dsps {
		instPath := filepath.Join(staging, base+"@"+dsp)
		if _, err := os.Lstat(instPath); it.State.Fanned[dsp] && err != nil {
			continue // made and moved on before an interruption
		}
		if wait, ok := e.oneAtATime(it, rel, dsp); !ok {
			return
		} else if wait {
			waiting = true
			continue
		}
		// What dsp has of the release, read once, now that no other drop
		// of it can be delivered there meanwhile.
		delivered, err := e.rec.Delivered(dsp, rel.ID())
		if err != nil {
			delivered = nil
		}
		if why := nothingToDo(rel, delivered); why != "" {
			e.itemLog(it, Validated).Info(rel.Action+" skipped", "skipped_dsp", dsp, "why", why)
			skipped = append(skipped, dsp+": "+why)
			e.rec.EndInFlight(dsp, rel.ID(), it.State.DropID)
			continue
		}
		if e.identical(ctx, rel, dsp, delivered) {
			// Occupied platforms are skipped: the DSP has this release
			// exactly as it is.
			why := delivery.SkippedUnchanged(rel, dsp)
			e.itemLog(it, Validated).Info("nothing to send: identical to what the DSP has", "skipped_dsp", dsp, "why", why)
			skipped = append(skipped, dsp+": "+why+": it has this release exactly as it is")
			if err := it.Note(record.HistoryLine{Time: e.now().UTC(), From: string(Validated), To: string(Validated), Node: e.node,
				Attempt: it.State.Attempt, DSP: dsp, Note: dsp + " " + why}); err != nil {
				e.itemLog(it, Validated).Warn("write history", "err", err)
			}
			e.rec.EndInFlight(dsp, rel.ID(), it.State.DropID)
			continue
		}
		// Not made yet, or made but not moved: (re)built from the release.
		inst, ok := e.buildInstance(ctx, it, rel, instPath, dsp, delivered)
		if !ok {
			return
		}
		if inst == nil {
			continue // failed on its own: the other DSPs go on
		}
		if e.advance(inst, Validated, Packaged, started); e.stuck(it, instPath) {
			return
		}
	}
	if len(skipped) == len(dsps) {
		e.fail(it, Validated, failure{Stage: Validated,
			What:    "nothing was sent: there is nothing to " + strings.Replace(rel.Action, "takedown", "take down", 1) + " for release " + rel.ID() + " at any DSP it names",
			Details: skipped,
			ToDo:    "Check the UPC (ferry releases " + rel.ID() + " lists where it is live), name other DSPs in deliver_to, or change what should change. Nothing needs fixing if the DSPs already have what you meant to send; to send it again anyway (a DSP lost it), set action = \"redeliver\"."})
		return
	}
	if waiting {
		// An earlier drop of this release is still being delivered to a
		// DSP: this one waits in validated/, then goes as an update.
		if dst := e.unclaim(Validated, it.Path()); dst != "" {
			e.later(e.running, Validated, filepath.Base(dst), inFlightWait)
		}
		return
	}
	// Every instance has left; the release folder itself is consumed. It
	// is renamed out of its stage first, so that a crash while removing it
	// never leaves a half-removed release in validated/.
	if err := e.discard(item); err != nil {
		e.log.Error("remove fanned-out release", "release", base, "err", err)
	}
}

// buildInstance makes the delivery instance of release it for dsp at
// instPath, packaged and recorded, and marks dsp done in the release's
// record. An instance that fails on its own (its DSP's rules, its
// packaging) is moved to failed/ and nil returned with ok true; ok false
// means the release must wait (it has been put back or failed).
func (e *Engine) buildInstance(ctx context.Context, it *record.Item, rel *validate.Release, instPath, dsp string, delivered *record.Delivery) (*record.Item, bool) {
	os.RemoveAll(instPath) // a half-built one from before an interruption
	if err := copyTree(it.Path(), instPath, true); err != nil {
		e.retryOrFail(ctx, it, Validated, fmt.Errorf("prepare the %s instance: %w", dsp, err), "Check the disk under the root.")
		return nil, false
	}
	inst, err := it.NewInstance(instPath, dsp)
	if err != nil {
		e.holdBack(it, Validated, err)
		return nil, false
	}
	var f *failure
	if purged := purgedThere(rel, dsp, delivered); purged != nil {
		f = purged
	} else if held := e.sameRecordings(inst, rel, dsp); held != nil {
		f = held
	} else if problems := it.State.Blocked[dsp]; len(problems) > 0 {
		f = &failure{Stage: Validated, DSP: dsp,
			What:    fmt.Sprintf("the release breaks %s's rules; it was not sent there (the other DSPs got it)", dsp),
			Details: problems,
			ToDo:    "Fix each problem listed above in this folder; it will then be delivered to " + dsp + " only."}
	} else if err := e.packInstance(ctx, inst, rel, dsp, delivered); err != nil {
		if ctx.Err() != nil {
			e.unclaim(Validated, it.Path())
			return nil, false
		}
		f = &failure{Stage: Validated, DSP: dsp, What: "packaging for " + dsp + " failed: " + err.Error(),
			ToDo: "Check the release against this DSP's settings."}
	}
	if f == nil {
		// Recorded before the instance counts as made, so a failed write
		// holds the release back rather than leave later drops of the
		// same recordings unchecked against this one.
		if err := e.recordSending(inst, rel); err != nil {
			e.holdBack(it, Validated, err)
			return nil, false
		}
		f = e.sentAtTheSameTime(rel, dsp)
	}
	if it.State.Fanned == nil {
		it.State.Fanned = map[string]bool{}
	}
	it.State.Fanned[dsp] = true
	if err := it.Save(); err != nil {
		e.holdBack(it, Validated, err)
		return nil, false
	}
	if f != nil {
		if err := e.rec.EndInFlight(dsp, rel.ID(), it.State.DropID); err != nil {
			e.itemLog(inst, Validated).Warn("end the release's in-flight mark", "err", err)
		}
		e.fail(inst, Validated, *f)
		return nil, !e.stuck(it, instPath)
	}
	return inst, true
}

// sameRecordings checks rel's recordings against what dsp has of them
// on other releases: duplicate go-live, then window overlap. It returns
// the failure that holds the delivery, or nil.
func (e *Engine) sameRecordings(inst *record.Item, rel *validate.Release, dsp string) *failure {
	dup := e.duplicateGoLive(inst, rel, dsp)
	overlap := e.windowOverlapElsewhere(inst, rel, dsp, len(dup) > 0)
	if len(dup)+len(overlap) == 0 {
		return nil
	}
	return sameRecordingsFailure(rel, dsp, dup, overlap)
}

// sameRecordingsFailure holds a delivery whose recordings are at dsp on
// another release: live there at all (duplicate go-live, dup) or with
// overlapping deal windows (overlap); both are said when both apply.
func sameRecordingsFailure(rel *validate.Release, dsp string, dup, overlap []string) *failure {
	reuse := "If this release reuses those recordings on purpose (a compilation), add allow_reuse = true to release.toml. " +
		"If an ISRC is wrong, correct it. To replace the other release, take it down first (ferry releases UPC shows it)."
	windows := "End one of the windows: set end_date on a deal of one release to the day before the other's starts " +
		"(or take the other release down), or leave one territory out; to send it anyway, " + rel.ConfirmHow(validate.RuleWindowOverlap) +
		"."
	switch {
	case len(overlap) == 0:
		return &failure{Stage: Validated, DSP: dsp, Details: dup, ToDo: reuse,
			What: fmt.Sprintf("recordings of this release are live at %s on another release (duplicate go-live): it was not sent there", dsp)}
	case len(dup) == 0:
		return &failure{Stage: Validated, DSP: dsp, Details: overlap, ToDo: windows,
			What: fmt.Sprintf("another release with the same recordings is at %s with deal windows overlapping this release's (window overlap, rule %s): it was not sent there",
				dsp, validate.RuleWindowOverlap)}
	}
	return &failure{Stage: Validated, DSP: dsp, Details: append(dup, overlap...), ToDo: reuse + " " + windows,
		What: fmt.Sprintf("recordings of this release are live at %s on another release (duplicate go-live), with deal windows overlapping this release's (window overlap, rule %s): it was not sent there",
			dsp, validate.RuleWindowOverlap)}
}

// recordSending records a delivery leaving for its DSP as being
// delivered there: in the catalogue, and, for deliveries that put the
// release on sale, for the window-overlap check of later drops.
func (e *Engine) recordSending(inst *record.Item, rel *validate.Release) error {
	d, err := inst.Delivery()
	if err != nil {
		return err
	}
	if validate.NeedsFiles(rel.Action) {
		if err := e.rec.RecordSending(d); err != nil {
			return err
		}
	}
	return e.rec.RecordOutcome(d, record.StateDelivering)
}

// packInstance builds one DSP's package in its instance and records the
// delivery.
func (e *Engine) packInstance(ctx context.Context, inst *record.Item, rel *validate.Release, dsp string, delivered *record.Delivery) error {
	pkg, err := inst.PackageDir()
	if err != nil {
		return err
	}
	d, err := e.packager.Package(ctx, pkg, reloaded(rel, inst.Path()), dsp, e.cfg.DSP[dsp], prior(inst, dsp, rel.ID(), delivered))
	if err != nil {
		return err
	}
	d.Drop, d.Attempt = releaseOf(inst.Name(), dsp), inst.State.Attempt
	plan := record.Plan{DSP: dsp, ReleaseID: d.ReleaseID, Kind: d.Kind, ERNVersion: d.ERNVersion, MessageID: d.MessageID,
		Preset: rel.Preset, Planned: e.now().UTC(), Files: delivery.Explain(delivered, d)}
	if delivered != nil {
		plan.Replaces = delivered.MessageID
	}
	if err := inst.SetPlan(plan); err != nil {
		return err
	}
	if err := inst.SetDelivery(d); err != nil {
		return fmt.Errorf("record the delivery: %w", err)
	}
	e.itemLog(inst, Validated).Info("packaged", "message", d.MessageID, "kind", d.Kind, "ern", d.ERNVersion, "files", len(d.Files))
	return nil
}

// load reads the record of a claimed item in stage s. An item with no
// record of this root's is failed: ferry does not act on what it cannot
// vouch for. It returns false when there is nothing more to do.
func (e *Engine) load(item string, s Stage) (*record.Item, bool) {
	it, err := e.rec.Load(item, string(s))
	if err == nil {
		return it, true
	}
	if errors.Is(err, record.ErrGone) {
		e.log.Warn("the folder was deleted or moved away while ferry took it", "item", filepath.Base(item), "stage", s)
		return nil, false
	}
	e.log.Warn("a folder in a work stage has no record of this root's ferry", "item", filepath.Base(item), "stage", s, "err", err)
	it, _, aerr := e.rec.Adopt(item)
	if aerr != nil {
		e.log.Error("cannot take the folder on", "item", filepath.Base(item), "err", aerr)
		return nil, false
	}
	e.fail(it, s, failure{Stage: s,
		What: fmt.Sprintf("this folder was found in %s/ without a record written by ferry (%v); ferry does not deliver what it did not check", s, err),
		ToDo: "Move the release folder into inbox/ so that it is checked and delivered from the start."})
	return nil, false
}

// discard removes a consumed folder: renamed into <root>/.ferry/trash
// first, so that it leaves its stage in one step.
func (e *Engine) discard(item string) error {
	trash := e.layout.State("trash", e.node)
	if err := os.MkdirAll(trash, 0o700); err != nil {
		return err
	}
	dst := filepath.Join(trash, filepath.Base(item)+"-"+record.NewDropID())
	if err := os.Rename(item, dst); err != nil {
		return err
	}
	return os.RemoveAll(dst)
}

// stuck reports whether an instance is still in its staging folder
// after it should have moved on (its record could not be written); the
// release then waits in validated/ and is packaged again later.
func (e *Engine) stuck(release *record.Item, instPath string) bool {
	if _, err := os.Lstat(instPath); err != nil {
		return false
	}
	e.holdBack(release, Validated, fmt.Errorf("the %s instance could not be recorded", filepath.Base(instPath)))
	return true
}

// reloaded points a loaded release at an instance folder (same files,
// hard-linked).
func reloaded(rel *validate.Release, dir string) *validate.Release {
	r := *rel
	r.Dir = dir
	return &r
}

// prior gathers what is known of this release at dsp: the ledger's last
// acknowledged delivery (delivered, nil for none), and the instance's own
// unacknowledged previous attempt when it is a retry.
func prior(inst *record.Item, dsp, releaseID string, delivered *record.Delivery) delivery.Prior {
	p := delivery.Prior{Delivered: delivered}
	if a, err := inst.Delivery(); err == nil && a.DSP == dsp && a.ReleaseID == releaseID &&
		(p.Delivered == nil || p.Delivered.MessageID != a.MessageID) {
		p.Attempt = a
	}
	return p
}

// inFlightWait is how often a drop waiting for an earlier delivery of
// the same release to the same DSP looks again.
const inFlightWait = 10 * time.Second

// oneAtATime takes the release's in-flight mark at dsp for this drop.
// wait is true when an earlier drop of the release is still being
// delivered there; ok false when the release was held back (its record
// could not be written).
func (e *Engine) oneAtATime(it *record.Item, rel *validate.Release, dsp string) (wait, ok bool) {
	for range 2 {
		holder, err := e.rec.TakeInFlight(dsp, rel.ID(), it.State.DropID)
		if err != nil {
			e.holdBack(it, Validated, err)
			return false, false
		}
		if holder == "" {
			return false, true
		}
		if e.dropInFlight(holder, dsp) {
			e.errs.report(e.itemLog(it, Validated), rel.ID()+"@"+dsp+" in flight",
				"waiting: an earlier drop of this release is still being delivered to "+dsp+"; this one goes after it, as an update",
				fmt.Errorf("delivery %s of release %s in flight", holder, rel.ID()))
			return true, true
		}
		// The mark outlived its delivery (a crash between the end and the
		// removal): nothing of that drop is in a work stage any more, so
		// its delivery is ended here.
		if err := e.rec.EndInFlight(dsp, rel.ID(), holder); err != nil {
			e.holdBack(it, Validated, err)
			return false, false
		}
	}
	return true, true
}

// dropInFlight reports whether any item of the drop dropID bound for dsp
// (or its release, not yet fanned out) is in a work stage.
func (e *Engine) dropInFlight(dropID, dsp string) bool {
	for _, s := range []Stage{Validated, Packaged, Uploaded} {
		dirs := []string{e.layout.Dir(s)}
		nodes, _ := os.ReadDir(filepath.Join(e.layout.Dir(s), claimsDir))
		for _, n := range nodes {
			dirs = append(dirs, filepath.Join(e.layout.Dir(s), claimsDir, n.Name()))
		}
		for _, dir := range dirs {
			names, _ := e.layout.itemsIn(dir)
			for _, name := range names {
				if st, err := e.rec.Peek(filepath.Join(dir, name)); err == nil && st.DropID == dropID && (st.DSP == dsp || st.DSP == "") {
					return true
				}
			}
		}
	}
	return false
}

// nothingToDo says why a lifecycle action of rel need not go to dsp, or
// "": a takedown of a release never delivered there, taken down or
// purged already; a restore of one never delivered there, live or
// purged; a purge of one never delivered there or purged already. d is
// what the DSP has (nil: nothing).
func nothingToDo(rel *validate.Release, d *record.Delivery) string {
	if rel.Action != validate.ActionTakedown && rel.Action != validate.ActionRestore && rel.Action != validate.ActionPurge {
		return ""
	}
	switch {
	case d == nil:
		return "never delivered there"
	case d.Kind == "purge":
		return "purged there already (" + d.MessageID + ")"
	case rel.Action == validate.ActionPurge:
		return ""
	case rel.Action == validate.ActionTakedown && d.Kind == "takedown":
		return "taken down there already (" + d.MessageID + ")"
	case rel.Action == validate.ActionRestore && d.Kind != "takedown":
		return "live there already (" + d.MessageID + ")"
	}
	return ""
}

// identical reports whether dsp already has rel exactly as it is: an
// update would describe the same release, with the same deals, and send
// no file. A full redelivery is never identical.
func (e *Engine) identical(ctx context.Context, rel *validate.Release, dsp string, d *record.Delivery) bool {
	if rel.Action != validate.ActionDeliver || d == nil || d.Kind == "takedown" || d.Kind == "purge" || d.Release == nil {
		return false
	}
	plan, err := e.packager.Plan(ctx, rel, dsp, e.cfg.DSP[dsp], delivery.Prior{Delivered: d})
	if err != nil {
		return false
	}
	return plan.Unchanged(d)
}

// duplicateGoLive lists the recordings of rel that are live at dsp on
// another release, one line each, when that makes rel's delivery there
// an error; with allow_reuse they are logged as a warning instead.
func (e *Engine) duplicateGoLive(inst *record.Item, rel *validate.Release, dsp string) []string {
	lines := liveElsewhere(e.rec, rel, dsp)
	if len(lines) > 0 && rel.AllowReuse {
		e.itemLog(inst, Validated).Warn("recordings live on another release at this DSP; delivered anyway (allow_reuse)", "recordings", strings.Join(lines, "; "))
		return nil
	}
	return lines
}
