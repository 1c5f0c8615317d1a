package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/pipeline"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate"
)

var planHelp = help{
	Usage: "plan [-config FILE] [-json] DIR...",
	About: `Prints, for each release folder and each DSP it goes to, what ferry would
send now: a first delivery, an update (which files are sent again and
why, by DDEX Release Profiles rule 12) or a takedown, judged against the
ledger of what each DSP has already accepted — or the conflict that would
hold it back there (the release purged, its recordings live on another
release, overlapping deal windows), or that it would wait for an earlier
drop still being delivered. Changes nothing. Exit 1 when a folder is not
valid or a conflict would hold it back.`,
}

// dspPlan is one DSP's part of `ferry plan`.
type dspPlan struct {
	Release    string              `json:"release"`
	DSP        string              `json:"dsp"`
	Kind       string              `json:"kind"`
	ERNVersion string              `json:"ern_version"`
	Delivered  string              `json:"last_accepted_message,omitempty"`
	Files      []delivery.FilePlan `json:"files"`
	Error      string              `json:"error,omitempty"`
	// Preset names the preset that made this DSP a destination.
	Preset string `json:"preset,omitempty"`
	// Skipped says why nothing is sent to this DSP: it has the release
	// live exactly as it is ("skipped: live and unchanged (preset
	// majors)").
	Skipped string `json:"skipped,omitempty"`
	// Conflict is what would hold the delivery back (or make it wait),
	// as ERRORS.txt would say it.
	Conflict *pipeline.Conflict `json:"conflict,omitempty"`
}

func planCmd(args []string) int {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded one, or $FERRY_CONFIG)")
	asJSON := fs.Bool("json", false, "print JSON")
	dirs, done, code := parseFlags(fs, args, planHelp)
	if done {
		return code
	}
	if len(dirs) == 0 {
		return usageError("plan", planHelp, "want at least one release folder")
	}
	cfg, err := loadConfig(*cfgPath, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitUsage
	}
	ledger, err := record.OpenReader(cfg.Root)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(os.Stderr, "ferry plan: cannot read the ledger under %s (%v): every DSP is shown as a first delivery\n", cfg.Root, err)
	}
	p := &delivery.Packager{
		Sender: ern.Party{DPID: cfg.Sender.DPID, Name: cfg.Sender.Name},
		Hash: func(ctx context.Context, path, algorithm string) (string, string, error) {
			s, err := digest.File(path, algorithm)
			return s.BLAKE3, s.HashSum, err
		},
		Now:      time.Now,
		Location: cfg.Lifecycle.Location(),
	}
	v := validate.ValidatorFor(cfg)
	var plans []dspPlan
	code = exitOK
	for _, dir := range dirs {
		rel, problems := v.Validate(dir)
		if rel == nil || problems.Errors() > 0 {
			fmt.Fprintf(os.Stderr, "ferry plan: %s is not valid:\n%s\n", dir, problems.Error())
			code = exitFailed
			continue
		}
		for _, dsp := range v.Targets(rel) {
			dp := dspPlan{Release: dir, DSP: dsp}
			if rel.FromPreset(dsp) {
				dp.Preset = rel.Preset
			}
			var prior delivery.Prior
			if ledger != nil {
				if d, err := ledger.Delivered(dsp, rel.ID()); err == nil {
					prior.Delivered, dp.Delivered = d, d.MessageID
				}
			}
			plan, err := p.Plan(context.Background(), rel, dsp, cfg.DSP[dsp], prior)
			if err != nil {
				dp.Error = err.Error()
				code = exitFailed
			} else {
				dp.Kind, dp.ERNVersion = plan.Delivery.Kind, plan.Delivery.ERNVersion
				dp.Files = delivery.Explain(prior.Delivered, plan.Delivery)
				if rel.Action == validate.ActionDeliver && plan.Unchanged(prior.Delivered) {
					dp.Skipped = delivery.SkippedUnchanged(rel, dsp) // as the fan-out skips it
				}
			}
			if ledger != nil && dp.Skipped == "" {
				if dp.Conflict = pipeline.Conflicts(ledger, cfg, rel, dsp, prior.Delivered); dp.Conflict != nil && !dp.Conflict.Wait {
					code = exitFailed
				}
			}
			plans = append(plans, dp)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(plans)
		return code
	}
	for _, dp := range plans {
		if dp.Error != "" {
			fmt.Printf("%s → %s: cannot plan: %s\n", dp.Release, dp.DSP, dp.Error)
			continue
		}
		if dp.Skipped != "" {
			fmt.Printf("%s → %s: %s (the DSP has %s exactly as it is; nothing is sent)\n", dp.Release, dp.DSP, dp.Skipped, dp.Delivered)
			continue
		}
		if c := dp.Conflict; c != nil && !c.Wait {
			fmt.Printf("%s → %s: conflict: %s\n", dp.Release, dp.DSP, c.What)
			for _, d := range c.Details {
				fmt.Printf("  - %s\n", d)
			}
			fmt.Printf("  to do: %s\n", c.ToDo)
			continue
		}
		kind := dp.Kind
		if dp.Delivered != "" {
			kind += " of " + dp.Delivered
		}
		if dp.Preset != "" {
			kind += ", preset " + dp.Preset
		}
		fmt.Printf("%s → %s: %s (ERN %s)\n", dp.Release, dp.DSP, kind, dp.ERNVersion)
		if c := dp.Conflict; c != nil {
			fmt.Printf("  %s\n", c.What)
		}
		for _, f := range dp.Files {
			verb := "skip"
			if f.Send {
				verb = "send"
			}
			fmt.Printf("  %s  %s  %s\n", verb, f.Remote, f.Why)
		}
	}
	return code
}
