package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/ferrydelivery/ferry/stages/record"
)

var releasesHelp = help{
	Usage: "releases [-root DIR] [-config FILE] [-json] [QUERY]",
	About: `Lists the catalogue: every release ferry has delivered, with its state at
each DSP (delivering, live, rejected, failed, taken-down, purged) and its
last message there.
With a UPC, ISRC or words of a title, only the releases that match, each
with the history of the messages every DSP accepted. Read from the
ledger under the root, as the daemon's user. Exit 1 when nothing
matches a query.`,
}

func releasesCmd(args []string) int {
	fs := flag.NewFlagSet("releases", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (default: $FERRY_CONFIG, else the embedded one)")
	root := fs.String("root", "", "root folder, overriding the configuration's root")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, done, code := parseFlags(fs, args, releasesHelp)
	if done {
		return code
	}
	cfg, err := loadConfig(*cfgPath, *root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitUsage
	}
	rec, err := record.OpenReader(cfg.Root)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferry releases: %v (is %s a ferry root, and are you its daemon's user?)\n", err, cfg.Root)
		return exitFailed
	}
	query := strings.Join(rest, " ")
	all, err := rec.Catalogue(query, query != "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry releases:", err)
		return exitFailed
	}
	// Buffered: 100,000 rows are a few writes, not one per cell.
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	defer out.Flush()
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if all == nil {
			all = []record.CatalogueRelease{}
		}
		enc.Encode(all)
	} else if query == "" {
		w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "UPC\tTITLE\tARTIST\tSTATE\tDSPS")
		for _, c := range all {
			var dsps []string
			for _, p := range c.Platforms {
				state := p.DSP + ":" + p.State
				if p.Accepted != "" {
					state += "(" + p.Accepted + ")" // what the DSP still has
				}
				dsps = append(dsps, state)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", c.UPC, c.Title, c.Artist, c.Summary(), strings.Join(dsps, " "))
		}
		w.Flush()
	} else {
		for _, c := range all {
			fmt.Fprintf(out, "%s  %s — %s  (%s)\n", c.UPC, c.Title, c.Artist, c.Summary())
			if len(c.ISRCs) > 0 {
				fmt.Fprintf(out, "  ISRCs: %s\n", strings.Join(c.ISRCs, " "))
			}
			for _, p := range c.Platforms {
				if p.Accepted != "" {
					fmt.Fprintf(out, "  %s: %s (%s from the last message it accepted)\n", p.DSP, p.State, p.Accepted)
				} else {
					fmt.Fprintf(out, "  %s: %s\n", p.DSP, p.State)
				}
				for _, d := range p.Deals {
					fmt.Fprintf(out, "    deal: %s\n", dealText(d))
				}
				for _, m := range p.Messages {
					fmt.Fprintf(out, "    %s  %-9s %s  ERN %s  (%s)\n", m.Time.Format("2006-01-02 15:04:05Z"), m.Kind, m.MessageID, m.ERNVersion, trigger(m))
				}
			}
		}
	}
	if query != "" && len(all) == 0 {
		fmt.Fprintf(os.Stderr, "ferry releases: nothing delivered matches %q\n", query)
		return exitFailed
	}
	return exitOK
}

// trigger says who or what sent a message: the folder dropped, which
// time it was taken, the node that delivered it.
func trigger(m record.MessageLine) string {
	var parts []string
	if m.Drop != "" {
		parts = append(parts, "drop "+m.Drop)
	}
	if m.Attempt > 1 {
		parts = append(parts, fmt.Sprintf("attempt %d", m.Attempt))
	}
	if m.Node != "" {
		parts = append(parts, "node "+m.Node)
	}
	return strings.Join(parts, ", ")
}

// dealText writes a deal window on one line: "Worldwide -KP
// SubscriptionModel OnDemandStream from 2026-12-04".
func dealText(d record.DealWindow) string {
	text := strings.Join(d.Territories, " ")
	for _, x := range d.Excluded {
		text += " -" + x
	}
	text += " " + d.CommercialModel + " " + strings.Join(d.UseTypes, " ")
	if d.PreOrder != "" {
		text += ", pre-order " + d.PreOrder
	}
	if d.Start != "" {
		text += ", from " + d.Start
	}
	if d.End != "" {
		text += " to " + d.End
	}
	return text
}
