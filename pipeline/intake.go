package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate"
)

// validate takes a folder from an inbox, adopts it (records it carried
// that this root did not write are set aside) and checks it.
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
	it, adoption, err := e.rec.Adopt(item)
	if err != nil {
		if errors.Is(err, record.ErrGone) {
			e.log.Warn("the folder was deleted or moved away while ferry took it", "release", item)
			return
		}
		e.log.Error("cannot take the folder on; it stays in the inbox and is tried again", "release", item, "err", err)
		if dst := e.unclaim(Inbox, item); dst != "" {
			e.later(e.running, Inbox, dst, recordRetry)
		}
		return
	}
	log := e.itemLog(it, Inbox)
	if adoption.Why != "" {
		log.Warn("the folder carried records this root's ferry did not write; they were set aside, unread, and the release starts afresh",
			"why", adoption.Why, "set_aside", adoption.SetAside)
	}
	if err := it.RemoveErrors(); err != nil {
		log.Warn("remove the old "+ErrorsFileName, "err", err)
	}
	st := &it.State
	st.Attempt++
	st.Tries, st.NotBefore, st.LastError = 0, time.Time{}, ""
	st.DropID = record.NewDropID()
	if err := it.ResetFanout(); err != nil {
		e.holdBack(it, Inbox, err)
		return
	}
	if adoption.Why != "" {
		if err := it.Note(record.HistoryLine{Time: e.now().UTC(), From: string(Inbox), To: string(Inbox), Node: e.node,
			Attempt: st.Attempt, Note: "records the folder carried were set aside (" + adoption.Why + ") in " + adoption.SetAside}); err != nil {
			e.holdBack(it, Inbox, err)
			return
		}
	}
	var only []string
	if st.DSP != "" {
		only = []string{st.DSP}
	}
	v := validate.ValidatorFor(e.cfg)
	v.Now = e.now
	v.IDs, v.Artists = e.ids, e.artists
	rel, problems := v.ValidateForContext(ctx, it.Path(), only)
	if ctx.Err() != nil {
		log.Info("interrupted by the shutdown; will resume")
		e.unclaim(Inbox, it.Path())
		return
	}
	if rel != nil && len(rel.Allocated) > 0 {
		// The codes are durable in the pools' journal and written into the
		// folder; the history says which, so a person can trace them.
		var codes []string
		for _, a := range rel.Allocated {
			codes = append(codes, a.Where+" = "+a.Code)
		}
		log.Info("identifiers allocated and written into release.toml", "codes", strings.Join(codes, ", "))
		if err := it.Note(record.HistoryLine{Time: e.now().UTC(), From: string(Inbox), To: string(Inbox), Node: e.node,
			Attempt: st.Attempt, Note: "identifiers allocated: " + strings.Join(codes, ", ")}); err != nil {
			log.Warn("write history", "err", err)
		}
	}
	for _, p := range problems {
		if p.Severity == validate.Warning {
			log.Warn("validation warning", "problem", p.String())
		}
		if p.Confirmed { // the user confirmed it in the release: the history says so
			note := p.Rule + ", sent anyway (confirmed in the release): " + p.Where + ": " + p.What
			if p.DSP != "" {
				note += " (for " + p.DSP + ")"
			}
			if err := it.Note(record.HistoryLine{Time: e.now().UTC(), From: string(Inbox), To: string(Inbox), Node: e.node,
				Attempt: st.Attempt, Note: note}); err != nil {
				log.Warn("write history", "err", err)
			}
		}
	}
	if rel == nil { // not even the metadata could be read
		e.fail(it, Inbox, failure{Stage: Inbox,
			What:    fmt.Sprintf("the release folder has %d error(s); nothing was sent", problems.Errors()),
			Details: problemLines(problems),
			ToDo:    "Fix each problem listed above in this folder."})
		return
	}
	dsps := e.destinationsFor(st.DSP, rel)
	if missing := e.unknownDSPs(dsps); len(missing) > 0 {
		e.fail(it, Inbox, failure{Stage: Inbox,
			What: fmt.Sprintf("this release goes to DSPs that are not configured: %s", strings.Join(missing, ", ")),
			ToDo: "Use DSP names from the configuration (" + strings.Join(e.cfg.DSPNames(), ", ") + ") in deliver_to. " +
				"A delivery instance (name@dsp) for a DSP that was removed can be sent elsewhere by deleting its " + record.ItemDir + " folder."})
		return
	}
	// Errors that only some DSPs' rules raise block those DSPs alone: the
	// others get the release, each DSP's delivery failing on its own.
	st.Blocked = nil
	for _, dsp := range dsps {
		if ps := problems.For(dsp); ps.Errors() > 0 {
			if st.Blocked == nil {
				st.Blocked = map[string][]string{}
			}
			st.Blocked[dsp] = problemLines(ps)
		}
	}
	if problems.Errors() > 0 && len(st.Blocked) == len(dsps) {
		e.fail(it, Inbox, failure{Stage: Inbox,
			What:    fmt.Sprintf("the release folder has %d error(s) and %d warning(s); nothing was sent", problems.Errors(), problems.Warnings()),
			Details: problemLines(problems),
			ToDo:    "Fix each problem listed above in this folder (release.toml or the files)."})
		return
	}
	e.advance(it, Inbox, Validated, started)
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
func (e *Engine) destinationsFor(dsp string, rel *validate.Release) []string {
	switch {
	case dsp != "":
		return []string{dsp}
	case len(rel.DeliverTo) > 0:
		return rel.DeliverTo
	case len(e.cfg.DeliverTo) > 0:
		return e.cfg.DeliverTo
	}
	return e.cfg.DSPNames()
}
