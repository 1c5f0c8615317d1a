package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/validate"
)

// ernCmd prints the ERN message the daemon would send for a release
// folder, in the version asked for.
func ernCmd(args []string) int {
	fs := flag.NewFlagSet("ern", flag.ContinueOnError)
	version := fs.String("version", "", "ERN version: 3.8.2, 4.1, 4.1.1, 4.2, 4.3, 4.3.1 or 4.3.2 (default: the DSP's)")
	dspName := fs.String("dsp", "", "DSP whose settings (naming, hash, recipient) apply (default: the first configured)")
	cfgPath := fs.String("config", "", "configuration file (default: the embedded one)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: ferry ern -version V [-dsp NAME] [-config FILE] DIR")
		return 2
	}
	cfg, err := loadConfig(*cfgPath, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	if *dspName == "" {
		*dspName = cfg.DSPNames()[0]
	}
	dsp := cfg.DSP[*dspName]
	if dsp == nil {
		fmt.Fprintf(os.Stderr, "ferry: no DSP %q in the configuration (have %v)\n", *dspName, cfg.DSPNames())
		return 1
	}
	d := *dsp
	if *version != "" {
		v, err := ern.ParseVersion(*version)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ferry:", err)
			return 2
		}
		d.ERNVersion = string(v)
	}
	rel, problems := validate.ValidatorFor(cfg).ValidateFor(fs.Arg(0), []string{*dspName})
	if problems.Errors() > 0 {
		fmt.Fprintf(os.Stderr, "ferry: %s is not valid:\n%s\n", fs.Arg(0), problems.Error())
		return 1
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
		return 1
	}
	if err := ern.WriteWith(os.Stdout, plan.Version, plan.Message, ern.Options{AvsVersionID: d.AVSVersionID}); err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	return 0
}
