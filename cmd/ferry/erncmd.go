package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/validate"
)

var ernHelp = help{
	Usage: "ern [-version V] [-dsp NAME] [-config FILE] [-report] DIR",
	About: `Prints the ERN message ferry would send for the release folder DIR as a
first delivery, in version V (3.8.2, 4.1, 4.1.1, 4.2, 4.3, 4.3.1 or
4.3.2; default: the DSP's) with DSP NAME's settings (default: the first
configured DSP by name). With -report, lists on stderr what version V
cannot hold and was dropped, and what of a dropped ERN message was not
read. Exit 1 when the folder is not valid, 2 for an unknown version or
DSP.`,
}

// ernCmd prints the ERN message the daemon would send for a release
// folder, in the version asked for.
func ernCmd(args []string) int {
	fs := flag.NewFlagSet("ern", flag.ContinueOnError)
	version := fs.String("version", "", "ERN version: 3.8.2, 4.1, 4.1.1, 4.2, 4.3, 4.3.1 or 4.3.2 (default: the DSP's)")
	dspName := fs.String("dsp", "", "DSP whose settings (naming, hash, recipient) apply (default: the first configured)")
	cfgPath := fs.String("config", "", "configuration file (default: the embedded one)")
	report := fs.Bool("report", false, "also list on stderr what the version cannot hold and was dropped, and what of a dropped ERN message was not read")
	rest, done, code := parseFlags(fs, args, ernHelp)
	if done {
		return code
	}
	if len(rest) != 1 {
		return usageError("ern", ernHelp, "want one release folder, got %d arguments", len(rest))
	}
	dir := rest[0]
	cfg, err := loadConfig(*cfgPath, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitUsage
	}
	if *dspName == "" {
		*dspName = cfg.DSPNames()[0]
	}
	dsp := cfg.DSP[*dspName]
	if dsp == nil {
		fmt.Fprintf(os.Stderr, "ferry ern: no DSP %s configured (configured: %s)\n", *dspName, strings.Join(cfg.DSPNames(), ", "))
		return exitUsage
	}
	d := *dsp
	if *version != "" {
		v, err := ern.ParseVersion(*version)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ferry:", err)
			return exitUsage
		}
		d.ERNVersion = string(v)
	}
	val := validate.ValidatorFor(cfg)
	val.ERNVersion = func(string) string { return d.ERNVersion } // -version wins
	rel, problems := val.ValidateFor(dir, []string{*dspName})
	if problems.Errors() > 0 {
		fmt.Fprintf(os.Stderr, "ferry: %s is not valid:\n%s\n", dir, problems.Error())
		return exitFailed
	}
	p := &delivery.Packager{
		Sender: ern.Party{DPID: cfg.Sender.DPID, Name: cfg.Sender.Name},
		Hash: func(_ context.Context, path, algorithm string) (string, string, error) {
			s, err := digest.File(path, algorithm)
			return s.BLAKE3, s.HashSum, err
		},
		Now: time.Now,
	}
	plan, err := p.Plan(context.Background(), rel, *dspName, &d, delivery.Prior{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitFailed
	}
	if err := ern.WriteWith(os.Stdout, plan.Version, plan.Message, ern.Options{AvsVersionID: d.AVSVersionID}); err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitFailed
	}
	if *report {
		writeERNReport(os.Stderr, dir, plan.Version, plan.Message, problems)
	}
	return exitOK
}

// writeERNReport lists what the message written in v leaves out: the
// parts of a dropped ERN message ferry did not read (the ern-* warnings
// of its validation) and the fields v cannot hold (ern.Losses).
func writeERNReport(w io.Writer, dir string, v ern.Version, m *ern.Message, problems validate.Problems) {
	fmt.Fprintf(w, "ferry ern -report: %s in ERN %s\n", dir, v)
	n := 0
	for _, p := range problems {
		if strings.HasPrefix(p.Rule, "ern-") {
			fmt.Fprintf(w, "  from the message read: %s: %s\n", p.Where, p.What)
			n++
		}
	}
	for _, l := range ern.Losses(v, m) {
		fmt.Fprintf(w, "  dropped: %s\n", l)
		n++
	}
	if n == 0 {
		fmt.Fprintf(w, "  nothing dropped: ERN %s holds every field of the release\n", v)
	}
}
