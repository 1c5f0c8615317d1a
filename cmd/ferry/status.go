package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/pipeline"
)

// rootFlags adds -root and -config to a command that works on a root;
// the returned function loads the configuration once flags are parsed.
func rootFlags(fs *flag.FlagSet) func() (pipeline.Layout, *config.Config, error) {
	root := fs.String("root", "", "root folder (default: the configuration's root)")
	cfgPath := fs.String("config", "", "configuration file (default: $FERRY_CONFIG, else the embedded one)")
	return func() (pipeline.Layout, *config.Config, error) {
		cfg, err := loadConfig(*cfgPath, *root)
		if err != nil {
			return pipeline.Layout{}, nil, err
		}
		return pipeline.Layout{Root: cfg.Root}, cfg, nil
	}
}

var statusHelp = help{
	Usage: "status [-root DIR] [-config FILE] [-json]",
	About: `Shows every release and DSP delivery under the root: its stage, how long
it has been there, which drop of it this is (ATTEMPT) and how many
temporary failures it has had in this stage (TRIES), the delivery kind
(new, update, takedown) and MessageId, upload progress, and the last error.
Exit 1 when the root is not a ferry root.`,
}

func statusCmd(args []string) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	layout := rootFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON for scripts")
	rest, done, code := parseFlags(fs, args, statusHelp)
	if done {
		return code
	}
	if len(rest) > 0 {
		return usageError("status", statusHelp, "unexpected argument %q", rest[0])
	}
	l, _, err := layout()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitUsage
	}
	if os.Getenv("GOGC") == "" {
		// The listing's garbage (each state's bytes as read and decoded)
		// is short-lived: collecting it a quarter as often saves about
		// 12 % of the CPU for 10,000 items, for 10 MB more at the peak.
		debug.SetGCPercent(400)
	}
	items, err := pipeline.Status(l)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitFailed
	}
	// One buffer for the whole listing: unbuffered, the table costs a
	// write(2) per cell, 200,000 of them for 10,000 items.
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	switch {
	case *asJSON:
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if items == nil {
			items = []pipeline.ItemStatus{}
		}
		enc.Encode(items)
	case len(items) == 0:
		fmt.Fprintf(out, "nothing under %s\n", l.Root)
	default:
		printStatus(out, items)
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "ferry: write the status:", err)
		return exitFailed
	}
	return exitOK
}

// printStatus writes the status table: human units, and only the
// columns a person needs at a glance (-json has everything).
func printStatus(w io.Writer, items []pipeline.ItemStatus) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RELEASE\tDSP\tSTAGE\tAGE\tATTEMPT\tTRIES\tKIND\tMESSAGE ID\tPROGRESS\tLAST ERROR")
	for _, it := range items {
		stage := string(it.Stage)
		if it.InFlight != "" {
			stage += " (working: " + it.InFlight + ")"
		}
		progress := "-"
		if it.Upload != nil {
			progress = it.Upload.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", it.Release, dash(it.DSP), stage, age(it.Since),
			it.Attempt, it.Tries, dash(it.Kind), dash(it.MessageID), progress, lastError(it.LastError))
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var retryHelp = help{
	Usage: "retry [-root DIR] [-config FILE] [-all-failed] [-dsp NAME] NAME...",
	About: `Moves items from failed/ back into inbox/, as a user would by hand.
NAME is the folder's name in failed/: a delivery to one DSP is
RELEASE@DSP (ferry suggests the names when you give RELEASE alone).
-all-failed takes every item in failed/; -dsp limits the retry to that
DSP's deliveries. Exit 1 when a name is not in failed/, 2 for an unknown
DSP.`,
}

func retryCmd(args []string) int {
	fs := flag.NewFlagSet("retry", flag.ContinueOnError)
	layout := rootFlags(fs)
	all := fs.Bool("all-failed", false, "retry every item in failed/")
	dsp := fs.String("dsp", "", "only retry this DSP's deliveries")
	names, done, code := parseFlags(fs, args, retryHelp)
	if done {
		return code
	}
	if len(names) == 0 && !*all {
		return usageError("retry", retryHelp, "name the items to retry, or use -all-failed")
	}
	l, cfg, err := layout()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitUsage
	}
	if *dsp != "" && cfg.DSP[*dsp] == nil {
		fmt.Fprintf(os.Stderr, "ferry retry: no DSP %s configured (configured: %s)\n", *dsp, strings.Join(cfg.DSPNames(), ", "))
		return exitUsage
	}
	moved, err := pipeline.Retry(l, names, *all, *dsp)
	for _, m := range moved {
		fmt.Printf("%s: moved back to inbox/\n", m)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitFailed
	}
	if len(moved) == 0 {
		fmt.Println("nothing to retry: no matching item in failed/")
	}
	return exitOK
}

func age(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return time.Since(t).Round(time.Second).String()
}

// lastError fits an error into the table on one line. When it must be
// cut, the end (the cause, after the last ": ") is kept and the middle
// dropped, since the cause is what the reader needs.
func lastError(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 100
	if utf8.RuneCountInString(s) <= max {
		return dash(s)
	}
	r := []rune(s)
	return string(r[:max/2-2]) + " … " + string(r[len(r)-(max/2-1):])
}
