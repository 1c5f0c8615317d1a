package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ferrydelivery/ferry/pipeline"
)

// rootFlags adds -root and -config to a command that works on a root.
func rootFlags(fs *flag.FlagSet) func() (pipeline.Layout, error) {
	root := fs.String("root", "", "root folder (default: the configuration's root)")
	cfgPath := fs.String("config", "", "configuration file (default: the embedded one)")
	return func() (pipeline.Layout, error) {
		cfg, err := loadConfig(*cfgPath, *root)
		if err != nil {
			return pipeline.Layout{}, err
		}
		return pipeline.Layout{Root: cfg.Root}, nil
	}
}

func statusCmd(args []string) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	layout := rootFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON for scripts")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	l, err := layout()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	items, err := pipeline.Status(l)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if items == nil {
			items = []pipeline.ItemStatus{}
		}
		enc.Encode(items)
		return 0
	}
	if len(items) == 0 {
		fmt.Printf("nothing under %s\n", l.Root)
		return 0
	}
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RELEASE\tDSP\tSTAGE\tAGE\tATTEMPT\tPROGRESS\tLAST ERROR")
	for _, it := range items {
		stage := string(it.Stage)
		if it.InFlight != "" {
			stage += " (working: " + it.InFlight + ")"
		}
		dsp := it.DSP
		if dsp == "" {
			dsp = "-"
		}
		progress := "-"
		if it.Progress > 0 {
			progress = fmt.Sprintf("%d B", it.Progress)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", it.Release, dsp, stage, age(it.Since), it.Attempt, progress, oneLine(it.LastError))
	}
	tw.Flush()
	return 0
}

func retryCmd(args []string) int {
	fs := flag.NewFlagSet("retry", flag.ContinueOnError)
	layout := rootFlags(fs)
	all := fs.Bool("all-failed", false, "retry every item in failed/")
	dsp := fs.String("dsp", "", "only retry this DSP's deliveries")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 && !*all {
		fmt.Fprintln(os.Stderr, "usage: ferry retry [-root DIR] [-config FILE] [-all-failed] [-dsp NAME] NAME...")
		return 2
	}
	l, err := layout()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	moved, err := pipeline.Retry(l, fs.Args(), *all, *dsp)
	for _, m := range moved {
		fmt.Printf("%s: moved back to inbox/\n", m)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	return 0
}

func age(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return time.Since(t).Round(time.Second).String()
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}
